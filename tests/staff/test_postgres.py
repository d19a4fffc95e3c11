"""The staff side on PostgreSQL too: routing, commands with row locks, clocks, restart."""
from __future__ import annotations

import pytest

from bot import clocks
from bot.scheduler import Scheduler
from jiefen.testing import TestBot, make_context
from tests.staff.conftest import WECOM
from tests.staff.helpers import case_of, neighbour_reports, outbox, report, staff_bot


@pytest.fixture
async def pg_ctx(tmp_path, clock, postgres_server):
    import asyncpg
    name = f"s{tmp_path.name[-20:].replace('-', '_').lower()}"
    conn = await asyncpg.connect(f"postgresql://jiefen@127.0.0.1:{postgres_server.port}/postgres")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    ctx = await make_context(tmp_path, clock=clock, database_url=f"postgresql+asyncpg://jiefen@127.0.0.1:"
                             f"{postgres_server.port}/{name}", **WECOM)
    yield ctx
    await ctx.close()


async def test_a_case_from_report_to_red_card_on_postgres(pg_ctx, clock):
    ctx = pg_ctx
    bot = TestBot(ctx)
    number = await report(bot, "我是石桥村的老板拖欠我三个月工资一直不给电话13812345678")
    case = await case_of(ctx, number)
    assert case.assignees == ["gw-shiqiao", "com-labour"] and case.status == "dispatched"
    assert "不在您的办理范围" in await staff_bot(ctx, "LiHongMei").last(f"接单 {number}")
    assert "已接单" in await staff_bot(ctx, "WuLiXin").last(f"接单 {number}")
    clock.set(clocks.add_working_days(case.assigned_at, 15, "Asia/Shanghai"))
    assert await Scheduler(ctx).run_once()
    case = await case_of(ctx, number)
    assert (case.status, case.level, case.assignees) == ("escalated", "town", ["med-dx", "com-labour"])
    assert {"GaoZhenHua", "QSCentre", "ZhaoXiaoYan", "WuLiXin"} <= \
        {r.user for r in await outbox(ctx, "wecom_app") if "红牌" in r.text}


async def test_what_postgres_refused_before_is_kept_now(pg_ctx):
    """A NUL or a lone surrogate made the store fail (and keeping the failed message failed
    too); 我的案子怎么样了 without a number always failed (DISTINCT over JSON columns)."""
    ctx = pg_ctx
    bot = TestBot(ctx)
    number = await report(bot, "我是柳林村的\x00，楼上老刘家\ud83d天天半夜拖椅子，电话13812345678")
    assert "\x00" not in (await case_of(ctx, number)).description
    neighbour, joined = await neighbour_reports(ctx, number, channel=bot.channel)
    assert number in joined
    assert number in await neighbour.last("我的案子怎么样了")
    assert number in await bot.last("查询")
