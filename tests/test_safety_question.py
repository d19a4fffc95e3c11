"""The safety question (issue 10, item 4): a learned score alone never wakes the leader on
duty. When the reading is unsure whether someone is in danger, the resident is asked once;
"yes" alerts at once, "no" goes on with the intake, and a question nobody answered puts the
case on the centre's attention list."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from handlers import texts
from handlers.attention import open_silent_reports
from handlers.safety import IN_DANGER, UNANSWERED, safety_answer
from storage.cases import CaseStore
from storage.models import CaseEvent

# vague threats: the kind of text a learned score is unsure about (no rule reason of its own)
VAGUE = ["那人说要找我算账", "他说要让我好看", "他们说晚上再来找我", "他放话说不会放过我家", "那家人说要让我们付出代价"]


@pytest.fixture
def unsure(ctx):
    """A text this model asks about; the contract says there is one (a vague threat)."""
    for text in VAGUE:
        r = ctx.nlp.read(text)
        if r.ask_safety and r.risk != "red":
            return text
    pytest.fail("no vague threat makes the reading ask the safety question: the nlp contract is broken")


@pytest.mark.parametrize("text, answer", [
    ("有", True), ("有，他拿着棍子在门口", True), ("有人受伤了", True), ("救命", True), ("快来人，正在打", True), ("是的", True),
    ("没有", False), ("没事", False), ("暂时没有", False), ("都安全", False), ("没有人受伤", False),
    ("我不知道 你们快来", True), ("嗯 有点怕", True), ("赶紧派人来吧", True), ("我好害怕", True),
    ("他家狗又叫了", None), ("我是柳林村的", None), ("13812345678", None), ("俺也说不好 他这两天不吭声", None),
    ("不怕", None),
    # a "no" with the rest of the story after it (a trial got "先回答这一个问题好吗" for each, and
    # read "没有人受伤 是鱼死了" as yes: a red case for dead fish)
    ("那倒没有", False), ("不至于", False), ("没那么严重 就是吵", False), ("没有，没人被打", False),
    ("没有危险，就是鸡死了两只", False), ("人没事 墙倒了", False), ("没有 就是脏", False),
    ("没有人受伤 是鱼死了", False), ("没有人受伤 就是吓死我了", False), ("人倒是没事，车被砸了", False),
    ("暂时还没有，他走了", False), ("我们都没事", False), ("没拿刀 就是骂人", False),
    # … unless the rest tells of danger now
    ("我说的是砍树 不是砍人 你们紧张啥", False),
    ("没有人受伤，但他还拿着刀在门口", True), ("没有 不过他说今晚要弄死我", True), ("现在没事 他还在门口闹", True),
])
def test_safety_answers(text, answer):
    assert safety_answer(text) is answer


async def cases(ctx):
    async with ctx.db.session() as s:
        return list(await CaseStore(s, now=ctx.clock.now()).list())


async def test_yes_makes_it_red_at_once(bot, ctx, unsure):
    reply = await bot.last(unsure)
    assert texts.SAFETY_QUESTION in reply and not await cases(ctx)       # asked; nobody woken yet
    reply = await bot.last("有，他拿着棍子在门口")
    [case] = await cases(ctx)
    assert case.risk == "red" and IN_DANGER in case.risk_reasons and case.number in reply and "110" in reply


# despair in few words: a reading unsure of them asks, and asks with care
DESPAIR = ["我想一了百了", "有时候觉得活着好累", "我想死", "活着没劲透了"]


@pytest.fixture
def unsure_despair(ctx):
    for text in DESPAIR:
        r = ctx.nlp.read(text)
        if r.ask_safety and r.risk != "red" and texts.has_reason(r.risk_reasons, "self_harm"):
            return text
    pytest.skip("this model reads every despair text red: nothing to ask about")


async def test_despair_is_asked_with_care_and_yes_wakes_the_leader(bot, ctx, unsure_despair):
    reply = await bot.last(unsure_despair)
    assert texts.SAFETY_QUESTION_SELF_HARM in reply and "有没有人受伤" not in reply and not await cases(ctx)
    reply = await bot.last("有")
    [case] = await cases(ctx)
    assert case.risk == "red" and IN_DANGER in case.risk_reasons and case.number in reply


async def test_no_goes_on_with_the_intake(bot, ctx, unsure):
    await bot.say(unsure)
    reply = await bot.last("没有")
    assert reply.startswith(texts.SAFETY_NOTED) and texts.SAFETY_QUESTION not in reply
    assert not await cases(ctx)


async def test_a_question_passed_over_flags_the_case_for_the_centre(bot, ctx, unsure):
    await bot.say(unsure)
    reply = await bot.last("我是柳林村的，他是隔壁老张，电话13812345678")       # goes on without answering
    for _ in range(3):
        reply = await bot.last("跳过" if "对方是谁" in reply else "确认")
        if "已受理" in reply:
            break
    [case] = await cases(ctx)
    assert case.risk != "red"                                              # no leader woken
    async with ctx.db.session() as s:
        [attention] = (await s.scalars(select(CaseEvent).where(CaseEvent.kind == "attention"))).all()
    assert attention.data["reason"] == UNANSWERED


async def test_a_silent_resident_becomes_a_case_for_the_centre(bot, ctx, unsure):
    await bot.say(unsure)
    assert await open_silent_reports(ctx) == 0                             # not yet: they may answer
    ctx.clock.advance(minutes=ctx.settings.draft_ttl_minutes + 1)
    assert await open_silent_reports(ctx) == 1
    [case] = await cases(ctx)
    assert case.risk != "red" and case.description == unsure
    async with ctx.db.session() as s:
        kinds = [e.kind for e in (await s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))).all()]
    assert "attention" in kinds and "message_in" in kinds
    assert case.number in "\n".join(await bot.deliver_pushes())            # and the resident is told
    assert await open_silent_reports(ctx) == 0                             # once


@pytest.mark.parametrize("then", ["算了 说了也没用", "算了不报了"])
async def test_giving_up_after_an_urgent_report_is_heard_and_answered_with_help(bot, ctx, then):
    """A trial wrote "我已经把农药买好了 大不了跟他们同归于尽" (a red case, the help line), then
    "算了 说了也没用", and got "好的。案件…仍在办理中" — the words of someone giving up, answered as
    a form. They reach the case's people, and the person hears again that someone will call and
    where help is now."""
    await bot.say("我是柳林村的 我已经把农药买好了 大不了跟他们同归于尽")
    reply = await bot.last(then)
    assert "12356" in reply and ("110" in reply or "120" in reply), reply
    number = re.search(r"JF\d{6}-\d{3}", reply).group(0)
    async with ctx.db.session() as s:
        from storage.cases import CaseStore
        case = await CaseStore(s, now=ctx.clock.now()).get(number)
    assert then in case.description


async def test_a_phone_sent_instead_of_the_answer_is_kept_and_the_question_asked_again(bot, ctx, unsure):
    """A trial answered the safety question with a phone number: the question was dropped
    without a word."""
    reply = await bot.last(unsure)
    assert texts.SAFETY_QUESTION in reply
    reply = await bot.last("13900001111")
    assert "139****1111" in reply and "有没有人受伤" in reply, reply
    reply = await bot.last("没有")
    assert "有没有人受伤" not in reply


async def test_a_place_sent_instead_of_the_answer_is_kept_and_the_question_asked_again(bot, ctx, unsure):
    """"柳林村" to the safety question was taken as the story going on: the question was never
    asked again (a pregnant woman pushed by her mother-in-law, her case opened yellow)."""
    reply = await bot.last(unsure)
    assert texts.SAFETY_QUESTION in reply
    reply = await bot.last("柳林村")
    assert "地点记下了" in reply and "有没有人受伤" in reply, reply
    reply = await bot.last("有")
    number = re.search(r"JF\d{6}-\d{3}", reply).group(0)
    [case] = [c for c in await cases(ctx) if c.number == number]
    assert (case.risk, case.place_code) == ("red", "DX01")


async def test_words_about_something_else_get_the_question_once_more(bot, ctx, unsure):
    """A trial answered the safety question with "我今天去菜市场买了点肉": it joined the story,
    which then read as a red 消费纠纷."""
    await bot.say(unsure)
    reply = await bot.last("我今天去菜市场买了点肉")
    assert "有没有人受伤" in reply and "紧急" not in reply, reply
    reply = await bot.last("没有")
    assert "有没有人受伤" not in reply and "紧急" not in reply, reply


async def test_someone_hiding_hears_how_to_call_for_help_without_a_voice(bot, ctx):
    """A trial: "我躲在厕所里 不敢出声" after a red report got "已补充到案件…工作人员正在处理", and the
    phone was never asked again."""
    await bot.say("我是杏花村的 我老公喝了酒又把门反锁了 在屋里磨刀 说今晚要跟我们娘俩一起走")
    reply = await bot.last("我躲在厕所里 不敢出声")
    assert "12110" in reply and "短信" in reply, reply
    reply = await bot.last("13900001111")
    assert "139****1111" in reply or "电话" in reply, reply


async def test_someone_hiding_who_must_not_be_called_is_not_asked_for_a_number_to_call(bot, ctx):
    """A trial: "我躲在厕所里" then "别打电话 他会听到 只能发消息" was asked twice more for "一个能
    马上打通的电话", and "138… 千万别打" was answered "工作人员会尽快联系您"."""
    reply = await bot.last("我老公喝了酒又打我 现在还在砸门 我躲在厕所里")
    assert "12110" in reply, reply
    reply = await bot.last("南湖社区5栋")
    assert "马上打通" not in reply, reply
    reply = await bot.last("13800001111 千万别打")
    assert "138****1111" in reply and "不直接打这个电话" in reply, reply
    reply = await bot.last("别打电话 他会听到 只能发消息", user="resident-3")
    assert "马上打通" not in reply


async def test_a_number_given_with_do_not_call_is_kept_and_nobody_promises_to_call(bot, ctx):
    """The check of the trial's fixes: "13800003333 别给我打电话 他会查手机" was answered "会打电话
    联系您" and the number dropped; a number sent after "不要打电话" was told "经办人会打这个电话"."""
    await bot.say("他又打我了 孩子也被打了 我们在柳林村")
    reply = await bot.last("13800003333 别给我打电话 他会查手机")
    assert "138****3333" in reply and "不直接打这个电话" in reply and "会打电话联系您" not in reply, reply
    await bot.say("我老公又动手打我了 我在南湖社区3栋", user="resident-4")
    await bot.say("不要打电话 发短信就行", user="resident-4")
    reply = await bot.last("13800002222", user="resident-4")
    assert "138****2222" in reply and "会打这个电话" not in reply, reply


async def test_danger_told_later_in_the_intake_still_asks_or_alerts(bot, ctx, unsure):
    await bot.say("我是石桥村的，隔壁天天把鸡放到我家菜地里来吃菜，说了好多回都不听")
    reply = await bot.last(unsure)
    assert "有没有人受伤" in reply or "情况紧急" in reply, reply


@pytest.mark.parametrize("ack", ["要得", "好的", "嗯嗯"])
async def test_an_acknowledgement_twice_is_no_answer_and_no_part_of_the_story(bot, ctx, unsure, ack):
    """A trial's "要得" (Sichuanese "OK") after the question came back was pasted into the story."""
    await bot.say(f"我是柳林村的，{unsure}")
    await bot.say("跳过")
    reply = await bot.last(ack)
    assert "有没有人受伤" not in reply, reply
    for said in ("13812345678", "跳过"):
        reply = await bot.last(said)
        if "请核对" in reply:
            break
    assert "请核对" in reply and f"；{ack}" not in reply, reply


@pytest.mark.parametrize("said, meant", [("不是不是 没有危险 我就是口头禅 别通知领导", False), ("不是 他拿着刀在门口", None)])
def test_a_no_that_opens_with_bu_shi(said, meant):
    """A re-check (res6): "不是不是 没有危险…" was asked the question again and again."""
    from handlers.safety import safety_answer
    assert safety_answer(said) is meant or (meant is None and safety_answer(said) is not False)


@pytest.mark.parametrize("said", ["口头禅而已 没事", "不是 别通知领导", "就是随口说说的", "开玩笑的 没那么严重", "气话 别当真"])
def test_a_figure_of_speech_or_dont_alert_is_a_no(said):
    """A re-check (res6): these were asked the question again."""
    from handlers.safety import safety_answer
    assert safety_answer(said) is False


@pytest.mark.parametrize("said", ["口头禅 但他现在拿着刀在门口", "不是 别通知领导 他已经在砸门了"])
def test_danger_after_a_figure_of_speech_is_still_danger(said):
    from handlers.safety import safety_answer
    assert safety_answer(said) is True


async def test_one_who_will_not_answer_is_not_asked_again(bot, ctx):
    """A re-check (res6): '不想说 你们别管我' got '先回答这一个问题好吗'."""
    reply = await bot.last("救命啊 这物业太坑了 南湖社区")
    assert "有没有人受伤" in reply
    reply = await bot.last("不想说 你们别管我")
    assert "先回答这一个问题" not in reply and "有没有人受伤" not in reply, reply


@pytest.mark.parametrize("cry, no", [("救命 楼上又在装修 新华社区", "没危险 就是烦"),
                                     ("救命啊 楼下烧烤店油烟太大了 南湖社区", "没有 就是油烟")])
async def test_an_exclamation_beside_a_noise_complaint_is_asked_and_no_is_believed(bot, ctx, cry, no):
    """A re-check (res7, res8): these opened a red case at once, and '没危险' left it red."""
    reply = await bot.last(cry)
    assert "有没有人受伤" in reply and "紧急" not in reply, reply
    reply = await bot.last(no)
    assert "紧急" not in reply, reply


async def test_a_phone_with_a_caution_at_the_safety_question_is_kept_and_the_question_asked_again(bot, ctx):
    """A re-check (res9): '139… 只能发短信 别打电话' to the safety question after '男人天天打我' dropped
    the question without a word and pasted the caution into the story."""
    await bot.say("我是柳林村的 男人天天打我")
    reply = await bot.last("13912348341 只能发短信 别打电话")
    assert "139****8341" in reply and "只能发短信" in reply and "有没有人受伤" in reply, reply


async def test_what_is_said_after_no_to_the_safety_question_is_kept(bot, ctx):
    """res10: "没有，但我说到做到" to the safety question lost "但我说到做到": neither the summary
    nor the case had it. The "no" answers; the rest is the story."""
    reply = await bot.last("我是柳林村的 我老公老是喝酒回来砸东西")
    assert "有没有人受伤" in reply, reply
    reply = await bot.last("没有，但是他说今晚还要回来收拾我")
    assert "有没有人受伤" not in reply, reply
    for answer in ("13811112222", "跳过", "确认"):
        reply = await bot.last(answer)
        if "JF" in reply:
            break
    from sqlalchemy import select

    from storage.models import Case
    async with ctx.db.session() as s:
        case = (await s.execute(select(Case))).scalars().one()
    assert "今晚还要回来收拾我" in case.description, case.description


async def test_a_pasted_headline_then_what_the_resident_saw(bot, ctx):
    # the headline alone is asked about; the resident's next message (its own red cue, told
    # without 我) is not read as part of the news story in the joined draft
    reply = await bot.last("研究生因论文压力跳楼身亡 遗书称对不起父母")
    assert texts.SAFETY_QUESTION in reply and not await cases(ctx)
    reply = await bot.last("隔壁老张拿着菜刀在楼道里转")
    [case] = await cases(ctx)
    assert case.risk == "red" and case.number in reply
    assert "暴力或暴力威胁：“拿着菜刀”" in case.risk_reasons
    # the help line is for the writer's own distress, not for a story in the news
    assert "12356" not in reply and "心理" not in reply, reply


async def test_a_do_not_call_number_at_the_safety_question_is_acknowledged_and_not_promised_a_call(bot, ctx):
    """Session 52's CI: "13800003333 别给我打电话 他会查手机" sent to the safety question was not seen
    as a phone with a caution (the caution was looked for with 我, 电话 and 手机 stripped out), so
    it went into the story and the number was never acknowledged."""
    reply = await bot.last("我是柳林村的 男人天天打我")
    assert "有没有人受伤" in reply, reply
    reply = await bot.last("13800003333 别给我打电话 他会查手机")
    assert "138****3333" in reply and "不直接打这个电话" in reply and "有没有人受伤" in reply, reply
    assert "会打电话联系您" not in reply, reply
