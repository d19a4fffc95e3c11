"""Counts kept in the transaction of every change: open cases per staff member (staff_load),
each assignee row's `open` flag, and the centre's figures (case_figures).

A flush hook compares each changed case with what it was (SQLAlchemy's attribute history) and
notes the difference of its contribution; just before the commit the differences are added to
the counters with one upsert per table (`n = n + excluded.n`), rows in a fixed order. Adding
differences, never writing totals, is what keeps the counts right with several workers; doing
it at the commit keeps the counter rows locked for the least time.

Whatever changes a case goes through the ORM (CaseStore, routing, staff commands, tests), so
nothing can change a case without its counts following. A bulk UPDATE of cases would bypass
this: storage/figures.py `rebuild` recounts everything from the cases.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.lifecycle import OPEN_STATUSES, Result
from storage.models import Case, CaseFigure, StaffLoad

MEASURES: tuple[str, ...] = ("cases", "open", "dispatched", "dispatch_secs", "resolved", "unsettled", "resolve_timed",
                             "resolve_secs", "closed", "at_town", "at_county", "red", "overdue", "late", "carded",
                             "carded_open", "rated", "rating_sum")
# "pt" place|type and "pc" place|channel: an area's figures by type and channel (a town sums its
# places' rows), the heat map's place × type grid; "src": the dispute code a report came through;
# "dh" place|hours and "rd" place|days: how long to dispatch and to a result, counted in buckets
# (DISPATCH_HOURS, RESULT_DAYS: a bucket's key is its upper bound), so a median or a 90th
# percentile is read off the kept rows to within a bucket
DIMS: tuple[str, ...] = ("all", "type", "place", "channel", "pt", "pc", "src", "dh", "rd")
VERSION = "5"            # what the kept rows hold: a change rebuilds them once (figures.ensure_built)
MONTH = "M"              # a month's rows: day = "M2026-11" (a year's figures read 12 of them, not 365 days';
                         # "M" sorts after every date, so a range of dates never takes one in)
DISPATCH_HOURS: tuple[int, ...] = (1, 2, 4, 8, 24, 48, 72, 120, 168, 336)
RESULT_DAYS: tuple[int, ...] = (1, 2, 3, 5, 7, 10, 15, 20, 30, 45, 60, 90, 180)
BEYOND = "more"
ALL_DAYS = "*"
_INFO = "jiefen_counts"
_CHUNK = 500           # rows per upsert statement (SQLite takes at most 32,766 parameters)

FigureKey = tuple[str, str, str]        # (day, dim, key)


@dataclass(frozen=True)
class Facts:
    """What of a case the counts depend on."""
    created_at: datetime | None
    place_code: str | None
    type: str | None
    channel: str | None
    status: str | None
    level: str | None
    risk: str | None
    dispatched_at: datetime | None
    resolved_at: datetime | None
    satisfaction: int | None
    overdue_since: datetime | None
    red_card_at: datetime | None
    source: str | None = None
    result: str | None = None


FACT_FIELDS = tuple(f.name for f in fields(Facts))


def facts_of(case: Any) -> Facts:
    return Facts(*(getattr(case, name) for name in FACT_FIELDS))


def _secs(start: datetime | None, end: datetime | None) -> int:
    return max(0, int((end - start).total_seconds())) if start and end else 0


def measures(f: Facts) -> dict[str, int]:
    is_open = f.status in OPEN_STATUSES
    concluded = f.status in ("resolved", "closed")
    # only a settled case is 化解; a mediation ended or a report withdrawn has a result, not a
    # settlement (cases concluded before results were kept were all settled ones)
    resolved = concluded and f.result in (None, Result.SETTLED)
    carded = f.red_card_at is not None
    return {"cases": 1, "open": int(is_open), "dispatched": int(f.dispatched_at is not None),
            "dispatch_secs": _secs(f.created_at, f.dispatched_at), "resolved": int(resolved),
            "unsettled": int(concluded and not resolved),
            "resolve_timed": int(concluded and f.resolved_at is not None),
            "resolve_secs": _secs(f.created_at, f.resolved_at) if concluded else 0,
            "closed": int(f.status == "closed"), "at_town": int(f.level == "town"),
            "at_county": int(f.level == "county"), "red": int(f.risk == "red"),
            "overdue": int(is_open and f.overdue_since is not None),
            "late": int(is_open and f.overdue_since is not None and not carded), "carded": int(carded),
            "carded_open": int(is_open and carded), "rated": int(f.satisfaction is not None),
            "rating_sum": int(f.satisfaction or 0)}


def local_day(when: datetime, tz: str) -> str:
    return when.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d")


def bucket(value: float, bounds: tuple[int, ...]) -> str:
    """The smallest upper bound at or above `value` ("more" past the last)."""
    return next((str(b) for b in bounds if value <= b), BEYOND)


def figure_keys(f: Facts, tz: str) -> list[FigureKey]:
    day = local_day(f.created_at, tz) if f.created_at else ALL_DAYS
    place = f.place_code or ""
    values: tuple[tuple[str, str], ...] = (("all", ""), ("type", f.type or ""), ("place", place), ("channel", f.channel or ""),
              ("pt", f"{place}|{f.type or ''}"), ("pc", f"{place}|{f.channel or ''}"))
    if f.source:
        values += (("src", f.source),)
    if f.dispatched_at is not None and f.created_at is not None:
        values += (("dh", f"{place}|{bucket(_secs(f.created_at, f.dispatched_at) / 3600, DISPATCH_HOURS)}"),)
    if f.status in ("resolved", "closed") and f.resolved_at is not None and f.created_at is not None:
        values += (("rd", f"{place}|{bucket(_secs(f.created_at, f.resolved_at) / 86400, RESULT_DAYS)}"),)
    days = (day, MONTH + day[:7], ALL_DAYS) if day != ALL_DAYS else (ALL_DAYS,)
    return [(d, dim, value[:64]) for d in days for dim, value in values]


def contribution(f: Facts, tz: str) -> dict[FigureKey, dict[str, int]]:
    m = measures(f)
    return {k: m for k in figure_keys(f, tz)}


class Pending:
    """Differences noted at flushes, added at the commit."""

    def __init__(self) -> None:
        self.figures: dict[FigureKey, Counter[str]] = {}
        self.load: Counter[str] = Counter()

    def add(self, f: Facts | None, sign: int, tz: str) -> None:
        if f is None:
            return
        for key, m in contribution(f, tz).items():
            row = self.figures.setdefault(key, Counter())
            for name, value in m.items():
                if value:
                    row[name] += sign * value

    def empty(self) -> bool:
        return not any(any(c.values()) for c in self.figures.values()) and not any(self.load.values())


def _pending(session: Session) -> Pending:
    p = session.info.get(_INFO)
    if p is None:
        p = session.info[_INFO] = Pending()
    return p


def _before(state: Any, name: str) -> Any:
    hist = state.attrs[name].history
    if hist.deleted:
        return hist.deleted[0]
    if hist.unchanged:
        return hist.unchanged[0]
    return None if hist.added else getattr(state.object, name)


def collect(session: Session, tz: str) -> None:
    """The flush hook: note what the changed cases add to and take from the counts."""
    pending = None
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, Case):
            continue
        pending = pending or _pending(session)
        state = inspect(obj)
        after = facts_of(obj)
        before = None if state.pending else Facts(*(_before(state, n) for n in FACT_FIELDS))
        if before != after:
            pending.add(before, -1, tz)
            pending.add(after, +1, tz)
        is_open = obj.status in OPEN_STATUSES
        hist = state.attrs.assignments.history
        for row in hist.added:                 # a new row (set_assignees keeps the rows of those who stay)
            row.open = is_open
            pending.load[row.staff_id] += int(is_open)
        for row in hist.unchanged:
            if bool(row.open) != is_open:
                pending.load[row.staff_id] += 1 if is_open else -1
                row.open = is_open
        for row in hist.deleted:
            if row.open:
                pending.load[row.staff_id] -= 1


def forget(session: Session) -> None:
    session.info.pop(_INFO, None)


def apply(session: Session) -> None:
    """The commit hook: add the noted differences to the counters."""
    session.flush()                      # the last changes' differences first (commit flushes after this hook)
    pending: Pending | None = session.info.pop(_INFO, None)
    if pending is None or pending.empty():
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    conn = session.connection()
    rows = [{"day": d, "dim": dim, "key": key, **{m: c.get(m, 0) for m in MEASURES}}
            for (d, dim, key), c in sorted(pending.figures.items()) if any(c.values())]
    for chunk in _chunks(rows):
        stmt = insert(CaseFigure).values(chunk)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=[CaseFigure.day, CaseFigure.dim, CaseFigure.key],
            set_={m: getattr(CaseFigure, m) + getattr(stmt.excluded, m) for m in MEASURES}))
    load = [{"staff_id": s, "open_cases": n} for s, n in sorted(pending.load.items()) if n]
    for chunk in _chunks(load):
        stmt = insert(StaffLoad).values(chunk)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=[StaffLoad.staff_id], set_={"open_cases": StaffLoad.open_cases + stmt.excluded.open_cases}))


def _chunks(rows: list[dict[str, Any]], size: int = _CHUNK) -> Iterable[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]
