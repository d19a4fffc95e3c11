"""The figures the centre reads (日收集、周通报、月督办): cases by day, type, place and channel,
times to dispatch and to a result, success and completion rates, satisfaction, and what is
open, overdue and under a red card now.

They come from `case_figures`, counts kept in the transaction of every change
(storage/counters.py), so reading a month costs the same with ten thousand cases or ten
million: rows per day × types, places and channels, never a scan of the ledger. `rebuild`
recounts everything from the cases (after a bulk load, or a change of time zone).

    async with db.session() as s:
        f = await read_figures(s, date(2026, 11, 1), date(2026, 11, 30))
    f.total.cases, f.total.success_rate, f.by_type["labour"].mean_result_days, f.now.overdue
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.counters import (
    ALL_DAYS,
    DISPATCH_HOURS,
    FACT_FIELDS,
    MEASURES,
    MONTH,
    RESULT_DAYS,
    VERSION,
    Facts,
    contribution,
)
from storage.db import Database
from storage.lifecycle import OPEN_STATUSES
from storage.models import Case, CaseAssignee, CaseFigure, Meta, StaffLoad
from storage.sql import dialect_of, in_values, table_of

log = logging.getLogger("jiefen.figures")
META_KEY = "figures_timezone"
_BATCH = 20000


@dataclass(frozen=True)
class Measures:
    """Counts over a set of cases (those opened in a period, or the whole ledger)."""
    cases: int = 0
    open: int = 0
    dispatched: int = 0
    dispatch_secs: int = 0
    resolved: int = 0            # settled (化解): resolved or closed with that result
    unsettled: int = 0           # concluded otherwise: mediation ended, report withdrawn
    resolve_timed: int = 0
    resolve_secs: int = 0
    closed: int = 0
    at_town: int = 0             # handled at the town now
    at_county: int = 0
    red: int = 0                 # red risk
    overdue: int = 0             # open and past a deadline
    late: int = 0                # … and no red card yet
    carded: int = 0              # ever given a red card
    carded_open: int = 0
    rated: int = 0
    rating_sum: int = 0

    def __add__(self, other: "Measures") -> "Measures":
        return Measures(*(getattr(self, m) + getattr(other, m) for m in MEASURES))

    @property
    def success_rate(self) -> float | None:
        """Share of the cases with a result (化解率)."""
        return round(self.resolved / self.cases, 4) if self.cases else None

    @property
    def concluded(self) -> int:
        """办结: cases with a result, settled or not (归档 is a later step: `closed`)."""
        return self.resolved + self.unsettled

    @property
    def completion_rate(self) -> float | None:
        """Share of the cases with a result, settled or not (办结率)."""
        return round(self.concluded / self.cases, 4) if self.cases else None

    @property
    def mean_dispatch_hours(self) -> float | None:
        return round(self.dispatch_secs / self.dispatched / 3600, 2) if self.dispatched else None

    @property
    def mean_result_days(self) -> float | None:
        return round(self.resolve_secs / self.resolve_timed / 86400, 2) if self.resolve_timed else None

    @property
    def satisfaction(self) -> float | None:
        return round(self.rating_sum / self.rated, 2) if self.rated else None

    def as_dict(self) -> dict[str, Any]:
        return {**{m: getattr(self, m) for m in MEASURES}, "success_rate": self.success_rate,
                "concluded": self.concluded, "completion_rate": self.completion_rate, "mean_dispatch_hours": self.mean_dispatch_hours,
                "mean_result_days": self.mean_result_days, "satisfaction": self.satisfaction}


assert tuple(f.name for f in fields(Measures)) == MEASURES


@dataclass(frozen=True)
class Figures:
    """Cases opened from `since` to `until` (local days, both included), and the ledger now."""
    since: date
    until: date
    total: Measures = Measures()
    by_day: dict[str, Measures] = field(default_factory=dict)
    by_type: dict[str, Measures] = field(default_factory=dict)
    by_place: dict[str, Measures] = field(default_factory=dict)      # place code ("" none yet) as recorded
    by_channel: dict[str, Measures] = field(default_factory=dict)
    by_place_type: dict[str, Measures] = field(default_factory=dict)   # "place|type"
    by_place_channel: dict[str, Measures] = field(default_factory=dict)  # "place|channel"
    by_source: dict[str, Measures] = field(default_factory=dict)      # dispute code
    now: Measures = Measures()                                        # the whole ledger: open, overdue, red cards
    now_by_type: dict[str, Measures] = field(default_factory=dict)
    now_by_place: dict[str, Measures] = field(default_factory=dict)
    dispatch_buckets: dict[str, int] = field(default_factory=dict)   # upper bound in hours → cases
    result_buckets: dict[str, int] = field(default_factory=dict)     # upper bound in days → cases

    def dispatch_hours_at(self, share: float) -> int | None:
        """The bucket's upper bound (hours) by which `share` of the dispatched cases were dispatched."""
        return quantile(self.dispatch_buckets, DISPATCH_HOURS, share)

    def result_days_at(self, share: float) -> int | None:
        """The bucket's upper bound (days) by which `share` of the cases with a result had it."""
        return quantile(self.result_buckets, RESULT_DAYS, share)

    def as_dict(self) -> dict[str, Any]:
        def table(d: dict[str, Measures]) -> dict[str, Any]:
            return {k: v.as_dict() for k, v in sorted(d.items())}
        return {"since": self.since.isoformat(), "until": self.until.isoformat(), "total": self.total.as_dict(),
                "by_day": table(self.by_day), "by_type": table(self.by_type), "by_place": table(self.by_place),
                "by_channel": table(self.by_channel), "by_place_type": table(self.by_place_type),
                "by_place_channel": table(self.by_place_channel), "by_source": table(self.by_source),
                "now": self.now.as_dict(),
                "now_by_type": table(self.now_by_type), "now_by_place": table(self.now_by_place),
                "dispatch_buckets": self.dispatch_buckets, "result_buckets": self.result_buckets}


def quantile(buckets: dict[str, int], bounds: tuple[int, ...], share: float) -> int | None:
    """The upper bound of the bucket holding the `share` quantile; None without cases, or past
    the last bound (the caller says "more than …")."""
    total = sum(buckets.values())
    if not total:
        return None
    need, seen = share * total, 0
    for b in bounds:
        seen += buckets.get(str(b), 0)
        if seen >= need:
            return b
    return None


def _spans(since: date, until: date) -> tuple[list[str], list[tuple[str, str]]]:
    """The period as whole months (their "M…" rows) and the days of the months it covers in part."""
    months: list[str] = []
    ranges: list[tuple[str, str]] = []
    first = since.replace(day=1)
    while first <= until:
        nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = nxt - timedelta(days=1)
        if since <= first and last <= until:
            months.append(MONTH + first.strftime("%Y-%m"))
        else:
            ranges.append((max(since, first).isoformat(), min(until, last).isoformat()))
        first = nxt
    return months, ranges


def _in_period(since: date, until: date) -> ColumnElement[bool]:
    months, ranges = _spans(since, until)
    parts = [and_(CaseFigure.day >= a, CaseFigure.day <= b) for a, b in ranges]
    if months:
        parts.append(CaseFigure.day.in_(months))
    return or_(*parts)


async def read_area(session: AsyncSession, since: date, until: date, places: Collection[str] | None, *,
                    dims: Collection[str] = ("place", "pt", "pc", "src", "dh", "rd"), by_day: str | None = "day",
                    now: bool = True) -> Figures:
    """The figures of an area (`places`, a subtree; None: the whole county) for the cases opened
    from `since` to `until`: sums over the period's kept rows (whole months' rows and the days of
    the months it covers in part) by dimension and value, then the area's part of them; never a
    scan of the ledger. `dims`, `by_day`, `now`: what to read (a comparison needs less);
    `by_day` "day" (keys "2026-11-23"), "month" (keys "2026-11": a year's trend) or None."""
    sums = [func.sum(getattr(CaseFigure, m)) for m in MEASURES]
    period = _in_period(since, until)
    dims = tuple(dict.fromkeys(("place", *dims)))
    per_value = (await session.execute(select(CaseFigure.dim, CaseFigure.key, *sums)
                                       .where(period, CaseFigure.dim.in_(dims))
                                       .group_by(CaseFigure.dim, CaseFigure.key))).all()
    per_day: Sequence[Any] = []
    if by_day:
        span = period if by_day == "month" else \
            and_(CaseFigure.day >= since.isoformat(), CaseFigure.day <= until.isoformat())
        day_q = select(CaseFigure.day, *sums).where(span).group_by(CaseFigure.day)
        if places is None:
            day_q = day_q.where(CaseFigure.dim == "all")
        else:
            day_q = day_q.where(CaseFigure.dim == "place",
                                in_values(CaseFigure.key, sorted(places), dialect_of(session)))
        per_day = (await session.execute(day_q)).all()
    now_rows: Sequence[Any] = []
    if now:
        now_q = select(CaseFigure.dim, CaseFigure.key, *[getattr(CaseFigure, m) for m in MEASURES]) \
            .where(CaseFigure.day == ALL_DAYS, CaseFigure.dim.in_(("place", "pt")))
        now_rows = (await session.execute(now_q)).all()

    def measures(values: Iterable[Any]) -> Measures:
        return Measures(*(int(v or 0) for v in values))

    def inside(place: str) -> bool:
        return places is None or place in places

    got: dict[str, dict[str, Measures]] = {d: {} for d in ("place", "pt", "pc", "src", "dh", "rd")}
    for dim, key, *values in per_value:
        got[dim][key] = measures(values)
    by_place = {k: m for k, m in got["place"].items() if inside(k)}
    by_pt = {k: m for k, m in got["pt"].items() if inside(k.split("|")[0])}
    by_pc = {k: m for k, m in got["pc"].items() if inside(k.split("|")[0])}

    def second(table: dict[str, Measures]) -> dict[str, Measures]:
        out: dict[str, Measures] = {}
        for k, m in table.items():
            part = k.split("|", 1)[1]
            out[part] = out.get(part, Measures()) + m
        return out
    buckets: dict[str, Counter[str]] = {"dh": Counter(), "rd": Counter()}
    for dim in buckets:
        for k, m in got[dim].items():
            place, _, b = k.rpartition("|")
            if inside(place):
                buckets[dim][b] += m.cases
    now_place = {k: measures(v) for dim, k, *v in now_rows if dim == "place" and inside(k)}
    now_type = second({k: measures(v) for dim, k, *v in now_rows if dim == "pt" and inside(k.split("|")[0])})
    days: dict[str, Measures] = {}
    for d, *v in per_day:
        key = d[len(MONTH):] if d.startswith(MONTH) else d[:7] if by_day == "month" else d
        days[key] = days.get(key, Measures()) + measures(v)
    return Figures(since, until, sum(by_place.values(), Measures()), days,
                   second(by_pt), by_place, second(by_pc), by_pt, by_pc,
                   {k: m for k, m in got["src"].items() if places is None or k in places},
                   sum(now_place.values(), Measures()), now_type, now_place,
                   dict(buckets["dh"]), dict(buckets["rd"]))


async def read_figures(session: AsyncSession, since: date, until: date) -> Figures:
    """The figures of the cases opened from `since` to `until` (local days, both included):
    sums in SQL over the period's rows (days × dimension values), never over cases."""
    sums = [func.sum(getattr(CaseFigure, m)) for m in MEASURES]
    period = (CaseFigure.day >= since.isoformat(), CaseFigure.day <= until.isoformat())
    per_value = (await session.execute(select(CaseFigure.dim, CaseFigure.key, *sums).where(*period)
                                       .group_by(CaseFigure.dim, CaseFigure.key))).all()
    per_day = (await session.execute(select(CaseFigure.day, *[getattr(CaseFigure, m) for m in MEASURES])
                                     .where(*period, CaseFigure.dim == "all"))).all()
    now_rows = (await session.execute(
        select(CaseFigure.dim, CaseFigure.key, *[getattr(CaseFigure, m) for m in MEASURES])
        .where(CaseFigure.day == ALL_DAYS, CaseFigure.dim.in_(("all", "type", "place"))))).all()

    def measures(values: Iterable[Any]) -> Measures:
        return Measures(*(int(v or 0) for v in values))

    dims: dict[str, dict[str, Measures]] = {"all": {}, "type": {}, "place": {}, "channel": {}, "pt": {}, "pc": {},
                                            "src": {}}
    for dim, key, *values in per_value:
        if dim in dims:
            dims[dim][key] = measures(values)
    now: dict[str, dict[str, Measures]] = {"all": {}, "type": {}, "place": {}}
    for dim, key, *values in now_rows:
        now[dim][key] = measures(values)
    return Figures(since, until, dims["all"].get("", Measures()), {d: measures(v) for d, *v in per_day},
                   dims["type"], dims["place"], dims["channel"], dims["pt"], dims["pc"], dims["src"],
                   now["all"].get("", Measures()),
                   now["type"], now["place"])


async def now_in(session: AsyncSession, places: Collection[str]) -> Measures:
    """The ledger now (open, overdue, late, under a red card …) summed over these places: one
    kept row per place, however many cases they hold."""
    if not places:
        return Measures()
    sums = [func.sum(getattr(CaseFigure, m)) for m in MEASURES]
    row = (await session.execute(select(*sums).where(
        CaseFigure.day == ALL_DAYS, CaseFigure.dim == "place",
        in_values(CaseFigure.key, sorted(places), dialect_of(session))))).one()
    return Measures(*(int(v or 0) for v in row))


# ---- rebuilding ----------------------------------------------------------------------------------

async def rebuild(db: Database) -> int:
    """Recount the figures, the assignees' open flags and the open load per staff member from
    the cases, in one transaction (PostgreSQL: the counters are locked against concurrent
    changes meanwhile). Returns the cases counted."""
    tz = db.timezone
    counted = 0
    async with db.session() as s:
        if db.dialect == "postgresql":
            await s.execute(text("LOCK TABLE case_figures, staff_load IN EXCLUSIVE MODE"))
        await s.execute(delete(CaseFigure))
        totals: dict[tuple[str, str, str], Counter[str]] = {}
        last = 0
        while True:
            batch = (await s.execute(select(Case.id, *[getattr(Case, n) for n in FACT_FIELDS])
                                     .where(Case.id > last).order_by(Case.id).limit(_BATCH))).all()
            if not batch:
                break
            last = batch[-1][0]
            for row in batch:
                for key, m in contribution(Facts(*row[1:]), tz).items():
                    c = totals.setdefault(key, Counter())
                    for name, value in m.items():
                        if value:
                            c[name] += value
            counted += len(batch)
        rows = [{"day": d, "dim": dim, "key": k, **{m: c.get(m, 0) for m in MEASURES}}
                for (d, dim, k), c in sorted(totals.items())]
        for i in range(0, len(rows), 1000):
            await s.execute(insert(table_of(CaseFigure)), rows[i:i + 1000])
        open_ids = select(Case.id).where(Case.status.in_(OPEN_STATUSES))
        await s.execute(update(CaseAssignee).values(open=CaseAssignee.case_id.in_(open_ids)))
        await s.execute(delete(StaffLoad))
        await s.execute(insert(table_of(StaffLoad)).from_select(
            ["staff_id", "open_cases"],
            select(CaseAssignee.staff_id, func.count()).where(CaseAssignee.open.is_(True))
            .group_by(CaseAssignee.staff_id)))
        await _set_meta(s, META_KEY, built_mark(tz))
    log.info("figures rebuilt from %d cases", counted)
    return counted


async def ensure_built(db: Database) -> bool:
    """Rebuild when the figures were never built here, or for another time zone."""
    async with db.session() as s:
        built = await s.scalar(select(Meta.value).where(Meta.key == META_KEY))
    if built == built_mark(db.timezone):
        return False
    await rebuild(db)
    return True


def built_mark(tz: str) -> str:
    """What the kept rows were counted with: the time zone of their days, and what they hold."""
    return tz if VERSION == "1" else f"{tz}|v{VERSION}"


async def _set_meta(session: AsyncSession, key: str, value: str) -> None:
    row = await session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value
