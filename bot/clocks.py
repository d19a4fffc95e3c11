"""Working days on the Chinese calendar, and the clocks of a case.

Public holidays and make-up working days (调休) come from the maintained `chinesecalendar`
package, not a hand list. Its data ends with the last year the State Council has announced;
past that, Monday to Friday count (and a log line says the package needs an update).

A due time is the same local time of day, N working days after the anchor: a case assigned
on Friday at 10:00 before a three-day holiday is due for acceptance on the third working
day after, at 10:00.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

import chinese_calendar

from bot.lifecycle import OPEN_STATUSES
from bot.settings import Settings
from storage.models import Case

log = logging.getLogger("jiefen.clocks")
_warned: set[int] = set()


def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:       # a year the package does not know yet
        if day.year not in _warned:
            _warned.add(day.year)
            log.warning("chinesecalendar has no data for %d: counting Monday to Friday; update the package", day.year)
        return day.weekday() < 5


def add_working_days(start: datetime, days: int, tz: str) -> datetime:
    zone = ZoneInfo(tz)
    local = start.astimezone(zone)
    day, left = local.date(), days
    while left > 0:
        day += timedelta(days=1)
        if is_workday(day):
            left -= 1
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone).astimezone(start.tzinfo)


def working_days_between(start: datetime, end: datetime, tz: str) -> int:
    """Whole working days from start's day to end's day (end's day counted, start's not)."""
    zone = ZoneInfo(tz)
    a, b = start.astimezone(zone).date(), end.astimezone(zone).date()
    return sum(1 for n in range(1, (b - a).days + 1) if is_workday(a + timedelta(days=n)))


@dataclass(frozen=True)
class Stage:
    name: str
    label: str                                   # how staff read it
    days: Callable[[Settings], int]
    anchor: Callable[[Case], datetime | None]
    applies: Callable[[Case], bool]


def _assigned(case: Case) -> datetime | None:
    return case.assigned_at or case.dispatched_at


STAGES: tuple[Stage, ...] = (
    Stage("dispatch", "分派", lambda s: s.dispatch_days, lambda c: c.created_at,
          lambda c: c.status == "received"),
    Stage("start", "接单开始调解", lambda s: s.start_mediation_days, _assigned,
          lambda c: c.status in ("dispatched", "escalated")),
    # a complex case (yellow or red) needs a joint meeting (约谈 records it)
    Stage("meeting", "组织联合约谈", lambda s: s.joint_meeting_days, _assigned,
          lambda c: c.status in OPEN_STATUSES and c.risk in ("yellow", "red")),
    Stage("red_card", "化解", lambda s: s.red_card_days, _assigned,
          lambda c: c.status in OPEN_STATUSES and c.status != "received"),
)


def due(case: Case, settings: Settings) -> list[tuple[Stage, datetime, datetime]]:
    """(stage, anchor, due time) for every clock running on the case."""
    out = []
    for stage in STAGES:
        anchor = stage.anchor(case)
        if anchor is not None and stage.applies(case):
            out.append((stage, anchor, add_working_days(anchor, stage.days(settings), settings.timezone)))
    return out


def overdue(case: Case, settings: Settings, now: datetime) -> list[str]:
    """The names of the stages past due: for digests and the centre's lists."""
    return [stage.name for stage, _anchor, at in due(case, settings) if now >= at]
