"""The mediation record on PostgreSQL: migration 0012, the invitation taken once when two chats
race for it, agreement numbers, the clocks and the figures' queries."""
from __future__ import annotations

import asyncio
import re

from bot.mediation import run_timers
from jiefen.testing import TestBot
from storage.lifecycle import EventKind
from storage.mediation import mediation_figures
from tests.staff.helpers import case_of, events_of, report, staff_bot
from tests.staff.test_postgres import pg_ctx  # noqa: F401  (fixture)


async def test_mediation_on_postgres(pg_ctx, clock):
    ctx = pg_ctx
    number = await report(TestBot(ctx))
    staff = staff_bot(ctx, "LiHongMei")
    await staff.say(f"接单 {number}")
    token = re.search(r"invite=([A-Z0-9]{10})", await staff.last(f"邀请 {number} 王强 13900001111")).group(1)
    a, b = TestBot(ctx, user="racer-a"), TestBot(ctx, user="racer-b")
    answers = await asyncio.gather(a.last(f"邀请码 {token}"), b.last(f"邀请码 {token}"))
    assert sum(number in x for x in answers) == 1 and sum("已经使用过" in x for x in answers) == 1
    assert len(await events_of(ctx, number, EventKind.PARTY_JOINED)) == 1
    reply = await staff.last(f"协议 {number} 事实：楼上夜间拖椅子 内容：加静音垫 金额：1.2万元 履行期限：2个工作日")
    assert "〔2026〕001号" in reply and "申请人的姓名未登记" in reply       # the report left no name
    clock.advance(days=20)
    async with ctx.uow() as uow:
        assert await run_timers(ctx, uow) >= 2        # performance reminder and notice, the follow-up task
    assert "重新进入调解" in await staff.last(f"回访 {number} 未履行 不满意 风险 又吵起来了")
    async with ctx.db.session() as s:
        f = await mediation_figures(s)
    assert (f.agreements, f.amount_yuan, f.overdue, f.follow_ups_reopened) == (1, 12000.0, 1, 1)
    assert (await case_of(ctx, number)).status == "mediating"
