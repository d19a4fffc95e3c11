"""Working days on the Chinese calendar, and the clocks of a case.

Public holidays and make-up working days (调休) come from the maintained `chinesecalendar`
package, not a hand list. Its data ends with the last year the State Council has announced;
past that, the days the law itself makes holidays (《全国年节及纪念日放假办法》, as revised
in 2024: 元旦, 除夕 and 初一 to 初三, 清明, 5月1-2日, 端午, 中秋, 10月1-3日) and weekends are
rest days; the make-up working days (调休) are not known until announced (a log line, and the
console's notice, say the package needs an update). Without them 2027's clocks counted New
Year's Day, the Spring Festival and Qingming as working days.

A due time is the same local time of day, N working days after the anchor: a case assigned
on Friday at 10:00 before a three-day holiday is due for acceptance on the third working
day after, at 10:00.

Each open case stores the next moment the scheduler has something to do for it
(`cases.next_due_at`, like Zammad's `escalation_at`): `flush_hook` recomputes it in the
transaction of every change that moves a clock (status, risk, assignment), so a tick reads
only the cases due now. Without the ledger the hook may name a moment too early (a reminder
already sent), never too late; the tick, which reads the ledger, then sets the exact one.
"""
from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from bot.lifecycle import OPEN_STATUSES
from bot.settings import Settings
from storage.lifecycle import Status
from storage.models import Case

log = logging.getLogger("jiefen.clocks")
LATE_STAGES = frozenset({"dispatch", "start", "red_card"})     # past one of these: the case is overdue
CLOCK_INPUTS = ("status", "risk", "created_at", "dispatched_at", "assigned_at")
ADDITIONS = ("place_code", "contact")        # what routing.follow_up passes on to the case's people


# The calendar is a pure function of the date: its answers are cached (a tick used to spend a
# third of its time in chinesecalendar's table). The caches are bounded.
@functools.lru_cache(maxsize=16384)
def is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:       # a year the package does not know yet
        _warn_unknown_year(day.year)
        return day.weekday() < 5 and day not in statutory_holidays(day.year)


# the lunar feasts by year (除夕, 端午, 中秋), Gregorian; computed from the lunar calendar's
# month table (Fung & Yeung's, as in the lunardate package), checked against chinesecalendar
# for the years it knows (tests/staff/test_clocks.py)
_LUNAR_FEASTS: dict[int, tuple[date, date, date]] = {
    2024: (date(2024, 2, 9), date(2024, 6, 10), date(2024, 9, 17)),
    2025: (date(2025, 1, 28), date(2025, 5, 31), date(2025, 10, 6)),
    2026: (date(2026, 2, 16), date(2026, 6, 19), date(2026, 9, 25)),
    2027: (date(2027, 2, 5), date(2027, 6, 9), date(2027, 9, 15)),
    2028: (date(2028, 1, 25), date(2028, 5, 28), date(2028, 10, 3)),
    2029: (date(2029, 2, 12), date(2029, 6, 16), date(2029, 9, 22)),
    2030: (date(2030, 2, 2), date(2030, 6, 5), date(2030, 9, 12)),
    2031: (date(2031, 1, 22), date(2031, 6, 24), date(2031, 10, 1)),
    2032: (date(2032, 2, 10), date(2032, 6, 12), date(2032, 9, 19)),
    2033: (date(2033, 1, 30), date(2033, 6, 1), date(2033, 9, 8)),
    2034: (date(2034, 2, 18), date(2034, 6, 20), date(2034, 9, 27)),
    2035: (date(2035, 2, 7), date(2035, 6, 10), date(2035, 9, 16)),
}


@functools.cache
def statutory_holidays(year: int) -> frozenset[date]:
    """The days the law makes holidays in `year` (no make-up days: those are announced)."""
    days = {date(year, 1, 1), date(year, 5, 1), date(year, 5, 2), date(year, 10, 1), date(year, 10, 2),
            date(year, 10, 3)}
    try:
        days |= {d for d, name in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
                 if name == "清明"}
    except Exception:        # pragma: no cover - the solar terms are computed for any year
        pass
    feasts = _LUNAR_FEASTS.get(year)
    if feasts is not None:
        eve, dragon, moon = feasts
        days |= {eve + timedelta(days=n) for n in range(4)} | {dragon, moon}
    return frozenset(days)


def calendar_known(year: int) -> bool:
    """Whether the year's official holiday arrangement (with its make-up days) is known."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


@functools.cache
def _warn_unknown_year(year: int) -> None:        # cached: once per year
    log.warning("chinesecalendar has no data for %d: counting weekends and the statutory holidays, without the "
                "make-up working days; update the package", year)


@functools.lru_cache(maxsize=65536)
def _working_day_after(day: date, days: int) -> date:
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


@functools.lru_cache(maxsize=64)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def add_working_days(start: datetime, days: int, tz: str) -> datetime:
    zone = _zone(tz)
    local = start.astimezone(zone)
    day = _working_day_after(local.date(), days)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone).astimezone(start.tzinfo)


def working_days_between(start: datetime, end: datetime, tz: str) -> int:
    """Whole working days from start's day to end's day (end's day counted, start's not)."""
    zone = _zone(tz)
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


def _returned(case: Case) -> bool:
    return case.status == Status.RECEIVED and case.dispatched_at is not None and case.assigned_at is not None


def _received(case: Case) -> datetime | None:
    """Since when the centre has to dispatch it: its opening, or its return (退回: the clock
    started over; it had run out at the first dispatch and nothing followed)."""
    if case.assigned_at is not None and case.created_at is not None and case.assigned_at > case.created_at:
        return case.assigned_at
    return case.created_at


STAGES: tuple[Stage, ...] = (
    Stage("dispatch", "分派", lambda s: s.dispatch_days, _received,
          lambda c: c.status == Status.RECEIVED),
    Stage("start", "接单开始调解", lambda s: s.start_mediation_days, _assigned,
          lambda c: c.status in (Status.DISPATCHED, Status.ESCALATED)),
    # a complex case (yellow or red) needs a joint meeting (约谈 records it)
    Stage("meeting", "组织联合约谈", lambda s: s.joint_meeting_days, _assigned,
          lambda c: c.status in OPEN_STATUSES and c.risk in ("yellow", "red")),
    # a case sent back to the centre and left there is red-carded too (it had no clock left)
    Stage("red_card", "化解", lambda s: s.red_card_days, _assigned,
          lambda c: c.status in OPEN_STATUSES and (c.status != "received" or _returned(c))),
)


# a red case cannot wait for working days: dispatch and acceptance are due in hours, at any hour
IN_HOURS_WHEN_RED = frozenset({"dispatch", "start"})


def due(case: Case, settings: Settings) -> list[tuple[Stage, datetime, datetime]]:
    """(stage, anchor, due time) for every clock running on the case."""
    out = []
    for stage in STAGES:
        anchor = stage.anchor(case)
        if anchor is not None and stage.applies(case):
            if case.risk == "red" and stage.name in IN_HOURS_WHEN_RED:
                at = anchor + timedelta(hours=settings.red_response_hours)
            else:
                at = add_working_days(anchor, stage.days(settings), settings.timezone)
            out.append((stage, anchor, at))
    return out


def overdue(case: Case, settings: Settings, now: datetime) -> list[str]:
    """The names of the stages past due: for digests and the centre's lists."""
    return [stage.name for stage, _anchor, at in due(case, settings) if now >= at]


@dataclass(frozen=True)
class Plan:
    next_due: datetime | None      # the next reminder or notice not yet sent; None: no clock runs
    overdue: bool                  # a dispatch, acceptance or result deadline has passed


def plan(case: Case, settings: Settings, now: datetime, done: Collection[tuple[Any, ...]] = frozenset(),
         met: Callable[[datetime], bool] = lambda _anchor: False) -> Plan:
    """When the scheduler next has something to do for the case. `done`: (stage, what, anchor)
    already in the ledger; `met(anchor)`: a joint meeting was recorded after the anchor."""
    nxt: datetime | None = None
    overdue = False
    for stage, anchor, at in due(case, settings):
        a = anchor.isoformat()
        if stage.name == "meeting" and met(anchor):
            continue
        overdue = overdue or (stage.name in LATE_STAGES and now >= at)
        if (stage.name, "notice", a) not in done:
            nxt = at if nxt is None else min(nxt, at)
        if (stage.name, "reminder", a) not in done and now < at:
            early = reminder_at(anchor, at, settings)
            nxt = early if nxt is None else min(nxt, early)
    return Plan(nxt, overdue)


def reminder_at(anchor: datetime, at: datetime, settings: Settings) -> datetime:
    """When to remind before a due time: `reminder_hours` before, or half-way through a
    shorter window (a red case's hours)."""
    return at - min(timedelta(hours=settings.reminder_hours), (at - anchor) / 2)


def fingerprint(settings: Settings) -> str:
    """What every stored due time was computed with: when it changes, they are recomputed."""
    return json.dumps({"dispatch": settings.dispatch_days, "start": settings.start_mediation_days,
                       "meeting": settings.joint_meeting_days, "red_card": settings.red_card_days,
                       "reminder_hours": settings.reminder_hours, "tz": settings.timezone,
                       "red_hours": settings.red_response_hours,
                       "calendar": getattr(chinese_calendar, "__version__", "")}, sort_keys=True)


def flush_hook(settings: Settings, clock_now: Callable[[], datetime]) -> Callable[[Session], None]:
    """Keep `next_due_at` and `overdue_since` of every changed case in step, before the flush
    writes it (storage.db.Database.flush_hooks)."""

    def hook(session: Session) -> None:
        now = session.info.get("now") or clock_now()
        for obj in list(session.new) + list(session.dirty):
            if not isinstance(obj, Case):
                continue
            state = inspect(obj)
            if obj.status not in OPEN_STATUSES:
                if obj.next_due_at is not None:
                    obj.next_due_at = None
                if obj.overdue_since is not None:
                    obj.overdue_since = None
                continue
            moved = state.pending or any(state.attrs[n].history.has_changes() for n in CLOCK_INPUTS)
            explicit = not state.pending and state.attrs.next_due_at.history.has_changes()
            if moved and not explicit:     # the scheduler, which read the ledger, sets its own
                p = plan(obj, settings, now)
                if obj.next_due_at != p.next_due:
                    obj.next_due_at = p.next_due
                overdue = (obj.overdue_since or now) if p.overdue else None
                if obj.overdue_since != overdue:
                    obj.overdue_since = overdue
            if not state.pending and any(state.attrs[n].history.has_changes() for n in ADDITIONS):
                # the resident added a place or a phone: the scheduler looks at the case at once
                # (routing.follow_up, a second chance for what the hook of the change passed on)
                if obj.next_due_at is None or obj.next_due_at > now:
                    obj.next_due_at = now

    return hook
