"""Times as staff write them: "12月9日上午9点", "明天下午三点", "周五上午", "2026-12-08 15:30".

`read_when` finds the day and the hour in a note and says what is wrong with it when something
is (no time at all, a day that does not exist, a time gone by), so that a resident is never
told to come at "随便什么时候", on 2月30日 or at an hour already past. A day said relative to
today ("明天", "周五") is also given as a date, for the resident who reads it tomorrow.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from nlp.slots import cn_number

_NUM = r"(\d{1,2}|[一二两三四五六七八九十]{1,3})"
_DATE = re.compile(r"(?:(\d{4})\s*[-/.年])?\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:[-/.]|月)\s*"
                   r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日号]?")
_RELATIVE = {"今天": 0, "今日": 0, "今晚": 0, "明天": 1, "明日": 1, "明早": 1, "明晚": 1, "后天": 2, "大后天": 3,
             "昨天": -1, "昨晚": -1, "前天": -2}      # (days gone by: refused as past, below)
_RELATIVE_RE = re.compile("|".join(sorted(_RELATIVE, key=len, reverse=True)))
_WEEKDAY = re.compile(r"(下|上|这|本)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天1-7])")
_WEEKDAYS = "一二三四五六日"
_PERIOD = re.compile(r"凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|今晚|明晚|明早|昨晚")
_HOUR = re.compile(_NUM + r"\s*(?:[:：点时])\s*(\d{1,2}|半|一刻|三刻)?\s*分?")
# the hour a period means when no hour is said ("周五上午")
_PERIOD_HOUR = {"凌晨": 6, "早上": 8, "早晨": 8, "明早": 8, "上午": 9, "中午": 12, "下午": 15, "傍晚": 18,
                "晚上": 19, "今晚": 19, "明晚": 19, "昨晚": 19}
_AFTERNOON = ("下午", "傍晚", "晚上", "今晚", "明晚", "昨晚")


@dataclass(frozen=True)
class When:
    at: datetime | None          # aware, in the zone given; None when nothing was found or it is wrong
    rest: str                    # the note without the day and the hour (a place, a remark)
    problem: str = ""            # what is wrong, for the person who wrote it ("" when nothing is)
    date_label: str = ""         # "12月9日周三" when the day was said relative to today
    timed: bool = False          # an hour or a part of the day was said ("明天" alone is a day, not a meeting time)


def _weekday_label(d: date) -> str:
    return f"{d.month}月{d.day}日周{_WEEKDAYS[d.weekday()]}"


def read_when(text: str, now: datetime, tz: str) -> When:
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    today = local.date()
    rest, day, relative = text, None, False
    m = _DATE.search(rest)
    if m:
        month, dom = cn_number(m.group(2)), cn_number(m.group(3))
        year = int(m.group(1)) if m.group(1) else today.year
        try:
            day = date(year, int(month or 0), int(dom or 0))
        except ValueError:
            return When(None, text, f"日期“{m.group(0).strip()}”不存在")
        if not m.group(1) and (today - day).days > 183:        # "1月5日" said in December
            day = date(year + 1, day.month, day.day)
        rest = rest[: m.start()] + " " + rest[m.end():]
    else:
        r = _RELATIVE_RE.search(rest)
        w = _WEEKDAY.search(rest)
        if r:
            day, relative = today + timedelta(days=_RELATIVE[r.group(0)]), True
            if r.group(0) not in ("今晚", "明晚", "明早", "昨晚"):      # those say the period too
                rest = rest[: r.start()] + " " + rest[r.end():]
        elif w:
            target = {"日": 6, "天": 6, "7": 6}.get(w.group(2))
            if target is None:
                target = _WEEKDAYS.index(w.group(2)) if w.group(2) in _WEEKDAYS else int(w.group(2)) - 1
            if w.group(1) == "下":            # next week's (weeks begin on Monday): 下周一 said on a Saturday is in 2 days
                ahead = 7 - today.weekday() + target
            elif w.group(1) == "上":          # last week's: gone by
                ahead = target - today.weekday() - 7
            elif w.group(1) in ("这", "本"):   # this week's
                ahead = target - today.weekday()
            else:                             # the next such day
                ahead = (target - today.weekday()) % 7
            day, relative = today + timedelta(days=ahead), True
            rest = rest[: w.start()] + " " + rest[w.end():]
    period = _PERIOD.search(rest)
    hour_m = _HOUR.search(rest)
    at: time | None = None
    if hour_m:
        hour = cn_number(hour_m.group(1))
        tail = hour_m.group(2)
        minute = {"半": 30, "一刻": 15, "三刻": 45}.get(tail or "", None)
        if minute is None:
            minute = int(cn_number(tail) or 0) if tail else 0
        if hour is None:
            return When(None, text, f"“{hour_m.group(0).strip()}”不对")
        hour = int(hour)
        if period and period.group(0) in _AFTERNOON and hour < 12:
            hour += 12
        if not (0 <= hour < 24 and 0 <= minute < 60):
            return When(None, text, f"“{hour_m.group(0).strip()}”不对")
        at = time(hour, minute)
        rest = rest[: hour_m.start()] + " " + rest[hour_m.end():]
    elif period:
        at = time(_PERIOD_HOUR[period.group(0)], 0)
    if period:
        rest = _PERIOD.sub(" ", rest, count=1)
    if day is None and at is None:
        return When(None, text, "没有认出时间")
    if day is None:
        day = today
    moment = datetime.combine(day, at or time(23, 59), tzinfo=zone)
    if moment <= local:
        return When(None, text, f"{day.month}月{day.day}日{'' if at is None else at.strftime(' %H:%M')}已经过去了")
    label = _weekday_label(day) if relative else ""
    return When(datetime.combine(day, at or time(9, 0), tzinfo=zone), " ".join(rest.split()), "", label, at is not None)
