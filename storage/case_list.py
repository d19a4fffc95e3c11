"""Lists of cases with filters, a sort and keyset paging: `jiefen cases`, exports, and the
console's case list. A page is found by seeking an index to where the last one ended (the
cursor), so the thousandth page costs what the first does; `stream_cases` walks the same way,
one short transaction per batch, with memory flat in the number of cases.

    flt = CaseFilter(statuses=frozenset(OPEN_STATUSES), places=registry.subtree("DX"))
    async with db.session() as s:
        page = await page_cases(s, flt, limit=50)
        more = await page_cases(s, flt, limit=50, cursor=page.next_cursor)
"""
from __future__ import annotations

import base64
import enum
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from storage.db import Database
from storage.lifecycle import OPEN_STATUSES, EventKind
from storage.models import Case, CaseAssignee, CaseEvent
from storage.sql import dialect_of, in_values

MAX_PAGE = 500


class Sort(enum.Enum):
    CREATED = "created"        # opening order (the id)
    UPDATED = "updated"        # last change
    DUE = "due"                # the next clock: what needs looking at first (open cases only)


class BadCursor(ValueError):
    pass


class UnknownPlace(LookupError):
    """A place filter naming no place of the registry."""


@dataclass(frozen=True)
class Scope:
    """What one person may see: cases at `places` (a subtree; None: everywhere) of `types` (None:
    every type), and whatever is assigned to `staff_id` wherever it is. Built from the registry
    by bot/scope.py; `None` as a whole filter's scope means no limit (the county centre)."""
    places: frozenset[str] | None = None
    types: frozenset[str] | None = None
    staff_id: str | None = None


@dataclass(frozen=True)
class CaseFilter:
    """Every field narrows the list; an empty one does not filter."""
    statuses: frozenset[str] = frozenset()
    results: frozenset[str] = frozenset()       # how concluded cases ended (storage.lifecycle.Result)
    types: frozenset[str] = frozenset()
    risks: frozenset[str] = frozenset()
    places: frozenset[str] | None = None        # a subtree (Registry.subtree); empty set: nothing
    channels: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()       # dispute codes (解纷码) the reports came through
    assignee: str | None = None                 # a staff id
    created_from: datetime | None = None        # opened at or after
    created_to: datetime | None = None          # opened before
    overdue: bool = False                       # only open cases past a deadline
    red_card: bool = False                      # only cases given a red card
    several: bool = False                       # only disputes reported by more than one resident
    rated: bool = False                         # only cases their resident rated
    text: str = ""                              # words in the description (a substring)
    number: str = ""                            # a case number, or its start
    scope: Scope | None = None                  # what the person listing may see (None: everything)


@dataclass(frozen=True)
class Page:
    cases: Sequence[Case]
    next_cursor: str | None                     # None: this was the last page


def _where(q: Select[Any], flt: CaseFilter, dialect: str) -> Select[Any]:
    if flt.statuses:
        q = q.where(Case.status.in_(sorted(flt.statuses)))
    if flt.results:
        q = q.where(Case.result.in_(sorted(flt.results)))
    if flt.types:
        q = q.where(Case.type.in_(sorted(flt.types)))
    if flt.risks:
        q = q.where(Case.risk.in_(sorted(flt.risks)))
    if flt.places is not None:
        q = q.where(in_values(Case.place_code, sorted(flt.places), dialect))
    if flt.channels:
        q = q.where(Case.channel.in_(sorted(flt.channels)))
    if flt.sources:
        q = q.where(in_values(Case.source, sorted(flt.sources), dialect))
    if flt.created_from is not None:
        q = q.where(Case.created_at >= flt.created_from)
    if flt.created_to is not None:
        q = q.where(Case.created_at < flt.created_to)
    if flt.overdue:
        q = q.where(Case.overdue_since.is_not(None), Case.status.in_(OPEN_STATUSES))
    if flt.red_card:
        q = q.where(Case.red_card_at.is_not(None))
    if flt.rated:
        q = q.where(Case.satisfaction.is_not(None))
    if flt.several:
        q = q.where(exists().where(CaseEvent.case_id == Case.id, CaseEvent.kind == EventKind.LINKED_REPORT))
    for word in flt.text.split()[:8]:       # "工资 厂": each word, in any order
        q = q.where(Case.description.like(f"%{_escape(word)}%", escape="\\"))
    if flt.number.strip():
        q = q.where(Case.number.like(f"{_escape(flt.number.strip().upper())}%", escape="\\"))
    if flt.scope is not None:
        q = q.where(scope_condition(flt.scope, dialect))
    if flt.assignee:
        # only open statuses asked for: the (staff, open, case) index range in case order
        only_open = bool(flt.statuses) and flt.statuses <= OPEN_STATUSES
        on = [CaseAssignee.case_id == Case.id, CaseAssignee.staff_id == flt.assignee]
        if only_open:
            on.append(CaseAssignee.open.is_(True))
        q = q.join(CaseAssignee, and_(*on))
    return q


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def scope_condition(scope: Scope, dialect: str) -> ColumnElement[bool]:
    """Cases inside the scope: at its places and of its types, or assigned to its person."""
    parts = []
    if scope.places is not None:
        parts.append(in_values(Case.place_code, sorted(scope.places), dialect))
    if scope.types is not None:
        parts.append(Case.type.in_(sorted(scope.types)))
    if not parts:
        return Case.id.is_not(None)
    inside = and_(*parts)
    if scope.staff_id:
        # an alias: the list filtered by assignee joins CaseAssignee itself, and the subquery
        # would correlate to that join and lose its FROM (a trial's 500 for every non-centre)
        theirs = aliased(CaseAssignee)
        mine = exists().where(theirs.case_id == Case.id, theirs.staff_id == scope.staff_id)
        return or_(inside, mine)
    return inside


def _key(sort: Sort) -> Any:
    return {Sort.CREATED: None, Sort.UPDATED: Case.updated_at, Sort.DUE: Case.next_due_at}[sort]


def _encode(sort: Sort, descending: bool, case: Case) -> str:
    col = _key(sort)
    value = getattr(case, col.key) if col is not None else None
    raw = json.dumps([sort.value, descending, value.isoformat() if value else None, case.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, sort: Sort, descending: bool) -> tuple[datetime | None, int]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        s, d, value, case_id = raw
        if s != sort.value or d != descending or not isinstance(case_id, int):
            raise ValueError("the cursor belongs to another sort")
        return (datetime.fromisoformat(value) if value else None), case_id
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise BadCursor(str(exc)) from exc


def _ordered(q: Select[Any], sort: Sort, descending: bool, after: tuple[datetime | None, int] | None,
             joined: bool = False) -> Select[Any]:
    col = _key(sort)
    if col is None:
        if after is not None:
            q = q.where(Case.id < after[1] if descending else Case.id > after[1])
            if joined:           # the seek on the assignees' index too (PostgreSQL does not carry it over)
                q = q.where(CaseAssignee.case_id < after[1] if descending else CaseAssignee.case_id > after[1])
        return q.order_by(Case.id.desc() if descending else Case.id)
    if after is not None:
        q = q.where(tuple_(col, Case.id) < tuple_(after[0], after[1]) if descending
                    else tuple_(col, Case.id) > tuple_(after[0], after[1]))
    return q.order_by(*((col.desc(), Case.id.desc()) if descending else (col, Case.id)))


async def page_cases(session: AsyncSession, flt: CaseFilter = CaseFilter(), *, sort: Sort = Sort.CREATED,
                     descending: bool = True, limit: int = 50, cursor: str | None = None) -> Page:
    """One page; `cursor` is the previous page's `next_cursor` (BadCursor when it is not one)."""
    limit = max(1, min(limit, MAX_PAGE))
    after = _decode(cursor, sort, descending) if cursor else None
    base = _where(select(Case), flt, dialect_of(session))
    if sort is Sort.DUE:
        # the cases with a clock by their next due time, then those without one, oldest first
        # (a cursor whose due time is None is in that second part)
        rows: list[Case] = []
        if after is None or after[0] is not None:
            q = _ordered(base.where(Case.next_due_at.is_not(None)), sort, descending, after, bool(flt.assignee))
            rows = list((await session.scalars(q.limit(limit + 1))).all())
        if len(rows) <= limit:
            q = base.where(Case.next_due_at.is_(None))
            if after is not None and after[0] is None:
                q = q.where(Case.id > after[1])
            rows += list((await session.scalars(q.order_by(Case.id).limit(limit + 1 - len(rows)))).all())
    else:
        q = _ordered(base, sort, descending, after, bool(flt.assignee))
        rows = list((await session.scalars(q.limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, _encode(sort, descending, rows[-1]) if more and rows else None)


async def count_cases(session: AsyncSession, flt: CaseFilter = CaseFilter()) -> int:
    """How many cases the filter lets through (the list's "N cases"; a figure's drill-down)."""
    q = _where(select(func.count()).select_from(Case), flt, dialect_of(session))
    return int(await session.scalar(q) or 0)


async def stream_cases(db: Database, flt: CaseFilter = CaseFilter(), *, sort: Sort = Sort.CREATED,
                       descending: bool = False, batch: int = 500) -> AsyncIterator[Case]:
    """Every case the filter lets through, in order: a batch per short transaction (closed
    before the batch is handed out, however slow the reader), then let go."""
    cursor = None
    while True:
        async with db.session() as s:
            page = await page_cases(s, flt, sort=sort, descending=descending, limit=batch, cursor=cursor)
            s.expunge_all()
        for case in page.cases:
            yield case
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def open_filter(**kw: Any) -> CaseFilter:
    return CaseFilter(statuses=frozenset(OPEN_STATUSES), **kw)

