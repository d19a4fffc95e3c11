"""bot.when.read_when: the times staff write for a meeting, and what is wrong with them."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.when import read_when

TZ = "Asia/Shanghai"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo(TZ)).astimezone(UTC)      # a Monday, 09:00


@pytest.mark.parametrize("said, at, rest, label", [
    ("11月25日下午3点村委会", (11, 25, 15, 0), "村委会", ""),
    ("明天下午三点 村委会", (11, 24, 15, 0), "村委会", "11月24日周二"),
    ("周五上午 村委会", (11, 27, 9, 0), "村委会", "11月27日周五"),
    ("下周一 下午两点半 柳林村调解室", (11, 30, 14, 30), "柳林村调解室", "11月30日周一"),
    ("12月8日 上午 石桥村", (12, 8, 9, 0), "石桥村", ""),
    ("下午3点 村委会", (11, 23, 15, 0), "村委会", ""),                 # a time alone is today's
    ("今晚7点", (11, 23, 19, 0), "", "11月23日周一"),
    ("12-09 9:30 视频", (12, 9, 9, 30), "视频", ""),
])
def test_times_people_write(said, at, rest, label):
    w = read_when(said, NOW, TZ)
    local = w.at.astimezone(ZoneInfo(TZ))
    assert ((local.month, local.day, local.hour, local.minute), w.rest, w.date_label, w.problem) == (at, rest, label, "")


@pytest.mark.parametrize("said, problem", [
    ("随便什么时候", "没有认出"), ("改成周末吧", "没有认出"), ("2026-13-45", "不存在"), ("2月30日 上午", "不存在"),
    ("今天凌晨1点", "已经过去"), ("11月20日上午9点 村委会", "已经过去"), ("早上8点", "已经过去"),
    ("明天25点", "不对"), ("昨天下午3点 村委会", "已经过去"), ("前天上午", "已经过去"), ("上周五上午", "已经过去"),
])
def test_what_is_no_meeting_time(said, problem):
    w = read_when(said, NOW, TZ)
    assert w.at is None and problem in w.problem, w


def test_next_week_is_the_calendar_week_after_this_one():
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo(TZ)).astimezone(UTC)
    for said, day in (("下周一上午9点半 村委会", 7), ("周一上午9点", 7), ("下周五下午", 11), ("这周日上午", 6)):
        at = read_when(said, saturday, TZ).at.astimezone(ZoneInfo(TZ))
        assert (at.month, at.day) == (12, day), (said, at)
    monday = datetime(2026, 12, 7, 8, 0, tzinfo=ZoneInfo(TZ)).astimezone(UTC)
    assert read_when("下周一上午", monday, TZ).at.astimezone(ZoneInfo(TZ)).day == 14
