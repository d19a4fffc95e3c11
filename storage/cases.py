"""Cases and their ledger. Every change goes through here so that the ledger is complete."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.lifecycle import OPEN_STATUSES, Result, check_transition
from storage.models import Case, CaseAssignee, CaseCounter, CaseEvent, StaffLoad
from storage.sql import dialect_of, in_values

CORRECTABLE = {"type": "type", "risk": "risk", "place": "place_code"}     # what a correction may change
# the day's sequence in full ("007"), or as people type it after a space or a dash ("jf 261123 7",
# "jf261123-7"), not a number that goes on into something else ("JF261123 7月")
_BARE_NUMBER = re.compile(r"\s*(\d{6})\s*-\s*(\d{3})\s*")
_NUMBER = re.compile(r"([A-Za-z]{1,4})\s*-?\s*(\d{6})(?:\s*-?\s*(\d{3,6})|[\s-]*(\d{1,2})(?![\d.:：月日号点时分楼栋层]))")


# full-width digits and Latin letters (what an input method types: ８５００, ＪＦ) as ASCII
FULL_WIDTH_ALNUM = str.maketrans({chr(c): chr(c - 0xFEE0) for lo, hi in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B),
                                                                      (0xFF41, 0xFF5B)) for c in range(lo, hi)})
# what Chinese input methods type for a number's letters, digits and dash (ＪＦ２６１１２３－００１,
# JF261123—001), one character for one: positions in the text stay where they were
NUMBER_CHARS = {**FULL_WIDTH_ALNUM, **str.maketrans({"－": "-", "—": "-", "–": "-", "−": "-", "\u3000": " "})}


def find_number(text: str, prefix: str = "JF") -> tuple[str, tuple[int, int]] | None:
    """The case number in `text` and where it is written; None when there is none."""
    said = text.translate(NUMBER_CHARS)
    m = _NUMBER.search(said)
    if not m or m.group(1).upper() != prefix.upper():
        bare = _BARE_NUMBER.fullmatch(said)      # "261123-001" sent alone: the number without its letters
        return (f"{prefix.upper()}{bare.group(1)}-{bare.group(2)}", bare.span()) if bare else None
    return f"{prefix.upper()}{m.group(2)}-{int(m.group(3) or m.group(4)):03d}", m.span()


def canonical_number(text: str, prefix: str = "JF") -> str | None:
    """'jf 261123 007', 'JF261123-007', 'ＪＦ２６１１２３－００７' → 'JF261123-007'; None when there
    is no number."""
    found = find_number(text, prefix)
    return found[0] if found else None


_LEDGER = "jiefen_ledger"      # session.info: ledger rows not yet written


def write_ledger(session: Session) -> None:
    """Write the ledger rows a unit of work has noted, in one executemany (the commit hook;
    storage.db.Database): a message's five or ten events cost one round trip, not one each."""
    rows = session.info.pop(_LEDGER, None)
    if rows:
        session.execute(insert(CaseEvent), rows)


def forget_ledger(session: Session) -> None:
    session.info.pop(_LEDGER, None)


@dataclass(frozen=True)
class NewCase:
    intake_key: str
    type: str
    risk: str
    place_code: str | None
    channel: str
    reporter: str
    description: str
    contact: str = ""
    contact_note: str = ""                       # how (not) to reach them, as said
    reporter_name: str = ""
    parties: tuple[dict[str, Any], ...] = ()
    risk_reasons: tuple[str, ...] = ()
    source: str = ""
    media: tuple[dict[str, Any], ...] = ()
    level: str = "village"
    model_version: str = ""                      # the understanding that read the report
    attention: str = ""                          # why the centre should look at it first (unanswered safety question)


class CaseStore:
    def __init__(self, session: AsyncSession, *, now: datetime, prefix: str = "JF", tz: str = "Asia/Shanghai"):
        self.session = session
        self.now = now          # one instant per unit of work: every row it writes agrees
        self.prefix = prefix
        self.tz = ZoneInfo(tz)
        # cases this unit of work has in hand, by number: the session would hand back the same
        # objects, so asking the database again (the ledger middleware does, per message) is spared
        self._known: dict[str, Case] = {}

    async def open(self, new: NewCase, history: Iterable[tuple[datetime, str, str, dict[str, Any]]] = ()) -> tuple[Case, bool]:
        """Open a case, or find the one this intake already opened (a retried confirmation).
        `history` (at, kind, actor, data) is the intake conversation, written to the ledger."""
        existing = await self.by_intake_key(new.intake_key)
        if existing is not None:
            return existing, False
        case = Case(number=await self._next_number(), intake_key=new.intake_key, type=new.type, risk=new.risk,
                    risk_reasons=list(new.risk_reasons), status="received", level=new.level,
                    place_code=new.place_code, channel=new.channel, reporter=new.reporter,
                    reporter_name=new.reporter_name, contact=new.contact, contact_note=new.contact_note,
                    parties=list(new.parties),
                    description=new.description, source=new.source, media=list(new.media), assignments=[],
                    created_at=self.now, updated_at=self.now)
        self.session.add(case)
        await self.session.flush()
        self._known[case.number] = case
        await self.record(case, history)
        await self.event(case, "created", new.channel + ":" + new.reporter, status="received", type=new.type,
                         risk=new.risk, place=new.place_code, source=new.source, model_version=new.model_version)
        if new.attention:
            await self.event(case, "attention", "intake", reason=new.attention)
        return case, True

    async def _next_number(self) -> str:
        day = self.now.astimezone(self.tz).strftime("%y%m%d")
        insert = pg_insert if dialect_of(self.session) == "postgresql" else sqlite_insert
        stmt = (insert(CaseCounter).values(day=day, last=1)
                .on_conflict_do_update(index_elements=[CaseCounter.day], set_={"last": CaseCounter.last + 1})
                .returning(CaseCounter.last))
        seq = (await self.session.execute(stmt)).scalar_one()
        return f"{self.prefix}{day}-{seq:03d}"

    async def event(self, case: Case, kind: str, actor: str = "", /, **data: Any) -> None:
        """Add to the case's ledger. Written with the unit of work's other ledger rows in one
        statement, before the ledger is next read through this store and at the commit."""
        self._ledger().append({"case_id": case.id, "at": self.now, "kind": kind, "actor": actor, "data": data})

    async def record(self, case: Case, history: Iterable[tuple[datetime, str, str, dict[str, Any]]]) -> None:
        """Write events that happened earlier (a conversation before its case existed)."""
        self._ledger().extend({"case_id": case.id, "at": at, "kind": kind, "actor": actor, "data": data}
                              for at, kind, actor, data in history)

    def _ledger(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.session.info.setdefault(_LEDGER, [])
        return rows

    async def _written(self) -> None:
        """Reads of the ledger see what this unit of work added to it."""
        rows = self.session.info.pop(_LEDGER, None)
        if rows:
            await self.session.execute(insert(CaseEvent), rows)

    async def transition(self, case: Case, status: str, actor: str, /, **data: Any) -> None:
        """Move a case; refused (TransitionRefused) unless the life cycle allows it."""
        check_transition(case.number, case.status, status)
        before = case.status
        case.status = status
        case.updated_at = self.now
        if status == "dispatched" and case.dispatched_at is None:
            case.dispatched_at = self.now
        elif status == "resolved":
            case.resolved_at = self.now
            case.result = Result(data.pop("result", Result.SETTLED)).value
            data["result"] = case.result
        elif status == "closed":
            case.closed_at = self.now
            data["result"] = case.result
        elif status == "mediating" and before in ("resolved", "closed"):
            case.resolved_at = None
            case.closed_at = None
            case.result = None
        await self.event(case, "status", actor, before=before, after=status, **data)

    def assign(self, case: Case, people: Iterable[tuple[str, str]], *, keep_clock: bool = False) -> None:
        """Make (staff id, role), in order, the case's assignees; the clocks restart from now,
        unless `keep_clock` (a transfer at the same level: handing a case on and back again
        put its red card off by 15 working days each time)."""
        case.set_assignees(people, since=self.now)
        if not keep_clock or case.assigned_at is None:
            case.assigned_at = self.now
        case.updated_at = self.now

    def add_assignee(self, case: Case, staff_id: str, role: str) -> None:
        """One more assignee (a supervisor who takes a case over, a grid worker who joins); the
        clocks keep running."""
        if staff_id not in case.assignees:
            case.set_assignees([(a.staff_id, a.role) for a in case.assignments] + [(staff_id, role)], since=self.now)

    async def update(self, case: Case, actor: str, /, **fields: Any) -> None:
        """Change descriptive fields; the ledger keeps what they were."""
        before = {k: getattr(case, k) for k in fields}
        for k, v in fields.items():
            setattr(case, k, v)
        case.updated_at = self.now
        await self.event(case, "updated", actor, before=before, after=fields)

    async def correct(self, case: Case, actor: str, field: str, after: str, reason: str, /) -> None:
        """A person corrects the reading (type, risk or place): the field changes and the ledger
        keeps who, why, and what it was — the understanding layer learns from these rows."""
        column = CORRECTABLE[field]
        before = getattr(case, column)
        setattr(case, column, after)
        case.updated_at = self.now
        await self.event(case, "corrected", actor, field=field, before=before or "", after=after, reason=reason)

    async def by_intake_key(self, key: str) -> Case | None:
        return await self.session.scalar(select(Case).where(Case.intake_key == key))

    async def get(self, number: str) -> Case | None:
        if number in self._known:
            return self._known[number]
        case = await self.session.scalar(select(Case).where(Case.number == number))
        if case is not None:
            self._known[number] = case
        return case

    async def get_by_id(self, case_id: int) -> Case | None:
        case = await self.session.get(Case, case_id)
        if case is not None:
            self._known[case.number] = case
        return case

    async def get_for_update(self, number: str) -> Case | None:
        case = await self.session.scalar(select(Case).where(Case.number == number).with_for_update())
        if case is not None:
            self._known[number] = case
        return case

    async def by_reporter(self, channel: str, reporter: str, *, open_only: bool = False, limit: int = 20) -> Sequence[Case]:
        q = select(Case).where(Case.channel == channel, Case.reporter == reporter)
        if open_only:
            q = q.where(Case.status.in_(OPEN_STATUSES))
        return (await self.session.scalars(q.order_by(Case.created_at.desc(), Case.id.desc()).limit(limit))).all()

    async def account_of(self, contact: str, channel: str) -> str | None:
        """The account on `channel` that last reported with this phone number (a party invited by
        phone who follows the Official Account is told there too)."""
        if not contact:
            return None
        return await self.session.scalar(select(Case.reporter).where(Case.contact == contact, Case.channel == channel)
                                         .order_by(Case.id.desc()).limit(1))

    async def linked_by(self, channel: str, user: str, *, limit: int = 20) -> Sequence[Case]:
        """Cases this person reported again after someone else had (their report was joined)."""
        await self._written()
        # a subquery, not DISTINCT over the cases' columns: PostgreSQL cannot compare JSON ones
        linked = select(CaseEvent.case_id).where(CaseEvent.kind == "linked_report",
                                                 CaseEvent.actor == f"{channel}:{user}")
        q = select(Case).where(Case.id.in_(linked))
        return (await self.session.scalars(q.order_by(Case.created_at.desc(), Case.id.desc()).limit(limit))).all()

    async def reporters(self, case: Case) -> list[tuple[str, str]]:
        """(channel, user) of everyone who reported this dispute, the reporter of record first."""
        await self._written()
        actors = (await self.session.scalars(
            select(CaseEvent.actor).where(CaseEvent.case_id == case.id, CaseEvent.kind == "linked_report")
            .order_by(CaseEvent.id))).all()
        found = [(case.channel, case.reporter)]
        for actor in actors:
            channel, _, user = actor.partition(":")
            if user and (channel, user) not in found:
                found.append((channel, user))
        return found

    async def recent(self, *, since: datetime, place_codes: Iterable[str | None] | None = None,
                     types: Iterable[str] | None = None, open_only: bool = True) -> Sequence[Case]:
        """Candidates for duplicate detection: opened since `since`, at one of `place_codes`
        (None among them: cases without a place) and of one of `types`; read through the
        (place, type, opened) index."""
        q = select(Case).where(Case.created_at >= since)
        if open_only:
            q = q.where(Case.status.in_(OPEN_STATUSES))
        if place_codes is not None:
            codes = set(place_codes)
            named = [c for c in codes if c is not None]
            cond = in_values(Case.place_code, named, dialect_of(self.session)) if named else None
            if None in codes:
                cond = Case.place_code.is_(None) if cond is None else (cond | Case.place_code.is_(None))
            if cond is None:
                return []
            q = q.where(cond)
        if types is not None:
            q = q.where(Case.type.in_(sorted(set(types))))
        # ordered here, not in SQL: an ORDER BY id would tempt the planner into the (place, id)
        # index, which reads every case ever filed without a place
        found = sorted((await self.session.scalars(q)).all(), key=lambda c: c.id)
        self._known.update((c.number, c) for c in found)
        return found

    async def mine(self, staff_id: str, *, limit: int = 20) -> Sequence[Case]:
        """A staff member's open cases, oldest first (the case_assignees index)."""
        q = (select(Case).join(CaseAssignee, CaseAssignee.case_id == Case.id)
             .where(CaseAssignee.staff_id == staff_id, CaseAssignee.open.is_(True))
             .order_by(CaseAssignee.case_id).limit(limit))
        return (await self.session.scalars(q)).all()

    async def open_load(self, staff_ids: Iterable[str]) -> dict[str, int]:
        """Open cases per staff member (the maintained counts; absent: none)."""
        ids = sorted(set(staff_ids))
        if not ids:
            return {}
        rows = (await self.session.execute(select(StaffLoad.staff_id, StaffLoad.open_cases)
                                           .where(in_values(StaffLoad.staff_id, ids, dialect_of(self.session))))).all()
        return {s: int(n) for s, n in rows}

    async def list(self, *, status: str | None = None, limit: int | None = None) -> Sequence[Case]:
        """Small lists (tests, tools); a long one is paged: storage/case_list.py."""
        q = select(Case).order_by(Case.id)
        if status:
            q = q.where(Case.status == status)
        if limit:
            q = q.limit(limit)
        return (await self.session.scalars(q)).all()

    async def events(self, case: Case, kinds: Iterable[str] | None = None) -> Sequence[CaseEvent]:
        """A case's ledger in order; `kinds`: only those (the (case, kind) index)."""
        await self._written()
        q = select(CaseEvent).where(CaseEvent.case_id == case.id)
        if kinds is not None:
            q = q.where(CaseEvent.kind.in_(sorted(set(kinds))))
        return (await self.session.scalars(q.order_by(CaseEvent.id))).all()

    async def latest_event(self, case: Case, kinds: Iterable[str]) -> CaseEvent | None:
        await self._written()
        return await self.session.scalar(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind.in_(sorted(set(kinds))))
            .order_by(CaseEvent.id.desc()).limit(1))

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(Case)) or 0)

