"""The period a console page or report reads: `?from=&to=` or `?period=`, checked, with the
period it is compared with (环比: as long and just before; a week, month or quarter so far
against the same days of the one before)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from aiohttp import web

PERIODS = {"week": "本周", "7": "近7天", "30": "近30天", "month": "本月", "quarter": "本季度", "365": "近一年"}


@dataclass(frozen=True)
class Period:
    since: date
    until: date
    before: "Period | None" = None            # the period compared with (default: as long, just before)

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def previous(self) -> "Period":
        if self.before is not None:
            return self.before
        return Period(self.since - timedelta(days=self.days), self.since - timedelta(days=1))

    def year_before(self) -> "Period":
        return Period(_minus_year(self.since), _minus_year(self.until))


def _months_back(d: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when it has fewer)."""
    import calendar
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def _minus_year(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:                      # 29 February
        return d.replace(year=d.year - 1, day=28)


EARLIEST = date(2000, 1, 1)         # no ledger holds a case before; the year before it is still a date


def in_range(day: date | None, today: date) -> bool:
    """A day the figures can be read for (0001-01-01 and 9999-12-31 overflowed: 500)."""
    return day is None or EARLIEST <= day <= today.replace(year=today.year + 1, day=min(today.day, 28))


def period_of(query: Any, today: date, *, lenient: bool = False) -> tuple[Period, str, str]:
    """`?from=&to=` (local days, both included) or `?period=7|30|month|quarter|365`; the last 30
    days by default. Also a notice for people: a range ending after today ends today. With
    `lenient` (the page, where a person typed the days) a day that is no day or a range
    turned round is shown as what it most likely meant, and said; the API refuses them."""
    notice = ""
    try:
        since = date.fromisoformat(query.get("from", "")) if query.get("from") else None
        until = date.fromisoformat(query.get("to", "")) if query.get("to") else None
    except ValueError:
        if not lenient:
            raise web.HTTPBadRequest(text="日期格式应为 2026-11-23。", content_type="text/plain") from None
        since = until = None
        notice = "日期没有看懂（应为 2026-11-23 这样的日期），下面是近30天。"
    if not (in_range(since, today) and in_range(until, today)):
        if not lenient:
            raise web.HTTPBadRequest(text="日期超出范围（2000年至明年）。", content_type="text/plain")
        since = until = None
        notice = "日期超出范围（2000年至明年），下面是近30天。"
    if since or until:
        until = until or today
        since = since or until - timedelta(days=29)
        if since > until:
            if not lenient:
                raise web.HTTPBadRequest(text="起止日期有误：开始晚于结束。", content_type="text/plain")
            since, until = until, since
            notice = "开始日期晚于结束日期，已对调。"
        if until > today:
            # kept as asked: what falls due later (回访) counts; the cases stop at today
            notice += f"今天（{today.isoformat()}）以后的日子还没有案件，只有到期的事项。"
        if (until - since).days > 3660:
            if not lenient:
                raise web.HTTPBadRequest(text="时段最长十年。", content_type="text/plain")
            since = until - timedelta(days=3660)
            notice += f"时段最长十年，已从 {since.isoformat()} 起显示。"
        return Period(since, until), "", notice
    key = query.get("period", "30")
    if key == "week":
        # so far this week (from Monday), against the same days of the week before
        since = today - timedelta(days=today.weekday())
        return Period(since, today, Period(since - timedelta(days=7), today - timedelta(days=7))), key, notice
    if key in ("month", "quarter"):
        # so far this month (quarter), against the same days of the month (quarter) before: 环比
        step = 1 if key == "month" else 3
        since = today.replace(day=1) if key == "month" else today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        before = Period(_months_back(since, step), _months_back(today, step))
        return Period(since, today, before), key, notice
    days = {"7": 7, "365": 365}.get(key, 30)
    return Period(today - timedelta(days=days - 1), today), key if key in PERIODS else "30", notice
