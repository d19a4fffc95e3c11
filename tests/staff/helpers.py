"""Small helpers shared by the staff-side tests: read cases, ledger and outbox back."""
from __future__ import annotations

from sqlalchemy import select

from jiefen.testing import TestBot
from storage.cases import CaseStore
from storage.models import OutboxItem


async def case_of(ctx, number):
    async with ctx.db.session() as s:
        return await CaseStore(s, now=ctx.clock.now()).get(number)


async def events_of(ctx, number, kind=None):
    async with ctx.db.session() as s:
        store = CaseStore(s, now=ctx.clock.now())
        events = list(await store.events(await store.get(number)))
    return [e for e in events if kind is None or e.kind == kind]


async def outbox(ctx, channel=None):
    async with ctx.db.session() as s:
        rows = (await s.scalars(select(OutboxItem).order_by(OutboxItem.id))).all()
    return [r for r in rows if channel is None or r.channel == channel]


_STAFF_BOTS: dict[int, dict[str, TestBot]] = {}     # per test context (a test's own bookkeeping)


def staff_bot(ctx, user) -> TestBot:
    """A staff member typing into the WeCom app (channel wecom_app) without the crypto.
    One bot per user, so message ids do not repeat (the dedupe would answer from memory)."""
    bots = _STAFF_BOTS.setdefault(id(ctx), {})
    if user not in bots:
        bots[user] = TestBot(ctx, channel="wecom_app", user=user)
        bots[user]._ids = iter(range(1000 * (len(bots) + 1), 1000 * (len(bots) + 2)))
    return bots[user]


async def report(bot, text="我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678") -> str:
    """A resident reports a dispute and confirms; returns the case number."""
    reply = await bot.last(text)
    if "请核对" not in reply and "对方是谁" in reply:
        reply = await bot.last("跳过")
    reply = await bot.last("确认")
    import re
    return re.search(r"JF\d{6}-\d{3}", reply).group(0)


# two residents about one upstairs flat: "楼上" alone would be two households (nlp.duplicates)
SAME_UPSTAIRS = ("我是柳林村的，楼上老刘家天天半夜拖椅子，电话13812345678",
                 "我住柳林村，楼上老刘家每天半夜拖椅子吵得睡不着，电话13900001111")


async def neighbour_reports(ctx, number, channel="test"):
    """A second resident reports the dispute of case `number` (opened with SAME_UPSTAIRS[0]):
    (their bot, the answer)."""
    neighbour = TestBot(ctx, channel=channel, user="resident-2")
    neighbour._ids = iter(range(500, 600))
    joined = await neighbour.last(SAME_UPSTAIRS[1])
    if number not in joined:
        joined = await neighbour.last("确认")
    return neighbour, joined
