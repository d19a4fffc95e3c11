"""Group robot digests: per work group, markdown, no personal data, ≤ 20 posts a minute per robot."""
from __future__ import annotations

import pytest

from adapters.wecom_robot import build_digest, queue_digests
from bot import clocks
from bot.message import Push
from bot.scheduler import Scheduler
from tests.staff.helpers import outbox, report


@pytest.fixture
def ctx(wired_ctx):          # these tests reach the fake WeCom API on loopback
    return wired_ctx


async def test_the_daily_digest_of_a_village_group_has_no_personal_data(client, bot, ctx, clock, fake_wecom):
    number = await report(bot)          # 柳林村, phone 13812345678, "楼上那家天天半夜拖椅子"
    other = await report(bot, "我是南湖社区的，物业乱收停车费，电话13912345678")
    clock.advance(hours=1)
    await Scheduler(ctx, jobs=[queue_digests]).run_once()     # 10:00 local, after the digest hour
    while await ctx.outbox.run_once():
        pass
    [liulin] = fake_wecom.robot_posts("demo-key-liulin")
    text = liulin["markdown"]["content"]
    assert liulin["msgtype"] == "markdown" and "柳林村网格工作群" in text and number in text
    assert other not in text                                    # another town's case stays out
    assert "1381234" not in text and "拖椅子" not in text and "李红梅" not in text
    [town] = fake_wecom.robot_posts("demo-key-dongxi")
    assert number in town["markdown"]["content"]               # the town group sees its villages
    assert other in fake_wecom.robot_posts("demo-key-nanhu")[0]["markdown"]["content"]
    await Scheduler(ctx, jobs=[queue_digests]).run_once()     # once a day
    while await ctx.outbox.run_once():
        pass
    assert len(fake_wecom.robot_posts("demo-key-liulin")) == 1


async def test_overdue_and_red_card_cases_are_listed(bot, ctx, clock):
    number = await report(bot)
    case_assigned = clock.now()
    clock.set(clocks.add_working_days(case_assigned, 15, "Asia/Shanghai"))
    await Scheduler(ctx).run_once()                           # red card → escalated to the town
    async with ctx.uow() as uow:
        text = await build_digest(ctx, uow, "grp-dx-town")
    assert "红牌 <font color=\"warning\">1</font>" in text and number in text.split("**红牌督办**")[1]


async def test_at_most_20_posts_a_minute_per_robot(client, ctx, clock, fake_wecom):
    async with ctx.uow() as uow:
        for n in range(25):
            await uow.push(Push("wecom_robot", "grp-liulin", f"第{n}条", kind="digest", key=f"d{n}"))
        await uow.push(Push("wecom_robot", "grp-taoyuan", "桃源", kind="digest", key="t"))
    while await ctx.outbox.run_once():
        pass
    assert len(fake_wecom.robot_posts("demo-key-liulin")) == 20
    assert len(fake_wecom.robot_posts("demo-key-taoyuan")) == 1
    clock.advance(minutes=1, seconds=1)
    while await ctx.outbox.run_once():
        pass
    assert len(fake_wecom.robot_posts("demo-key-liulin")) == 25
    assert {r.status for r in await outbox(ctx, "wecom_robot")} == {"sent"}
