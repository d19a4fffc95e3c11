"""How a concluded case ended: settled (化解), a mediation ended without settlement (终止), or
a report the resident withdrew (撤回). Only a settled case counts as 化解 in the figures; the
others are concluded and counted apart, and the resident hears what each means."""
from __future__ import annotations

from datetime import timedelta

from bot.case_actions import Action
from storage import figures
from tests.staff.helpers import case_of, events_of, outbox, report, staff_bot


async def totals(ctx):
    today = ctx.clock.now().date()
    async with ctx.db.session() as s:
        return (await figures.read_figures(s, today - timedelta(days=1), today + timedelta(days=1))).total


async def resident_pushes(ctx):
    return [p.text for p in await outbox(ctx, "test")]


async def test_a_mediation_ended_is_concluded_not_settled(bot, ctx):
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    reply = await li.last(f"终止 {number} 对方不同意调解")
    assert "已终止调解" in reply and "未化解" in reply, reply
    case = await case_of(ctx, number)
    assert (case.status, case.result) == ("resolved", "ended")
    [ended] = [t for t in await resident_pushes(ctx) if "终止调解" in t]
    # the other routes, and a score asked for the service, not "没解决" (nothing to reopen)
    assert "对方不同意调解" in ended and "起诉" in ended and "12348" in ended, ended
    assert "1-5" in ended and "没解决" not in ended and "化解" not in ended, ended
    t = await totals(ctx)
    assert (t.cases, t.resolved, t.unsettled, t.success_rate) == (1, 0, 1, 0.0)
    # the staff's 查 says how it ended
    assert "调解终止（未化解）" in await li.last(f"查 {number}")
    # rated: archived, still not settled
    assert "感谢" in await bot.last("4")
    case = await case_of(ctx, number)
    assert (case.status, case.result, case.satisfaction) == ("closed", "ended", 4)
    t = await totals(ctx)
    assert (t.resolved, t.unsettled, t.closed) == (0, 1, 1)


async def test_a_withdrawn_report_is_archived_and_counted_apart(bot, ctx):
    number = await report(bot)
    assert "撤回" in await bot.last("不用处理了，我想撤回")
    # the staff are told how to conclude it once they have called back
    [asked] = [p for p in await outbox(ctx, "wecom_app") if "群众申请撤回" in p.text]
    assert f"撤回 {number}" in asked.text
    li = staff_bot(ctx, "LiHongMei")
    assert "已撤回并归档" in await li.last(f"撤回 {number} 已电话确认，双方已自行和解")
    case = await case_of(ctx, number)
    assert (case.status, case.result) == ("closed", "withdrawn")
    assert any("已按您的申请撤回" in t for t in await resident_pushes(ctx))
    t = await totals(ctx)
    assert (t.resolved, t.unsettled, t.open) == (0, 1, 0)
    # nothing left to withdraw or end
    assert "不能撤回" in await li.last(f"撤回 {number}")
    assert "不能终止" in await li.last(f"终止 {number} 对方不同意")


async def test_settled_cases_alone_make_the_success_rate_and_a_rebuild_agrees(bot, ctx):
    from jiefen.testing import TestBot
    li = staff_bot(ctx, "LiHongMei")
    numbers, residents = [], []
    for i, text in enumerate(("我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678",
                              "我是柳林村的，老板欠我三个月工资八千块不给，电话13900002222",
                              "我是柳林村的，隔壁家的狗天天夜里叫，电话13700003333")):
        residents.append(TestBot(ctx, channel="test", user=f"resident-{i}"))
        numbers.append(await report(residents[-1], text))
    await li.say(f"办结 {numbers[0]} 双方和解，楼上晚上十点后不再拖椅子")
    await li.say(f"终止 {numbers[1]} 老板不同意调解，已告知可以申请劳动仲裁")
    before = await totals(ctx)
    assert (before.cases, before.resolved, before.unsettled, before.success_rate) == (3, 1, 1, round(1 / 3, 4))
    await figures.rebuild(ctx.db)
    assert await totals(ctx) == before
    # reopened ("没解决" after 办结): neither settled nor concluded any more
    assert "重新进入调解" in await residents[0].last("没解决，还是天天拖")
    assert (await case_of(ctx, numbers[0])).result is None
    after = await totals(ctx)
    assert (after.resolved, after.unsettled) == (0, 1)


async def test_a_refusal_points_the_mediator_to_ending_the_mediation(bot, ctx):
    from bot.mediation.common import refused_by
    from storage.lifecycle import Consent, PartyRole
    from storage.mediation import MediationStore
    number = await report(bot)
    async with ctx.uow() as uow:
        case = await (await uow.cases()).get(number)
        store = MediationStore(await uow.session(), now=ctx.clock.now())
        party = await store.add_party(case.id, PartyRole.RESPONDENT, name="刘某", contact="13911112222")
        party.consent = Consent.REFUSED
        said = await refused_by(uow, case)
    assert f"终止 {number}" in said and "未化解" not in said, said


async def test_the_ledger_and_the_centre_see_how_it_ended(bot, ctx):
    number = await report(bot)
    await staff_bot(ctx, "LiHongMei").say(f"终止 {number} 双方分歧太大")
    [status] = [e for e in await events_of(ctx, number, "status") if e.data.get("after") == "resolved"]
    assert status.data["result"] == "ended" and status.data["outcome"] == "双方分歧太大"
    from bot.lifecycle import status_name
    assert status_name("resolved", "ended") == "调解终止（未化解）"
    assert status_name("resolved", "settled") == status_name("resolved") == "已化解"
    assert Action.END.value == "end"


async def test_not_settled_said_of_an_archived_case_reaches_its_people(bot, ctx):
    """A trial: "JF… 没解决，楼上又开始半夜拖椅子了" on an archived case got a status line, and
    nobody heard."""
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    await li.say(f"办结 {number} 双方和解")
    await bot.say("5")
    assert (await case_of(ctx, number)).status == "closed"
    before = len(await outbox(ctx, "wecom_app"))
    reply = await bot.last(f"{number} 没解决，楼上又开始半夜拖椅子了")
    assert "转给" in reply and number in reply, reply
    told = [p for p in (await outbox(ctx, "wecom_app"))[before:] if p.user == "LiHongMei"]
    assert told and "又开始半夜拖椅子" in told[0].text, [p.text for p in told]
    assert "仍未解决" in (await case_of(ctx, number)).description


async def test_a_rating_after_the_archive_counts_and_a_low_one_is_looked_into(bot, ctx):
    """A trial: the centre archived a case (回访归档) before its resident answered "5", which was
    then answered "只能帮您反映纠纷" and lost; a 1 archived the case with nobody told."""
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    await li.say(f"办结 {number} 双方和解")
    await staff_bot(ctx, "QSCentre").say(f"回访 {number} 已履行 满意 无风险")
    from bot.case_actions import Action, Actor, perform
    async with ctx.uow() as uow:
        case = await (await uow.cases()).get_for_update(number)
        await perform(ctx, uow, Actor(ctx.registry.staff["centre-qs"], via="console"), case, Action.CLOSE, "已回访")
    assert (await case_of(ctx, number)).status == "closed"
    reply = await bot.last("5")
    assert "感谢您的评价（5分）" in reply, reply
    assert (await case_of(ctx, number)).satisfaction == 5

    other = await report(bot, "我是柳林村的，隔壁的狗天天夜里叫，电话13812345678")
    await li.say(f"接单 {other}")
    await li.say(f"办结 {other} 已劝说")
    before = len(await outbox(ctx, "wecom_app"))
    assert "1分" in await bot.last("1")
    low = [p for p in (await outbox(ctx, "wecom_app"))[before:] if "低分评价" in p.text]
    assert {p.user for p in low} >= {"LiHongMei"}, [p.text for p in low]


async def test_the_residents_query_of_a_concluded_case_says_how_it_ended(bot, ctx):
    """A newcomer's 查询 after 办结 showed an older progress note, and after 终止 a meeting that
    would not take place, without the result or where else to go."""
    ended = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {ended}")
    await li.say(f"约谈 {ended} 明天上午9点 村委会")
    await li.say(f"进展 {ended} 已电话联系对方")
    await li.say(f"终止 {ended} 对方不同意调解")
    reply = await bot.last(f"查询 {ended}")
    assert "调解终止" in reply and "对方不同意调解" in reply and "12348" in reply, reply
    assert "约谈" not in reply and "已电话联系对方" not in reply, reply
    # a settled case shows its result: test_commands.py's test_after_the_result_the_residents_status_shows_the_result


async def test_after_an_ended_mediation_the_residents_dismay_is_answered_and_the_score_still_taken(bot, ctx):
    """A newcomer's "这就完了啊 钱还是没拿到 我找谁去" after 终止 began a new report (the place
    question), and their "1" then answered that question; a 1 was archived with nothing said."""
    number = await report(bot, "我在杏花村工地干了三个月 老板欠我八千块工资不给 电话13812340000")
    sun = staff_bot(ctx, "SunHai")
    await sun.say(f"接单 {number}")
    await sun.say(f"终止 {number} 老板不同意调解")
    reply = await bot.last("这就完了啊 钱还是没拿到 我找谁去")
    assert "哪个村" not in reply and "仲裁" in reply and "12348" in reply and "1-5" in reply, reply
    told = [r for r in await outbox(ctx) if r.user == "SunHai" and "钱还是没拿到" in r.text]
    assert told and number in told[0].text, [r.text for r in await outbox(ctx) if r.user == "SunHai"]
    reply = await bot.last("1")
    assert "1分" in reply and "回访" in reply, reply
    assert (await case_of(ctx, number)).satisfaction == 1


async def test_still_not_there_after_a_settlement_reopens_it(bot, ctx):
    number = await report(bot, "我在杏花村工地干了三个月 老板欠我八千块工资不给 电话13812340000")
    sun = staff_bot(ctx, "SunHai")
    await sun.say(f"接单 {number}")
    await sun.say(f"办结 {number} 老板答应月底前付清")
    reply = await bot.last("钱还是没拿到")
    assert "重新进入调解" in reply, reply
    assert (await case_of(ctx, number)).status == "mediating"
