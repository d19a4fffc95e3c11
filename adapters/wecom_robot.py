"""Group robot digests (群机器人, push only): once a day, per town or village work group with
a webhook key in the registry, the new, overdue and red-card cases of its area in markdown.

No personal data: case numbers, types, places and days only — never names, phone numbers
or descriptions (a work group has more members than the case's assignees). Digests are
queued in the outbox (channel "wecom_robot", user = the group's id) like any push, and the
sender keeps within 20 posts a minute per robot."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy import or_, select

from adapters.base import ChannelBase
from adapters.wecom_app.api import WeComAPI
from adapters.wecom_app.limits import Limits
from bot import clocks
from bot.lifecycle import OPEN_STATUSES, STATUS_NAMES
from bot.message import Push
from bot.outbox import Delivery, Outcome
from nlp.reading import TYPE_NAMES
from storage.models import Case, CaseEvent

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.uow import UnitOfWork

CHANNEL = "wecom_robot"
MAX_LINES = 15                    # per section: the markdown stays far under 4096 bytes


def _area(ctx: "AppContext", place: str) -> set[str]:
    """The place and every place under it."""
    return {c for c in ctx.registry.places if place in {p.code for p in ctx.registry.ancestors(c)}}


async def build_digest(ctx: "AppContext", uow: "UnitOfWork", group_id: str) -> str:
    reg, now = ctx.registry, uow.now
    group = reg.groups[group_id]
    area = _area(ctx, group.place)
    session = await uow.session()
    since = now - timedelta(days=1)
    cases = (await session.scalars(select(Case).where(Case.place_code.in_(area)).where(
        or_(Case.status.in_(OPEN_STATUSES), Case.created_at >= since)).order_by(Case.id))).all()
    reds = set((await session.scalars(select(CaseEvent.case_id).where(
        CaseEvent.kind == "red_card", CaseEvent.case_id.in_([c.id for c in cases] or [0])))).all())
    new = [c for c in cases if c.created_at >= since]
    late = [c for c in cases if c.status in OPEN_STATUSES and c.id not in reds
            and set(clocks.overdue(c, ctx.settings, now)) & {"dispatch", "start", "red_card"}]
    red = [c for c in cases if c.id in reds and c.status in OPEN_STATUSES]
    day = now.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%Y年%m月%d日")

    def line(c: Case) -> str:
        return (f"> {c.number}｜{TYPE_NAMES.get(c.type, c.type)}｜{reg.name(c.place_code)}"
                f"｜{STATUS_NAMES.get(c.status, c.status)}")

    out = [f"### {group.name} 矛盾纠纷日报（{day}）",
           f"新增 <font color=\"info\">{len(new)}</font> 件，超期 <font color=\"warning\">{len(late)}</font> 件，"
           f"红牌 <font color=\"warning\">{len(red)}</font> 件"]
    kinds = Counter(TYPE_NAMES.get(c.type, c.type) for c in new)
    if kinds:
        out.append("新增类型：" + "，".join(f"{k}{n}件" for k, n in kinds.most_common()))
    for title, rows in (("**红牌督办**", red), ("**超期未办**", late), ("**新增案件**", new)):
        if rows:
            out.append(title)
            out += [line(c) for c in rows[:MAX_LINES]] + ([f"> 另有{len(rows) - MAX_LINES}件"] if len(rows) > MAX_LINES else [])
    out.append("详情请在企业微信应用中发送“查 编号”。")
    return "\n".join(out)


async def queue_digests(ctx: "AppContext", uow: "UnitOfWork") -> None:
    """A scheduler job: from the digest hour on, each group's digest of the day, once (the
    outbox key holds the date)."""
    local = uow.now.astimezone(ZoneInfo(ctx.settings.timezone))
    if local.hour < ctx.settings.digest_hour:
        return
    for group in ctx.registry.groups.values():
        if group.webhook_key:
            text = await build_digest(ctx, uow, group.id)
            await uow.push(Push(CHANNEL, group.id, text, kind="digest", key=f"digest:{group.id}:{local.date()}"))


class WeComRobotChannel(ChannelBase):
    name = CHANNEL

    def __init__(self, ctx: "AppContext"):
        self.ctx = ctx
        self.limits = Limits(ctx, "robot", ((60, ctx.settings.robot_per_minute),))
        self._own: WeComAPI | None = None

    def api(self) -> WeComAPI:
        shared = self.ctx.extras.get("wecom_api")
        if shared is None:
            self._own = self._own or WeComAPI(self.ctx)
            shared = self._own
        return shared

    async def stop(self) -> None:
        if self._own is not None:
            await self._own.close()

    async def deliver(self, push: Push) -> Delivery:
        group = self.ctx.registry.groups.get(push.user)
        if group is None or not group.webhook_key:
            return Delivery(Outcome.FAILED, "no such group or no webhook key")
        wait = await self.limits.admit(group.webhook_key)
        if wait is not None:
            return Delivery(Outcome.RETRY, "robot limit", retry_after=wait)
        try:
            data = await self.api().robot(group.webhook_key, push.text)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            return Delivery(Outcome.RETRY, type(exc).__name__)
        code = data.get("errcode", -1)
        if code == 0:
            return Delivery(Outcome.SENT)
        if code == 45009:
            return Delivery(Outcome.RETRY, "45009 robot limit", retry_after=60)
        if code in (93000, 93004):           # the key is wrong or the robot was removed
            return Delivery(Outcome.FAILED, f"{code} {data.get('errmsg', '')}")
        return Delivery(Outcome.RETRY, f"{code} {data.get('errmsg', '')}")
