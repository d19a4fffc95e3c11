"""Group robot digests (群机器人, push only): once a day, per town or village work group with
a webhook key in the registry, the new, overdue and red-card cases of its area in markdown.

No personal data: case numbers, types, places and days only — never names, phone numbers
or descriptions (a work group has more members than the case's assignees). Digests are
queued in the outbox (channel "wecom_robot", user = the group's id) like any push, and the
sender keeps within 20 posts a minute per robot."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy import and_, func, select

from adapters.base import ChannelBase
from adapters.wecom_app.api import WeComAPI
from adapters.wecom_app.limits import Limits
from bot.lifecycle import OPEN_STATUSES, status_name
from bot.message import Push
from bot.outbox import Delivery, Outcome
from nlp.reading import TYPE_NAMES
from storage import figures
from storage.lifecycle import PushKind
from storage.models import Case
from storage.outbox import OutboxStore
from storage.sql import dialect_of, in_values

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.uow import UnitOfWork

CHANNEL = "wecom_robot"
MAX_LINES = 15                    # per section: the markdown stays far under 4096 bytes


async def build_digest(ctx: "AppContext", uow: "UnitOfWork", group_id: str) -> str:
    """Overdue and red-card counts from the kept counts of the group's places (storage/figures.py),
    new cases counted in SQL, and the first lines of each section read in index order: the cost
    does not grow with the number of cases in the area."""
    reg, now = ctx.registry, uow.now
    group = reg.groups[group_id]
    session = await uow.session()
    area = sorted(reg.subtree(group.place))
    in_area = in_values(Case.place_code, area, dialect_of(session))
    is_open = Case.status.in_(OPEN_STATUSES)
    sections = {"new": and_(in_area, Case.created_at >= now - timedelta(days=1)),
                "late": and_(Case.overdue_since.is_not(None), in_area, is_open, Case.red_card_at.is_(None)),
                "red": and_(Case.red_card_at.is_not(None), Case.closed_at.is_(None), in_area, is_open)}
    kept = await figures.now_in(session, area)
    counts = {"new": int(await session.scalar(select(func.count()).select_from(Case).where(sections["new"])) or 0),
              "late": kept.late, "red": kept.carded_open}
    firsts = {name: (await session.execute(
        select(Case.number, Case.type, Case.place_code, Case.status, Case.result).where(where)
        .order_by(Case.id).limit(MAX_LINES))).all() if counts[name] else [] for name, where in sections.items()}
    kinds = (await session.execute(select(Case.type, func.count()).where(sections["new"]).group_by(Case.type))).all()
    day = now.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%Y年%m月%d日")

    def line(row) -> str:
        number, type_, place, status, result = row
        return f"> {number}｜{TYPE_NAMES.get(type_, type_)}｜{reg.name(place)}｜{status_name(status, result)}"

    out = [f"### {group.name} 矛盾纠纷日报（{day}）",
           f"新增 <font color=\"info\">{counts['new']}</font> 件，超期 <font color=\"warning\">{counts['late']}</font> 件，"
           f"红牌 <font color=\"warning\">{counts['red']}</font> 件"]
    if kinds:
        named: Counter = Counter()
        for t, n in sorted(kinds, key=lambda kn: (-kn[1], kn[0])):
            named[TYPE_NAMES.get(t, t)] += int(n)
        out.append("新增类型：" + "，".join(f"{k}{n}件" for k, n in named.most_common()))
    for title, name in (("**红牌督办**", "red"), ("**超期未办**", "late"), ("**新增案件**", "new")):
        if counts[name]:
            out.append(title)
            out += [line(r) for r in firsts[name]]
            if counts[name] > MAX_LINES:
                out.append(f"> 另有{counts[name] - MAX_LINES}件")
    out.append("详情请在企业微信应用中发送“查 编号”。")
    return "\n".join(out)


async def queue_digests(ctx: "AppContext", uow: "UnitOfWork") -> None:
    """A scheduler job: from the digest hour on, each group's digest of the day, once. The
    outbox key holds the date; a digest already queued today is not built again."""
    local = uow.now.astimezone(ZoneInfo(ctx.settings.timezone))
    if local.hour < ctx.settings.digest_hour:
        return
    keys = {f"digest:{g.id}:{local.date()}": g for g in ctx.registry.groups.values() if g.webhook_key}
    if not keys:
        return
    done = await OutboxStore(await uow.session()).existing_keys(sorted(keys))
    for key, group in keys.items():
        if key not in done:
            text = await build_digest(ctx, uow, group.id)
            await uow.push(Push(CHANNEL, group.id, text, kind=PushKind.DIGEST, key=key))


class WeComRobotChannel(ChannelBase):
    name = CHANNEL

    def __init__(self, ctx: "AppContext", api: WeComAPI | None = None):
        self.ctx = ctx
        self.limits = Limits(ctx, "robot", ((60, ctx.settings.robot_per_minute),))
        self._shared = api               # the WeCom app's client (one access token for both)
        self._own: WeComAPI | None = None

    def api(self) -> WeComAPI:
        if self._shared is not None:
            return self._shared
        self._own = self._own or WeComAPI(self.ctx)
        return self._own

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
        except (TimeoutError, aiohttp.ClientError) as exc:
            return Delivery(Outcome.RETRY, type(exc).__name__)
        code = data.get("errcode", -1)
        if code == 0:
            return Delivery(Outcome.SENT)
        if code == 45009:
            return Delivery(Outcome.RETRY, "45009 robot limit", retry_after=60)
        if code in (93000, 93004):           # the key is wrong or the robot was removed
            return Delivery(Outcome.FAILED, f"{code} {data.get('errmsg', '')}")
        return Delivery(Outcome.RETRY, f"{code} {data.get('errmsg', '')}")
