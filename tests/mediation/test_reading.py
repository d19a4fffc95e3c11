"""What mediators type after a command, and the mediation clocks' arithmetic (no database)."""
from __future__ import annotations

from datetime import UTC, datetime, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bot import clocks
from bot.mediation import confirmation_window_end, consent_of, read_follow_up, session_reminder_at
from bot.mediation.text import amount_fen, deadline, labelled, party_from
from bot.settings import Settings
from bot.when import read_when
from storage.lifecycle import Consent, PartyKind

CN = ZoneInfo("Asia/Shanghai")
TZ = "Asia/Shanghai"
CTX = SimpleNamespace(settings=Settings.load(env={}))


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CN).astimezone(UTC)


@pytest.mark.parametrize("text, name, phone, kind", [
    ("王强 13900001111 关于噪音", "王强", "13900001111", PartyKind.PERSON),
    ("王强，139-0000-1111", "王强", "13900001111", PartyKind.PERSON),
    ("１３９００００１１１１ 欧阳娜娜", "欧阳娜娜", "13900001111", PartyKind.PERSON),
    ("青山绿城物业服务有限公司 0731-84561234", "青山绿城物业服务有限公司", "073184561234", PartyKind.ORGANISATION),
    ("李师傅", "李师傅", "", PartyKind.PERSON),
])
def test_a_party_from_what_the_mediator_types(text, name, phone, kind):
    got = party_from(text)
    assert got[:3] == (name, phone, kind)


def test_labelled_fields_in_lines_or_one_line():
    fields = labelled("事实：楼上拖椅子\n争议焦点：噪音\n申请人：太吵 被申请人：孩子写作业；方案：垫子 下一步：签协议")
    assert fields == {"facts": "楼上拖椅子", "points": "噪音", "applicant": "太吵", "respondent": "孩子写作业",
                      "proposal": "垫子", "next_step": "签协议"}
    assert labelled("内容：赔偿500元。内容：道歉")["terms"] == "赔偿500元。；道歉"


@pytest.mark.parametrize("text, fen", [("1500元", 150000), ("1.2万元", 1200000), ("3,500", 350000),
                                       ("赔偿800块", 80000), ("", 0), ("无", 0),
                                       ("壹万元", 1000000), ("三千五百元", 350000), ("两万", 2000000)])
def test_sums(text, fen):
    assert amount_fen(text) == fen


def test_times_and_deadlines_on_the_calendar():
    now = local(2026, 9, 28, 10, 0)
    w = read_when("9月29日 上午9点 柳林村调解室", now, TZ)
    assert (w.at, w.rest) == (local(2026, 9, 29, 9, 0), "柳林村调解室")
    assert read_when("10月8日下午3点半 视频", now, TZ).at == local(2026, 10, 8, 15, 30)
    assert read_when("1月5日 14:00", now, TZ).at == local(2027, 1, 5, 14, 0)     # no year: the next one
    assert read_when("明天下午", now, TZ).at == local(2026, 9, 29, 15, 0)
    assert deadline("3个工作日", now, TZ, clocks.add_working_days) == local(2026, 10, 8, 18, 0)   # the holiday skipped
    assert deadline("30日内", now, TZ, clocks.add_working_days) == local(2026, 10, 28, 18, 0)
    assert deadline("2026-12-31", now, TZ, clocks.add_working_days) == local(2026, 12, 31, 18, 0)
    assert deadline("尽快", now, TZ, clocks.add_working_days) is None


def test_the_confirmation_window_ends_on_a_working_day():
    # 30 days from 2 September is 2 October, in the National Day holiday: the period ends on the
    # first working day after it, 8 October (Civil Procedure Law Art. 85)
    end = confirmation_window_end(CTX, local(2026, 9, 2, 10, 0))
    assert end.astimezone(CN).date().isoformat() == "2026-10-08"
    assert confirmation_window_end(CTX, local(2026, 11, 2, 10, 0)).astimezone(CN).date().isoformat() == "2026-12-02"


def test_a_session_is_reminded_on_the_working_day_before():
    monday = local(2026, 10, 12, 15, 0)
    assert session_reminder_at(CTX, monday, local(2026, 10, 1, 9)) == local(2026, 10, 10, 15, 0)  # make-up Saturday
    assert session_reminder_at(CTX, local(2026, 10, 8, 15, 0), local(2026, 9, 29, 9)) == local(2026, 9, 30, 15, 0)
    soon = session_reminder_at(CTX, monday, local(2026, 10, 12, 9, 0))
    assert soon == local(2026, 10, 12, 11, 0)                                  # too late for that: hours before
    assert session_reminder_at(CTX, monday, local(2026, 10, 12, 14, 0)) is None


@pytest.mark.parametrize("text, expected", [
    ("已履行 满意 无风险", (True, True, "")),
    ("履行 是 满意 是 风险 无", (True, True, "")),
    ("未履行 不满意 风险 对方扬言报复", (False, False, "对方扬言报复")),
    ("部分履行 满意 遗留风险：尾款未付", (False, True, "尾款未付")),
    ("满意", (None, True, None)),
])
def test_the_follow_up_form(text, expected):
    assert read_follow_up(text) == expected


@pytest.mark.parametrize("text, consent", [("同意调解", Consent.AGREED), ("同意。", Consent.AGREED),
                                           ("不同意", Consent.REFUSED), ("不愿意调解！", Consent.REFUSED),
                                           ("我同意他说的一部分但是赔偿太多了不能接受", None),
                                           ("楼上的声音不是我家的", None)])
def test_consent_or_a_statement(text, consent):
    assert consent_of(text) == consent
