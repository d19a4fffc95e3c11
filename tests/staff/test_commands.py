"""Staff commands through the dispatcher on the staff channel, with permission checks."""
from __future__ import annotations

import re

import pytest

from jiefen.testing import TestBot
from tests.staff.helpers import SAME_UPSTAIRS, case_of, events_of, neighbour_reports, outbox, report, staff_bot


async def resident_texts(ctx):
    return [p.text for p in await outbox(ctx, "test")]


async def test_accept_progress_appointment_resolve_and_the_resident_hears_each(bot, ctx):
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    accepted = await li.last(f"接单 {number}")
    # accepting is starting (a trial was told "请在3个工作日内开始调解" on accepting): what is due next
    assert "已接单" in accepted and "化解" in accepted and "开始调解" not in accepted, accepted
    assert (await case_of(ctx, number)).status == "mediating"
    assert "已记录" in await li.last(f"进展 {number} 已上门了解情况，双方同意调解")
    assert "已记录" in await li.last(f"约谈 {number} 11月25日下午3点村委会")
    assert "已办结" in await li.last(f"办结 {number} 双方签订协议，楼上晚上十点后不再拖椅子")
    case = await case_of(ctx, number)
    assert case.status == "resolved" and case.resolved_at is not None
    told = await resident_texts(ctx)
    assert any("正在调解" in t for t in told)
    assert any("已上门了解情况" in t for t in told)
    assert any("11月25日下午3点" in t for t in told)
    [final] = [p for p in await outbox(ctx, "test") if p.kind == "final"]
    assert "签订协议" in final.text and "1-5" in final.text
    # the resident rates: the case is closed with the score
    assert "感谢" in await bot.last("5")
    case = await case_of(ctx, number)
    assert (case.status, case.satisfaction) == ("closed", 5)


async def test_not_settled_reopens_for_the_same_assignees(bot, ctx):
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    await li.say(f"办结 {number} 已协商")
    assert "重新进入调解" in await bot.last("没解决，还是天天拖")
    case = await case_of(ctx, number)
    assert case.status == "mediating" and case.assignees == ["gw-liulin"]
    reopen = [p for p in await outbox(ctx, "wecom_app") if "重新办理" in p.text]
    assert [p.user for p in reopen] == ["LiHongMei"]
    # the reply says it: no push saying it again to the one who asked (a trial got both)
    assert not [p for p in await outbox(ctx, "test") if "重新进入调解" in p.text]


async def test_others_are_refused_and_the_case_does_not_change(bot, ctx):
    number = await report(bot)
    before = await case_of(ctx, number)
    for user in ("ChenZhiQiang", "WangJianGuo", "WuLiXin"):   # another town, another village, a committee
        reply = await staff_bot(ctx, user).last(f"办结 {number} 好了")
        assert "不在您的办理范围" in reply
    after = await case_of(ctx, number)
    assert (after.status, after.assignees, after.updated_at) == (before.status, before.assignees, before.updated_at)
    assert len(await events_of(ctx, number, "refused")) == 3
    assert "名单" in await staff_bot(ctx, "Stranger").last(f"接单 {number}")


async def test_supervisors_above_may_act(bot, ctx):
    number = await report(bot)
    assert "已接单" in await staff_bot(ctx, "LiuDeMing").last(f"接单 {number}")   # the town's mediator
    case = await case_of(ctx, number)
    assert case.status == "mediating" and "med-dx" in case.assignees
    # the leader on duty supervises it but does not hold it: the contact masked (as on the console)
    assert "138****5678" in await staff_bot(ctx, "GaoZhenHua").last(f"查 {number}")
    assert "13812345678" in await staff_bot(ctx, "LiuDeMing").last(f"查 {number}")     # he holds it now
    told = await resident_texts(ctx)                  # who took it over, not the first assignee's role
    assert any("已由东溪镇的调解员接手" in t for t in told), told
    await staff_bot(ctx, "LiuDeMing").say(f"约谈 {number} 12月9日上午9点 村委会")
    told = await resident_texts(ctx)                  # and who the meeting is with
    assert any("东溪镇的调解员约您" in t for t in told), told


async def test_escalation_village_town_county_and_no_higher(bot, ctx):
    number = await report(bot)
    assert "乡镇" in await staff_bot(ctx, "LiHongMei").last(f"上报 {number} 涉及两个村，村里协调不了")
    case = await case_of(ctx, number)
    assert (case.status, case.level, case.assignees) == ("escalated", "town", ["med-dx"])
    assert "不在您的办理范围" in await staff_bot(ctx, "LiHongMei").last(f"接单 {number}")
    assert "县" in await staff_bot(ctx, "LiuDeMing").last(f"未化解 {number} 双方分歧太大")
    case = await case_of(ctx, number)
    assert (case.status, case.level, case.assignees) == ("escalated", "county", ["med-county"])
    assert "不能再上报" in await staff_bot(ctx, "GuoZheng").last(f"上报 {number} 再上报")
    told = await resident_texts(ctx)
    assert any("乡镇（街道）" in t for t in told) and any("县里" in t for t in told)
    pushed = [p.user for p in await outbox(ctx, "wecom_app") if p.kind == "assignment"]
    assert pushed == ["LiHongMei", "LiuDeMing", "GuoZheng"]


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize("write", [_full_width, lambda n: n.replace("-", "－"), lambda n: n.replace("-", "—"),
                                   lambda n: n[:2] + _full_width(n[2:])])
async def test_a_case_number_typed_in_full_width_is_the_number(bot, ctx, write):
    """Chinese input methods type ＪＦ２６１１２３－００１ or JF261123—001: the number, not "请带上案件编号"."""
    number = await report(bot)
    reply = await staff_bot(ctx, "LiHongMei").last(f"进展 {write(number)} 已上门了解情况")
    assert "已记录" in reply, reply
    [note] = await events_of(ctx, number, "progress")
    assert note.data["text"] == "已上门了解情况", note.data


async def test_what_staff_read_of_a_case_is_chinese(bot, ctx):
    """A trial's "查 N" listed the ledger as "assigned …", "status dispatched"."""
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    await li.say(f"进展 {number} 已上门了解情况")
    shown = await li.last(f"查 {number}")
    ledger = [line for line in shown.splitlines() if line.startswith("·")]
    assert ledger and not any(re.search(r"[a-z]{3,}", line) for line in ledger), shown
    assert any("调解中" in line for line in ledger) and any("进展" in line for line in ledger), shown


async def test_a_case_corrected_to_red_alerts_with_the_staff_reason_and_the_leader_owns_it(bot, ctx):
    """A trial's "更正 N 风险 红色 老板扬言要找人打他": the alert gave the reading's old reason,
    not the staff member's, and the leader on duty was not made an assignee (包案领导)."""
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    before = len(await outbox(ctx, "wecom_app"))
    await li.say(f"更正 {number} 风险 红 楼上扬言要找人打他")
    alerts = [p for p in (await outbox(ctx, "wecom_app"))[before:] if p.kind == "alert"]
    assert alerts and all("楼上扬言要找人打他" in p.text for p in alerts), [p.text for p in alerts]
    case = await case_of(ctx, number)
    assert "lead-duty" in case.assignees, case.assignees
    assert "gw-liulin" in case.assignees


async def test_the_people_who_have_a_case_raised_to_red_by_someone_else_are_told(bot, ctx):
    """The centre raised an assigned case to red: the leader and the centre were alerted, and
    its grid worker, who now had two hours to accept, heard nothing."""
    number = await report(bot)
    before = len(await outbox(ctx, "wecom_app"))
    await staff_bot(ctx, "QSCentre").say(f"更正 {number} 风险 红 群众来电称双方已动手")
    told = [p for p in (await outbox(ctx, "wecom_app"))[before:] if p.user == "LiHongMei"]
    assert told and "升为红色" in told[0].text and "小时内接单" in told[0].text, [p.text for p in told]


async def test_a_town_mediator_escalating_a_village_case_hands_it_to_the_county(bot, ctx):
    # the town's mediator took the village case over: its level above is theirs already, so
    # 上报 goes to the level above them, not back to them
    number = await report(bot)
    assert "已接单" in await staff_bot(ctx, "LiuDeMing").last(f"接单 {number}")
    reply = await staff_bot(ctx, "LiuDeMing").last(f"上报 {number} 镇里也协调不了")
    case = await case_of(ctx, number)
    assert (case.status, case.level, case.assignees) == ("escalated", "county", ["med-county"]), reply
    assert "县" in reply


async def test_transfer_and_send_back(bot, ctx):
    number = await report(bot)
    assert "已由您办理" in await staff_bot(ctx, "LiHongMei").last(f"转办 {number} 李红梅")    # to oneself
    assert "王建国" in await staff_bot(ctx, "LiHongMei").last(f"转办 {number} 王建国")
    assert (await case_of(ctx, number)).assignees == ["gw-taoyuan"]
    assert "退回" in await staff_bot(ctx, "WangJianGuo").last(f"退回 {number} 不是我们村的事")
    case = await case_of(ctx, number)
    assert (case.status, case.assignees) == ("received", ["centre-qs"])
    assert "王建国" not in "".join(await resident_texts(ctx))
    assert "赵小燕" in await staff_bot(ctx, "QSCentre").last(f"转办 {number} gw-shiqiao")
    case = await case_of(ctx, number)
    assert (case.status, case.assignees) == ("dispatched", ["gw-shiqiao"])
    # the worker it was dispatched to is asked to 接单, not "请在工作台分派" (the card was written
    # while the case was still 已受理)
    [card] = [r.text for r in await outbox(ctx) if r.user == "ZhaoXiaoYan" and number in r.text]
    assert f"接单 {number}" in card and "请在工作台分派" not in card, card
    reasons = [e.data for e in await events_of(ctx, number, "assigned")][-1]
    assert reasons["reason"].count("分派") == 1 and not reasons["staff"][0]["why"], reasons


async def test_my_cases_and_help(bot, ctx):
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    assert number in await li.last("我的")
    assert "可用的命令" in await li.last("你好")
    assert "编号" in await li.last("接单")
    assert "请写上" in await li.last(f"进展 {number}")


async def test_residents_never_reach_staff_commands(bot, ctx):
    number = await report(bot)
    reply = await bot.last(f"办结 {number} 好了")
    assert "已办结" not in reply
    assert (await case_of(ctx, number)).status == "dispatched"


async def test_a_new_story_after_the_result_is_not_taken_for_a_rating(bot, ctx):
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    await li.say(f"办结 {number} 已协商")
    reply = await bot.last("另外我们村口的路灯坏了好几个月没解决，晚上走路摔了好几个人，能不能管管")
    assert "重新进入调解" not in reply
    assert (await case_of(ctx, number)).status == "resolved"


async def test_everyone_who_reported_the_same_dispute_hears_of_it(bot, ctx):
    """A second resident's report joins the open case; from then on each change reaches both,
    and only the reporter of record is asked to rate the result."""
    number = await report(bot, SAME_UPSTAIRS[0])
    neighbour, joined = await neighbour_reports(ctx, number)
    assert number in joined and "合并" in joined
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    await li.say(f"办结 {number} 双方签订协议")
    pushes = await outbox(ctx, "test")
    to_two = [p for p in pushes if p.user == "resident-2"]
    assert any("正在调解" in p.text for p in to_two)
    [final_one] = [p for p in pushes if p.kind == "final" and p.user == "resident-1"]
    [final_two] = [p for p in to_two if p.kind == "final"]
    # the result's words are the reporter of record's; the other hears that it was settled
    assert "签订协议" in final_one.text and "1-5" in final_one.text
    assert "办结" in final_two.text and "签订协议" not in final_two.text and "1-5" not in final_two.text
    # the second reporter may follow the case, and it is among "my cases"
    detail = await neighbour.last(f"查询 {number}")
    assert number in detail and "当前状态" in detail and "13812345678" not in detail
    assert number in await neighbour.last("我的案子怎么样了")
    # a stranger may not
    stranger = TestBot(ctx, channel="test", user="resident-3")
    stranger._ids = iter(range(700, 800))
    assert "没有找到" in await stranger.last(f"查询 {number}")


async def test_escalation_keeps_the_committee_mediator_and_the_leader_who_own_the_case(bot, ctx):
    """One level up changes the level's mediator; the professional committee's mediator and
    the case owner (包案领导) stay with it (一抓到底)."""
    number = await report(bot, "我是石桥村的老板拖欠我三个月工资一直不给电话13812345678")
    assert (await case_of(ctx, number)).assignees == ["gw-shiqiao", "com-labour"]
    await staff_bot(ctx, "WuLiXin").say(f"接单 {number}")
    await staff_bot(ctx, "ZhaoXiaoYan").say(f"上报 {number} 老板在外地，村里约不到")
    case = await case_of(ctx, number)
    assert (case.status, case.level, case.assignees) == ("escalated", "town", ["med-dx", "com-labour"])
    # the committee mediator still acts on it
    assert "不在您的办理范围" not in await staff_bot(ctx, "WuLiXin").last(f"进展 {number} 已联系劳动监察")
    # a red case's owner stays with it one level up
    reply = await bot.last("柳林村有人拿着刀说要砍人")
    red = next(iter(reply.split("案件编号：")[1].split()))[:12]
    assert (await case_of(ctx, red)).assignees == ["gw-liulin", "lead-duty"]
    await staff_bot(ctx, "LiHongMei").say(f"上报 {red} 双方都有刀，村里压不住")
    case = await case_of(ctx, red)
    assert (case.level, case.assignees) == ("town", ["med-dx", "lead-duty"])


async def test_a_correction_of_the_reading_is_recorded_with_who_and_why(bot, ctx):
    """更正: the type, risk or place the bot read was wrong. The case changes, the ledger keeps
    who, why and what it was (the understanding layer learns from it); red alerts at once."""
    number = await report(bot, "我是石桥村的老板拖欠我三个月工资一直不给电话13812345678")
    read_as = (await case_of(ctx, number)).risk
    worker = staff_bot(ctx, "ZhaoXiaoYan")          # the village's grid worker, an assignee
    reply = await worker.last(f"更正 {number} 类型 合同纠纷 是包工合同的尾款，不是工资")
    assert "劳动争议 → 合同纠纷" in reply
    reply = await worker.last(f"更正 {number} 地点 柳林村 工地在柳林村")
    assert "石桥村" in reply and "柳林村" in reply and "李红梅" in reply      # handed to 柳林村's worker
    worker = staff_bot(ctx, "LiHongMei")
    before = len(await outbox(ctx, "wecom_app"))
    reply = await worker.last(f"更正 {number} 风险 红 老板扬言叫人来打")
    case = await case_of(ctx, number)
    assert (case.type, case.place_code, case.risk) == ("contract", "DX01", "red")
    corrected = await events_of(ctx, number, "corrected")
    assert [(e.actor, e.data["field"], e.data["before"], e.data["after"]) for e in corrected] == [
        ("staff:gw-shiqiao", "type", "labour", "contract"), ("staff:gw-shiqiao", "place", "DX03", "DX01"),
        ("staff:gw-liulin", "risk", read_as, "red")]
    assert corrected[0].data["reason"] == "是包工合同的尾款，不是工资"
    alerts = [p for p in (await outbox(ctx, "wecom_app"))[before:] if p.kind == "alert"]
    assert {p.user for p in alerts} >= {"GaoZhenHua", "QSCentre"}              # the leader and the centre
    # nothing to correct, a word not known, and someone who may not act on the case
    assert "已经是" in await worker.last(f"更正 {number} 风险 红 再说一遍")
    assert "没有认出" in await worker.last(f"更正 {number} 类型 外星人 不知道")
    assert "不在您的办理范围" in await staff_bot(ctx, "ZhaoXiaoYan").last(f"更正 {number} 风险 绿 误报")
    assert len(await events_of(ctx, number, "corrected")) == 3


async def test_a_second_reporter_keeps_their_own_phone_on_the_case(bot, ctx):
    """The second resident's report joins the open case: their phone (and name) are kept on
    its ledger for the staff, not lost with their draft."""
    number = await report(bot, SAME_UPSTAIRS[0])
    neighbour, joined = await neighbour_reports(ctx, number)
    assert number in joined
    [linked] = await events_of(ctx, number, "linked_report")
    assert linked.data.get("contact") == "13900001111"


async def test_a_resident_whose_report_joined_a_case_hears_its_status_not_staff_notes(bot, ctx):
    """Staff notes, meetings and results are written to the reporter of record ("已与报案人张女士
    电话确认"): another resident whose report joined the case hears that the case moved, not
    those words, and their status view shows where it stands without them."""
    number = await report(bot, SAME_UPSTAIRS[0])
    neighbour, joined = await neighbour_reports(ctx, number)
    assert number in joined
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    await li.say(f"进展 {number} 已与报案人张女士电话确认，她家老人受了惊吓")
    await li.say(f"约谈 {number} 12月9日上午9点 村委会")
    await li.say(f"办结 {number} 张女士与楼上签订协议，赔偿500元")
    mine = [p.text for p in await outbox(ctx, "test") if p.user == "resident-2"]
    theirs = [p.text for p in await outbox(ctx, "test") if p.user != "resident-2"]
    assert any("张" in t and "电话确认" in t for t in theirs)                      # the reporter of record
    assert any("正在调解" in t for t in mine) and any("办结" in t for t in mine), mine
    assert not any("张" in t or "电话确认" in t or "12月9日" in t or "500" in t for t in mine), mine
    status = await neighbour.last(f"查询 {number}")
    assert number in status and "张" not in status and "500" not in status, status


async def test_a_resident_whose_report_joined_a_case_may_go_on_talking_about_it(bot, ctx):
    """A trial's joined reporter wrote "确认" and "没事了，不用来了，取消案件吧" and got the welcome
    text; the words were lost. They reach the case's staff as that resident's words; the case
    stays the reporter of record's (no contact, no withdrawal of theirs)."""
    number = await report(bot, SAME_UPSTAIRS[0])
    neighbour, joined = await neighbour_reports(ctx, number)
    assert number in joined
    assert number in await neighbour.last("好的")
    before = await case_of(ctx, number)
    reply = await neighbour.last("没事了，不用来了，取消案件吧 我电话13900002222")
    assert number in reply and "您好，这里是" not in reply, reply
    case = await case_of(ctx, number)
    assert "不用来了" in case.description and case.contact == before.contact and case.status == before.status
    staff_cards = [p.text for p in await outbox(ctx, "wecom_app") if "不用来了" in p.text]
    assert staff_cards and all("另一位反映人" in t for t in staff_cards), staff_cards

    # more of the matter, said as news of it (res10: "而且他们晚上偷偷往河里排粪水" began a draft
    # that asked for the place, and the news never reached the case)
    reply = await neighbour.last("而且他们晚上偷偷把粪水往河里排 河里的鱼都死了")
    assert number in reply and "哪个村" not in reply, reply
    assert "鱼都死了" in (await case_of(ctx, number)).description
    # another matter is a report of its own
    assert number not in await neighbour.last("还有个事 我在砖厂干了三个月 老板一分钱工资没给")


_SMELLS = ("柳林村养猪场太臭了 夏天窗户都不敢开", "我们柳林村的猪场 粪水直接排到河里", "柳林村东头猪场的味道熏得人吃不下饭",
           "柳林村那个养猪场苍蝇多得不得了", "柳林村猪场的臭味天天飘到我家", "柳林村的养猪场太臭了 孩子都不肯出门",
           "柳林村东边猪场臭死人了", "柳林村猪场的粪水流到我家田里了", "柳林村那家猪场晚上臭得睡不着")


async def _smell_reported_by(bot, ctx, others: int) -> str:
    number = await report(bot, "我是柳林村的 村东头那个养猪场臭得要命 苍蝇到处飞 电话13812345678")
    for i, said in enumerate(_SMELLS[:others]):
        other = TestBot(ctx, channel="test", user=f"resident-{i + 2}")
        other._ids = iter(range(500 + 100 * i, 600 + 100 * i))
        if number not in await other.last(f"{said} 电话138{i + 2:04d}{i + 2:04d}"):
            await other.say("确认")
    return number


async def test_three_residents_of_one_dispute_make_it_yellow_without_waking_the_leader(bot, ctx):
    """Three neighbours reporting a pig farm's smell are many parties (yellow), not a group
    incident: a re-check (res6) found every reply to them ending "请马上拨打110" and the leader
    alerted."""
    number = await _smell_reported_by(bot, ctx, 2)
    case = await case_of(ctx, number)
    assert case.risk == "yellow" and any("多人反映" in r for r in case.risk_reasons), (case.risk, case.risk_reasons)
    assert not [p for p in await outbox(ctx, "wecom_app") if p.kind == "alert"]


async def test_ten_residents_of_one_dispute_make_it_red_and_alert_the_leader(bot, ctx):
    """A crowd (as many reporters as many_people_count) may gather: red, and alerted as a case
    read red at first (a trial's case made red by its reporters alerted nobody)."""
    number = await _smell_reported_by(bot, ctx, 9)
    case = await case_of(ctx, number)
    assert case.risk == "red" and any("群体性" in r for r in case.risk_reasons), (case.risk, case.risk_reasons)
    alerts = [p for p in await outbox(ctx, "wecom_app") if p.kind == "alert"]
    assert {p.user for p in alerts} >= {"GaoZhenHua", "QSCentre"}, [(p.user, p.kind) for p in alerts]
    assert "lead-duty" in case.assignees


async def test_a_worker_who_reported_a_case_they_have_is_not_told_as_a_resident(ctx):
    """A trial's grid worker posting in the group got "您反映的案件…会有人与您联系" about the case
    assigned to them."""
    worker = TestBot(ctx, channel="wecom_bot", user="LiHongMei")
    number = await report(worker)
    await staff_bot(ctx, "LiHongMei").say(f"接单 {number}")
    to_worker = [p.text for p in await outbox(ctx, "wecom_bot") if p.user == "LiHongMei" and p.kind != "reply"]
    assert not any("与您联系" in t or "接手" in t for t in to_worker), to_worker


async def test_a_place_corrected_to_another_village_goes_to_its_grid_worker(bot, ctx):
    """A trial's grid worker corrected his case's place to 南湖街道杏花村: it stayed his, and
    杏花村's worker never heard of it."""
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    before = len(await outbox(ctx, "wecom_app"))
    reply = await li.last(f"更正 {number} 地点 杏花村 是杏花村的邻居，不是我们村")
    case = await case_of(ctx, number)
    assert case.place_code == "NH03" and "gw-xinghua" in case.assignees and "gw-liulin" not in case.assignees, \
        (case.assignees, reply)
    cards = [p for p in (await outbox(ctx, "wecom_app"))[before:] if p.user == "SunHai"]
    assert cards and number in cards[0].text
    assert "孙海" in reply or "杏花村" in reply


async def test_a_place_corrected_to_another_town_goes_to_its_mediator(bot, ctx):
    """A case raised to 东溪镇's mediator, then found to be in 南湖街道: the town's mediator who
    has it does not cover the new place, 南湖's mediator does (was: only grid workers were
    handed over, and 刘德明 kept a case of another town)."""
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    await li.say(f"上报 {number} 村里调不下来")
    assert "med-dx" in (await case_of(ctx, number)).assignees
    before = len(await outbox(ctx, "wecom_app"))
    reply = await staff_bot(ctx, "QSCentre").last(f"更正 {number} 地点 杏花村 核实后是杏花村的纠纷")
    case = await case_of(ctx, number)
    assert case.place_code == "NH03" and "med-nh" in case.assignees and "med-dx" not in case.assignees, \
        (case.assignees, reply)
    cards = [p for p in (await outbox(ctx, "wecom_app"))[before:] if p.user == "HuangXiuYing"]
    assert cards and number in cards[0].text
    assert "黄秀英" in reply


async def test_two_residents_upstairs_are_two_cases(bot, ctx):
    """Two residents of one village each complain that "楼上" drags chairs at night: two
    households, two cases; neither report disappears into the other's case."""
    first = await report(bot)
    other = TestBot(ctx, channel="test", user="resident-2")
    other._ids = iter(range(500, 600))
    reply = await other.last("我住柳林村，楼上每天半夜拖椅子吵得睡不着，电话13900001111")
    if first not in reply:
        reply = await other.last("确认")
    assert first not in reply and "已受理" in reply
    assert await events_of(ctx, first, "linked_report") == []


@pytest.mark.parametrize("first, then", [
    ("挺满意的，给4分吧，谢谢李书记", None),
    ("谢谢你们", "4分"),                      # a thank-you first, the score after
    ("今天天气不错", "我给五分"),
])
async def test_a_rating_in_everyday_words_is_understood(bot, ctx, first, then):
    """"挺满意的，给4分吧" is a 4; a score sent after something else still rates the result
    (the last resolved case of this account), it is not the welcome text."""
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    await li.say(f"办结 {number} 已协商")
    reply = await bot.last(first)
    if then is not None:
        reply = await bot.last(then)
    assert "感谢您的评价" in reply and number in reply, reply
    case = await case_of(ctx, number)
    assert case.status == "closed" and case.satisfaction in (4, 5)


@pytest.mark.parametrize("text, verdict", [
    ("5", 5), ("4分", 4), ("挺满意的，给4分吧，谢谢李书记", 4), ("我给五分", 5), ("打3星", 3),
    ("非常满意", 5), ("满意", 4), ("不太满意", 2), ("还可以吧", 3),
    ("没解决", "reopen"), ("问题根本没有解决", "reopen"),
    ("这次还行吧 就是拖得有点久 勉强给个四分", 4), ("四分", 4),          # the number said wins over 还行
    ("谢谢你们", None), ("一分钱没给", None), ("今天天气不错", None), ("我家楼上又开始吵了", None), ("我家的5分地被占了", None),
])
def test_rating_words(text, verdict):
    from bot.rating import read
    assert read(text) == verdict


async def test_an_appointment_in_the_past_is_refused(bot, ctx):
    """Today is 23 November: "11月20日上午9点" has passed (the resident would be told a time
    gone by); "11月25日", "明天" are fine; a time with no date is taken as said."""
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    reply = await li.last(f"约谈 {number} 11月20日上午9点 村委会")
    assert "已经过去" in reply, reply
    assert await events_of(ctx, number, "appointment") == []
    for when in ("11月25日上午9点 村委会", "明天下午三点 村委会", "周五上午 村委会"):
        assert "约谈已记录" in await li.last(f"约谈 {number} {when}")


async def test_an_appointment_without_a_real_time_is_refused_and_tomorrow_is_dated(bot, ctx):
    """A trial's 约谈 "随便什么时候", "2026-13-45", "2月30日 上午", "今天凌晨1点" were all pushed to
    the resident; "明天上午10点" reached them as said, to be read on another day."""
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    for said in ("随便什么时候", "2026-13-45", "2月30日 上午", "今天凌晨1点", "明天"):
        reply = await li.last(f"约谈 {number} {said}")
        assert "约谈已记录" not in reply and "如“12月9日上午9点" in reply, (said, reply)
    assert await events_of(ctx, number, "appointment") == []
    assert "约谈已记录" in await li.last(f"约谈 {number} 明天上午10点 村委会")
    told = [p.text for p in await outbox(ctx, "test") if "约您" in p.text]
    assert told and "明天上午10点" in told[-1] and "11月24日周二" in told[-1], told


async def test_a_grid_worker_cannot_hand_a_case_to_another_town(bot, ctx):
    """李红梅 (柳林村's grid worker) hands her case to 孙海 of 南湖街道: refused, that is the
    centre's to decide (or escalate it); within her own town she may."""
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    reply = await li.last(f"转办 {number} 孙海")
    assert "综治中心" in reply and "已转办" not in reply, reply
    assert (await case_of(ctx, number)).assignees == ["gw-liulin"]
    assert "已转办" in await li.last(f"转办 {number} 王建国")        # 桃源村, the same town


async def test_after_the_result_the_residents_status_shows_the_result(bot, ctx):
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    await li.say(f"进展 {number} 已经打电话给楼上")
    await li.say(f"办结 {number} 双方签了协议，晚上十点后不拖椅子")
    reply = await bot.last(f"查询 {number}")
    assert "处理结果" in reply and "十点后不拖椅子" in reply and "已经打电话给楼上" not in reply, reply


async def test_the_receipt_says_the_case_went_to_its_people_when_it_did(bot, ctx):
    """A trial's receipt said "1个工作日内分派给…" for a case dispatched in the same second (with
    WeCom configured cases are routed at once; without, the centre dispatches: tests/test_intake.py)."""
    await bot.say("我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678")
    reply = await bot.last("确认")
    assert "已转给东溪镇柳林村的网格员" in reply and "个工作日内分派" not in reply, reply


async def test_only_the_case_staff_and_the_centre_read_the_full_contact_over_wecom(bot, ctx):
    """A trial's town mediator, county mediator and leader on duty each read the reporter's name
    and phone in full with 查 and 卷宗 on a village case they did not hold (the console refused
    them), and 查 left no trace of it."""
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    await li.say(f"邀请 {number} 王强 13900001111")
    for user in ("LiuDeMing", "GaoZhenHua"):
        for command in ("查", "卷宗"):
            reply = await staff_bot(ctx, user).last(f"{command} {number}")
            assert "13812345678" not in reply and "13900001111" not in reply, (user, command, reply)
    reply = await li.last(f"查 {number}")
    assert "13812345678" in reply
    viewed = await events_of(ctx, number, "viewed_contact")
    assert viewed and any(e.actor.endswith("gw-liulin") for e in viewed), viewed


async def test_a_hand_on_does_not_skip_a_level_nor_drop_the_leader_of_a_red_case(bot, ctx):
    """A trial's grid worker 转办'd a village case to the county's mediator (the level stayed
    village, the town skipped), and the leader on duty's 转办 of a red case removed him from it."""
    number = await report(bot)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    reply = await li.last(f"转办 {number} 郭正")
    assert "上报" in reply and "med-county" not in (await case_of(ctx, number)).assignees, reply
    await staff_bot(ctx, "QSCentre").say(f"更正 {number} 风险 红 对方扬言报复")
    assert "lead-duty" in (await case_of(ctx, number)).assignees
    await staff_bot(ctx, "GaoZhenHua").say(f"转办 {number} 刘德明")
    case = await case_of(ctx, number)
    assert "lead-duty" in case.assignees and "med-dx" in case.assignees, case.assignees


async def test_a_transfer_names_who_is_taken_off_tells_them_and_tells_the_resident(bot, ctx):
    """A trial's 转办 by the centre recorded only who was added: those taken off were not told
    (and then read "不在您的办理范围内"), nor was the resident."""
    from bot.case_actions import Action, Actor, perform
    number = await report(bot)
    assert (await case_of(ctx, number)).assignees == ["gw-liulin"]
    before = len(await outbox(ctx))
    async with ctx.uow() as uow:
        case = await (await uow.cases()).get_for_update(number)
        said = await perform(ctx, uow, Actor(ctx.registry.staff["centre-qs"], via="console"), case, Action.ASSIGN,
                             "med-dx；网格员请假一周")
    assert "刘德明" in said
    new = (await outbox(ctx))[before:]
    off = [p for p in new if p.user == "LiHongMei"]
    assert off and "已转出" in off[0].text and "网格员请假一周" in off[0].text, [p.text for p in new]
    assert any(p.channel == "test" and "已转由东溪镇的调解员办理" in p.text for p in new), [p.text for p in new]
    [moved] = [e for e in await events_of(ctx, number, "assigned")][-1:]
    assert moved.data["removed"] == [{"id": "gw-liulin", "name": "李红梅"}] and "网格员请假一周" in moved.data["reason"]


async def test_a_joined_reporter_asking_to_cancel_is_heard(bot, ctx):
    """A trial (res5): a resident whose report joined a case sent "取消案件" and was told
    "现在没有正在填写的反映"; the wish reaches the case's people as theirs."""
    number = await report(bot, SAME_UPSTAIRS[0])
    neighbour, joined = await neighbour_reports(ctx, number)
    assert number in joined
    reply = await neighbour.last("取消案件")
    assert number in reply and "没有正在填写" not in reply, reply
    assert (await case_of(ctx, number)).status != "closed"
    staff_cards = [p.text for p in await outbox(ctx, "wecom_app") if "取消案件" in p.text]
    assert staff_cards and all("另一位反映人" in t for t in staff_cards), staff_cards


def test_a_crowd_of_complaints_is_not_told_to_call_110():
    """A re-check (res7): residents of a case made red by ten reporters were told '拨打110'."""
    from bot.duplicates import CROWD_REASON
    from handlers.texts import help_now
    assert "110" not in help_now([CROWD_REASON])
    assert "110" in help_now([CROWD_REASON, "暴力或暴力威胁：“拿刀”"])
