"""What the resident is told when a report is urgent depends on why: someone who says they
do not want to live is answered with care and the psychological help line, never pressed
again and again for where they are; a planned gathering is not told to call 110."""
from __future__ import annotations

import re

import pytest

from tests.staff.helpers import case_of, outbox


async def test_someone_who_does_not_want_to_live_is_answered_with_care(bot, ctx):
    reply = await bot.last("活着没意思 不想活了")
    number = re.search(r"JF\d{6}-\d{3}", reply).group(0)
    assert "12356" in reply and "纠纷" not in reply              # not "其他纠纷": a person, not a dispute type
    case = await case_of(ctx, number)
    assert case.risk == "red" and any(r.startswith("自伤自杀") for r in case.risk_reasons)
    reply = await bot.last("我不想说在哪")
    assert "在哪" not in reply and "位置" not in reply              # asked once, not pressed
    reply = await bot.last("你们能不能陪我说说话")
    assert "位置" not in reply and number in reply                  # goes to the case's people
    assert "陪我说说话" in (await case_of(ctx, number)).description


async def test_the_place_of_an_urgent_report_is_asked_at_most_twice(bot, ctx):
    reply = await bot.last("有人拿着刀说要砍人")
    assert "位置" in reply
    reply = await bot.last("快点来啊")
    assert "位置" in reply                                          # asked once more
    reply = await bot.last("他已经冲进院子了")
    assert "位置" not in reply


async def test_a_gathering_is_not_told_to_call_110(bot, ctx):
    reply = await bot.last("我是柳林村的，老板欠我们三十多个人工资，大家说明天一起去县政府门口拉横幅")
    assert re.search(r"JF\d{6}-\d{3}", reply)
    assert "110" not in reply and "值班领导" in reply


async def test_someone_elses_poisoning_is_told_to_call_120_and_the_writer_is_not_consoled(bot, ctx):
    """"我妈吃了一瓶药": the writer is a worried relative: 120 first, the place and a phone asked
    as for any urgent report, no "您不是一个人" nor "陪您说说话" spoken to them."""
    reply = await bot.last("我妈吃了一瓶药 叫不醒了 杏花村")
    number = re.search(r"JF\d{6}-\d{3}", reply).group(0)
    assert "120" in reply and "您不是一个人" not in reply and "纠纷" not in reply, reply
    reply = await bot.last("她现在在县医院洗胃 我要去交钱了")
    assert number in reply and "陪您说说话" not in reply, reply
    reply = await bot.last("老头子 早上起来就叫不醒了 嘴里吐白沫 柳林村", user="resident-9")
    assert "120" in reply, reply
    reply = await bot.last("我媽喝了農藥 叫不醒了 怎麼辦", user="resident-8")        # in traditional characters
    assert "120" in reply and "您不是一个人" not in reply, reply
    # the act told in a clause of its own after who it is (a re-check, res6, consoled the writer)
    reply = await bot.last("我爸和我妈吵架 喝了农药 柳林村", user="resident-7")
    assert "120" in reply and "您不是一个人" not in reply, reply
    assert (await case_of(ctx, number)).type == "other"      # not 医疗纠纷: nobody to route by a dispute type


def test_whose_distress_it_is():
    from handlers.texts import about_someone_else
    reason = ("自伤自杀风险：“吃了一瓶药”",)
    assert about_someone_else(reason, "我妈吃了一瓶药 杏花村")
    assert about_someone_else(("自伤自杀风险：“喝了农药”",), "俺那口子喝了农药 现在还在地上躺着嘞")
    assert about_someone_else(("自伤自杀风险：“喝了农药”",), "我媽喝了農藥 叫不醒了")
    assert not about_someone_else(reason, "我吃了一瓶药")
    assert not about_someone_else(("自伤自杀风险：“想不开”",), "老公天天打我 我也想不开")
    assert not about_someone_else(("自伤自杀风险：“不想活了”",), "活着没意思 不想活了")
    # a witness: the person brought in before, in a clause of their own (voice, no punctuation)
    assert about_someone_else(("自伤自杀风险：“不想活了”",), "桥头有个人坐了一下午 一直说不想活了")
    assert about_someone_else(("自伤自杀风险：“我们小区有个老人站在天台”",), "我们小区有个老人站在天台 要往下跳")
    # the writer's own distress after the people who caused it
    assert not about_someone_else(("自伤自杀风险：“不想活了”",), "隔壁天天吵 吵得不想活了")
    assert not about_someone_else(("自伤自杀风险：“不想活了”",), "他天天打我 不想活了")
    # a place of theirs is no person (res10: the writer's own plan was answered as a relative's)
    assert not about_someone_else(("自伤自杀风险：“从楼上跳”",), "我想好了 明天就去他们厂门口从楼上跳下去 让大家看看")
    assert not about_someone_else(("自伤自杀风险：“喝农药”",), "我明天就去他家门口喝农药")
    assert about_someone_else(("自伤自杀风险：“喝农药”",), "他们说要去厂门口喝农药")


async def test_danger_told_again_by_another_resident_is_answered_as_danger(bot, ctx):
    """A red case open, and a second resident tells the same threat: it joins that case, and
    they are still told what to do now (a knife at the door was answered "已合并到该案件")."""
    first = await bot.last("我家在柳林村一组 隔壁老周家占了我家宅基地 他儿子拿着菜刀说要砍死我全家")
    number = re.search(r"JF\d{6}-\d{3}", first).group(0)
    reply = await bot.last("我是柳林村一组的 隔壁老周的儿子拿着菜刀说要砍死我们全家 宅基地的事", user="resident-7")
    assert number in reply and "110" in reply, reply


async def test_someone_in_distress_who_will_say_no_more_is_not_told_the_case_goes_its_usual_way(bot, ctx):
    """A trial's "今晚就想从桥上跳下去" then "不想说" was answered "好的，案件 … 照常办理。"."""
    await bot.say("活着太累了 今晚就想从桥上跳下去")
    reply = await bot.last("不想说")
    assert "照常办理" not in reply and "12356" in reply and "联系您" in reply, reply
    await bot.say("他拿着刀在我家门口说要砍死我", user="resident-5")
    reply = await bot.last("不知道", user="resident-5")
    assert "照常办理" not in reply and "110" in reply, reply


async def test_a_leader_on_duty_without_a_wecom_account_is_not_said_to_be_alerted(bot, ctx):
    """A clock trial removed the leader's WeCom id: the red report was told "已立即通知值班领导",
    the alert was dropped, and nobody heard."""
    from dataclasses import replace
    ctx.registry.staff["lead-duty"] = replace(ctx.registry.staff["lead-duty"], wecom_userid="")
    reply = await bot.last("新华社区，楼下那个人拿着刀在楼道里说要捅死我，电话13700006666")
    assert "值班领导" not in reply and "综治中心" in reply and "110" in reply, reply
    centre = [p for p in await outbox(ctx, "wecom_app") if p.user == "QSCentre" and "红色预警" in p.text]
    assert centre and "没有企业微信账号" in centre[0].text and "高振华" in centre[0].text, [p.text for p in centre]


async def test_a_red_alert_that_fails_for_good_is_told_to_the_centre(bot, ctx):
    """A clock trial's WeCom refused the leader's account (60111): the alert failed after one
    attempt with a line deep in the ledger."""
    from bot.outbox import Delivery, Outcome

    class Refusing:
        takes_pushes = True

        async def deliver(self, push):
            if push.user == "GaoZhenHua":
                return Delivery(Outcome.FAILED, "60111 invalid user")
            return Delivery(Outcome.SENT)

    reply = await bot.last("柳林村2组，我哥拿着刀要杀我嫂子，现在就在院子里，电话13700007777")
    number = re.search(r"JF\d{6}-\d{3}", reply).group(0)
    ctx.channels["wecom_app"] = Refusing()
    await ctx.outbox.run_once()
    told = [p for p in await outbox(ctx, "wecom_app") if p.user == "QSCentre" and "预警未送达" in p.text]
    assert told and number in told[0].text and "高振华" in told[0].text, [p.text for p in await outbox(ctx, "wecom_app")]


@pytest.mark.parametrize("text", ["我爸跟隔壁打起来了 头上都流血了 柳林村", "他把我老公的腿打断了 人在村口 桃源村"])
async def test_someone_hurt_now_is_told_to_call_120_too(bot, ctx, text):
    """A newcomer's "我爸头上都流血了" was told to call 110 only."""
    reply = await bot.last(text)
    assert "120" in reply and "110" in reply, reply


@pytest.mark.parametrize("text", ["我姐最近老说活着没意思 把她的东西都送人了 柳林村",
                                  "我表哥说他不想活了 刚才电话里一直哭 桃源村"])
async def test_someone_else_talking_of_ending_their_life_is_told_how_to_stay_with_them(bot, ctx, text):
    """A trial (res5): a sister who gives her things away and says life means nothing got "请马上
    拨打120急救" and nothing else: nobody is hurt yet; stay with her, put the means away, the
    help line."""
    reply = await bot.last(text)
    assert "12356" in reply and "陪" in reply and "收起来" in reply, reply
    assert "您不是一个人" not in reply, reply           # the writer is not the one in distress


async def test_a_gas_leak_is_told_what_to_do_first(bot, ctx):
    """A trial (res5): a gas smell behind a door nobody opens was told to call 110 only."""
    reply = await bot.last("楼道里一股很大的煤气味 对门敲门没人开 南湖社区3栋")
    assert "119" in reply and "通风" in reply and "电器" in reply, reply


@pytest.mark.parametrize("text", ["有人落水了 桃源村河边", "水库冰面上有个小孩掉下去了 桃源村水库 快",
                                  "有人溺水了 杏花村水库", "有人掉進河裡了 石橋村橋頭",
                                  # a re-check (res7)
                                  "村口那口井里掉了个小孩 石桥村", "我家孩子在河边玩掉下去了救救他桃源村"])
async def test_someone_in_the_water_is_red_and_told_how_to_help(bot, ctx, text):
    """A trial (res6): these wordings got "对方是谁？" or only the safety question, and the one
    that was red was told to call 110 alone."""
    reply = await bot.last(text)
    number = re.search(r"JF\d{6}-\d{3}", reply).group(0)
    assert (await case_of(ctx, number)).risk == "red"
    assert "120" in reply and "110" in reply and "不会游泳" in reply, reply


@pytest.mark.parametrize("text", ["隔壁柴房着火了 火往我家这边烧 柳林村",
                                  "出租屋楼道里的电线冒火了 烟越来越大 楼上还住着好几户人 柳林村"])
async def test_a_fire_is_told_to_call_119(bot, ctx, text):
    """Wires on fire (冒火, round 34's voices) were told 110 only."""
    reply = await bot.last(text)
    assert "119" in reply and "离开" in reply, reply


def test_anger_is_no_fire():
    """冒火 is anger too (心里冒火, 气得冒火): a fight told that way is not told to call 119."""
    from handlers.texts import urgent_text
    reply = urgent_text(["人身危险：“倒在地上”"], alerted=True, text="我气得冒火，他把我爸推倒在地上了")
    assert "119" not in reply, reply


@pytest.mark.parametrize("text", ["孩子找不到了 在南湖社区广场 四岁", "我家小孩在超市走丢了 柳林村"])
async def test_a_missing_child_is_red_at_once(bot, ctx, text):
    """A trial (res6): a lost four-year-old got the safety question first, and was typed 损害赔偿."""
    reply = await bot.last(text)
    number = re.search(r"JF\d{6}-\d{3}", reply).group(0)
    assert (await case_of(ctx, number)).risk == "red"


async def test_one_who_asked_for_someone_and_then_says_it_is_themselves_is_not_pressed(bot, ctx):
    """A trial (res5, res6): '其实就是我自己 我在家 不想说哪里' was asked for the place again, and
    '我就想有人跟我说说话' for a number to call at once."""
    reply = await bot.last("你好 想问一下 如果一个人不想活了 应该找谁")
    number = re.search(r"JF\d{6}-\d{3}", reply).group(0)
    reply = await bot.last("其实就是我自己 我在家 不想说哪里")
    assert "位置" not in reply and "12356" in reply and "您不是一个人" in reply, reply
    reply = await bot.last("我就想有人跟我说说话")
    assert "马上打通" not in reply and number in (await case_of(ctx, number)).number, reply
    assert "不想留也没关系" in reply or "陪您说说话" in reply, reply


@pytest.mark.parametrize("text", ["活着太累了 不想再撑了", "我想一了百了"])
async def test_despair_in_other_words_is_answered_with_care_at_once(bot, ctx, text):
    """A re-check (res6): these got the generic injury question, and '不想说 你们别管我' was asked it
    again."""
    reply = await bot.last(text)
    assert "12356" in reply and "有没有人受伤" not in reply, reply


@pytest.mark.parametrize("text", ["我婆婆喝了农药 柳林村", "我爸喝了百草枯 柳林村", "我妈把老鼠药吃了 柳林村"])
async def test_poison_taken_by_someone_else_is_told_to_call_120(bot, ctx, text):
    """A re-check (res7): a mother-in-law's pesticide got the first-person script, and 百草枯 or
    rat poison taken got "put the pesticide away" with no 120."""
    reply = await bot.last(text)
    assert "120" in reply and "您不是一个人" not in reply and "收起来" not in reply, reply


async def test_a_threat_to_drink_pesticide_is_not_told_to_call_an_ambulance(bot, ctx):
    reply = await bot.last("我妈说再逼她离婚她就喝农药 柳林村")
    assert "马上拨打120急救" not in reply, reply


@pytest.mark.parametrize("said", ["我妈喝农药了 快", "我爸喝敌敌畏了", "她喝农药了 快救救她", "我妈刚才喝农药了现在在地上打滚",
                                  "俺娘喝农药了 快来人"])
def test_poison_taken_in_every_word_order_is_told_120(said):
    """A re-check (res8): only '喝了农药' got 120; '我妈喝农药了' was told to put the pesticide away
    and call a hotline, '俺娘…' was consoled as the writer's own distress."""
    from handlers.texts import urgent_text
    cue = "喝敌敌畏" if "敌敌畏" in said else "喝农药"
    reasons = (f"自伤自杀风险：“{cue}”",)
    assert "请马上拨打120急救" in urgent_text(reasons, True, said), urgent_text(reasons, True, said)


def test_poison_threatened_is_no_ambulance():
    from handlers.texts import urgent_text
    for said in ("我妈说要喝农药了", "她说再逼她就喝农药了"):
        assert "拨打120急救" not in urgent_text(("自伤自杀风险：“喝农药”",), True, said), said


@pytest.mark.parametrize("said, cue, first", [
    ("我老公跳河了 桃源村 快", "跳河", "110和120"), ("有人跳河了 救命", "跳河", "110和120"),
    ("有人从楼上跳下来了", "从楼上跳", "120急救"), ("我妈跳楼了 新华社区3栋", "跳楼", "120急救"),
    ("我妈把一瓶降压药全吃了", "一瓶降压药全吃了", "120急救"), ("我老婆喝了洗洁精", "喝了洗洁精", "120急救")])
def test_a_jump_or_pills_already_taken_is_told_to_get_help_now(said, cue, first):
    """A re-check (res9): these got the script for a worry ('把农药、药品…收起来；…12356')."""
    from handlers.texts import urgent_text
    reply = urgent_text((f"自伤自杀风险：“{cue}”",), True, said)
    assert first in reply and "收起来" not in reply, reply


@pytest.mark.parametrize("said", ["他说要跳河", "她说再逼她就跳河了"])
def test_a_jump_threatened_is_no_rescue_yet(said):
    from handlers.texts import urgent_text
    assert "110和120" not in urgent_text(("自伤自杀风险：“跳河”",), True, said)


async def test_a_self_harm_word_keeps_the_type_the_resident_confirmed(bot, ctx):
    """A re-check (res10): the summary said 物业纠纷, and after 确认 the case was filed 其他纠纷
    because of '气得想上吊'; a wage case with suicide talk lost its type too, and with it the
    labour committee. The type a dispute is plainly about is kept; only an urgent report
    whose type the reading is unsure of (a mother who took pills) is typed 其他."""
    reply = await bot.last("我气得想上吊 物业把我家车位卖给别人了 南湖社区 13811140005")
    if "请回复“有”" in reply:                     # the safety question, in either form
        reply = await bot.last("没有")
    assert "物业纠纷" in reply, reply
    reply = await bot.last("确认")
    number = re.search(r"JF\d{6}-\d{3}", reply).group(0)
    assert "物业纠纷" in reply and (await case_of(ctx, number)).type == "property_mgmt", reply
    reply = await bot.last("老板欠我三个月工资 我不想活了 明天就去他厂里跳楼 石桥村", user="resident-5")
    number = re.search(r"JF\d{6}-\d{3}", reply).group(0)
    assert (await case_of(ctx, number)).type == "labour", reply
