"""handlers.faq: questions about mediation itself, answered from the law, before or while a
report is told; questions about the dispute itself are not taken for them."""
from __future__ import annotations

import pytest

from handlers import faq


@pytest.mark.parametrize("text, says", [
    ("调解要交钱吗？", "不收任何费用"),
    ("你们这个收费吗", "不收任何费用"),
    ("那调解达成的协议有法律效力吗", "第三十一条"),
    ("签了字他不认怎么办？", "强制执行"),
    ("我不想让村里人知道 能保密吗", "保密"),
    ("这个会不会被村支书知道是我举报的", "保密"),
    # a re-check (res8): these were passed on to the case's people unanswered
    ("你们会把我的名字告诉他吗", "保密"),
    ("会不会让村干部知道是我举报的", "保密"),
    ("我的电话会给对方吗", "保密"),
])
def test_answers(text, says):
    assert says in (faq.answer(text) or "")


@pytest.mark.parametrize("text", ["物业费要交多少钱？", "他欠我的钱什么时候还", "楼上天天吵", "调解员什么时候来",
                                  "他不给钱怎么办"])
def test_not_about_mediation(text):
    assert faq.answer(text) is None


@pytest.mark.parametrize("text, says", [
    ("一般多久能处理完", "个工作日内"),
    ("几点上班啊 周末有人吗", "周末都行"),
    ("你们要多久才能处理", "个工作日内"),
    ("你们办公室在哪", "不用跑"),
    ("调解员能上门吗", "上门"),
    # a trial's residents, at the phone question and after the case number
    ("提交了以后会怎么样？", "分派"), ("接下来会怎么样", "分派"), ("然后呢 下一步怎么弄", "分派"),
    ("要多长时间？", "个工作日内"), ("这个要多久能拿到钱", "个工作日内"),
    ("要我去镇上吗", "不用跑"), ("需要我本人过去吗", "不用跑"), ("要不要我跑一趟", "不用跑"),
])
def test_answers_about_how_we_work(text, says):
    assert says in (faq.answer(text, dispatch_days=1) or "")


@pytest.mark.parametrize("text", ["工资拖了多久了都没人管", "我在这里住了多久了", "他要我去镇上找他",
                                  "接下来他又来闹", "我要去镇上打工"])
def test_how_long_in_a_complaint_is_no_question_to_us(text):
    assert faq.answer(text) is None


@pytest.mark.parametrize("said, answer", [
    ("留电话的话对方会知道是我反映的吗", "只有办理您案件的工作人员"),
    ("我说了对方会不会知道是我举报的", "只有办理您案件的工作人员"),
    ("要钱吗", "不收任何费用"),
    ("你们是政府的吗", "调解平台"),
])
async def test_what_residents_ask_most_is_answered_mid_report(bot, ctx, said, answer):
    """A trial's "留电话的话对方会知道是我反映的吗" at the phone question got "您还没有通过这里反映过
    纠纷"; "要钱吗" and "你们是政府的吗" were taken as the phone question's answer."""
    await bot.say("老板欠我工资三个月不给")
    await bot.say("石桥村")
    reply = await bot.last(said)
    assert answer in reply and "电话" in reply and "还没有通过这里反映过" not in reply, reply
