"""The mediation record (卷宗) of a case: its parties, the invitations that let a party join
in their own chat, sessions, agreements, follow-up visits and their clocks; and the figures
the centre and the justice bureau read from them.

Like the case store, it only reads and writes; the rules (who may, what is told to whom) are
bot/mediation.py's. Every change here is paired there with a ledger event.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.lifecycle import CaseOrigin, Confirmation, Consent, PartyKind, PartyRole, Performance
from storage.models import (
    Agreement,
    Case,
    CaseCounter,
    CaseParty,
    DocumentLink,
    FollowUp,
    Invitation,
    MediationSession,
    MediationTimer,
)
from storage.sql import dialect_of, rowcount


def hash_token(token: str) -> str:
    return hashlib.sha256(token.strip().upper().encode()).hexdigest()


@dataclass(frozen=True)
class Redeemed:
    invitation: Invitation
    party: CaseParty


class MediationStore:
    def __init__(self, session: AsyncSession, *, now: datetime):
        self.session = session
        self.now = now

    # parties ---------------------------------------------------------------------------
    async def parties(self, case_id: int) -> Sequence[CaseParty]:
        return (await self.session.scalars(select(CaseParty).where(CaseParty.case_id == case_id)
                                           .order_by(CaseParty.id))).all()

    async def party(self, party_id: int) -> CaseParty | None:
        return await self.session.get(CaseParty, party_id)

    async def add_party(self, case_id: int, role: PartyRole, *, kind: PartyKind = PartyKind.PERSON, name: str = "",
                        contact: str = "", address: str = "", representative: str = "", channel: str = "",
                        user: str = "", consent: Consent = Consent.PENDING) -> CaseParty:
        row = CaseParty(case_id=case_id, role=role, kind=kind, name=name, contact=contact, address=address,
                        representative=representative, channel=channel, user=user, consent=consent,
                        added_at=self.now)
        self.session.add(row)
        await self.session.flush()
        return row

    async def parties_of_chat(self, channel: str, user: str) -> Sequence[CaseParty]:
        """The parties a chat speaks for (a person may be a party to several cases)."""
        return (await self.session.scalars(select(CaseParty).where(CaseParty.channel == channel,
                                                                   CaseParty.user == user)
                                           .order_by(CaseParty.id.desc()))).all()

    # invitations -----------------------------------------------------------------------
    async def invite(self, case_id: int, party_id: int, token: str, *, expires_at: datetime, note: str,
                     created_by: str) -> Invitation:
        """A new invitation for the party; its earlier unused ones end now (the newest is the one
        the mediator passed on: an old code must not seat someone else in the party's place)."""
        await self.session.execute(
            update(Invitation).where(Invitation.party_id == party_id, Invitation.used_at.is_(None),
                                     Invitation.expires_at > self.now)
            .values(expires_at=self.now).execution_options(synchronize_session=False))
        row = Invitation(token_hash=hash_token(token), case_id=case_id, party_id=party_id, note=note,
                         created_by=created_by, created_at=self.now, expires_at=expires_at, used_by="")
        self.session.add(row)
        await self.session.flush()
        return row

    async def redeem(self, token: str, channel: str, user: str) -> Redeemed | str:
        """Use an invitation: once, before it expires. The row is taken by a compare-and-set,
        so two chats redeeming the same token at once cannot both win. A reason word when not:
        unknown | used | expired."""
        digest = hash_token(token)
        row = await self.session.scalar(select(Invitation).where(Invitation.token_hash == digest))
        if row is None:
            return "unknown"
        if row.used_at is not None:
            return "used"
        if row.expires_at <= self.now:
            return "expired"
        taken = await self.session.execute(
            update(Invitation).where(Invitation.id == row.id, Invitation.used_at.is_(None))
            .values(used_at=self.now, used_by=f"{channel}:{user}").execution_options(synchronize_session=False))
        if rowcount(taken) != 1:
            return "used"
        await self.session.refresh(row)
        party = await self.session.get(CaseParty, row.party_id)
        if party is None:                   # a foreign key: cannot be, short of a broken database
            raise LookupError(f"invitation {row.id} names no party")
        party.channel, party.user = channel, user
        return Redeemed(row, party)

    # sessions --------------------------------------------------------------------------
    async def sessions(self, case_id: int) -> Sequence[MediationSession]:
        return (await self.session.scalars(select(MediationSession).where(MediationSession.case_id == case_id)
                                           .order_by(MediationSession.seq))).all()

    async def add_session(self, case_id: int, *, starts_at: datetime | None, place: str, video_url: str,
                          scheduled_by: str) -> MediationSession:
        seq = int(await self.session.scalar(select(func.count()).select_from(MediationSession)
                                            .where(MediationSession.case_id == case_id)) or 0) + 1
        row = MediationSession(case_id=case_id, seq=seq, starts_at=starts_at, place=place, video_url=video_url,
                               scheduled_by=scheduled_by, record={}, created_at=self.now)
        self.session.add(row)
        await self.session.flush()
        return row

    # agreements ------------------------------------------------------------------------
    async def next_agreement_seq(self, year: int, prefix: str = "") -> int:
        """The committee's running number for the year: one counter row per committee (its
        number's prefix) and year ("A26" + a digest of the prefix: the key column holds 8
        characters); a counter new to a committee starts after the numbers it already gave
        (the one counter all committees shared before)."""
        key = f"A{year % 100:02d}" + hashlib.sha1(prefix.encode()).hexdigest()[:5]
        ins = pg_insert if dialect_of(self.session) == "postgresql" else sqlite_insert
        start = 1
        if await self.session.get(CaseCounter, key) is None:
            given = (await self.session.scalars(select(Agreement.number).where(
                Agreement.number.like(f"{prefix}〔{year}〕%")))).all()
            start = 1 + max((int(m.group(1)) for n in given if (m := re.search(r"〕(\d+)号", n))), default=0)
        stmt = (ins(CaseCounter).values(day=key, last=start)
                .on_conflict_do_update(index_elements=[CaseCounter.day], set_={"last": CaseCounter.last + 1})
                .returning(CaseCounter.last))
        return int((await self.session.execute(stmt)).scalar_one())

    async def add_agreement(self, **fields: Any) -> Agreement:
        row = Agreement(signed_at=self.now, **fields)
        self.session.add(row)
        await self.session.flush()
        return row

    async def agreements(self, case_id: int) -> Sequence[Agreement]:
        return (await self.session.scalars(select(Agreement).where(Agreement.case_id == case_id)
                                           .order_by(Agreement.id))).all()

    async def latest_agreement(self, case_id: int) -> Agreement | None:
        return await self.session.scalar(select(Agreement).where(Agreement.case_id == case_id)
                                         .order_by(Agreement.id.desc()).limit(1))

    # follow-up visits ------------------------------------------------------------------
    async def add_follow_up(self, case_id: int, agreement_id: int, due_at: datetime) -> FollowUp:
        row = FollowUp(case_id=case_id, agreement_id=agreement_id, due_at=due_at, staff_id="", risk="",
                       reopened=False)
        self.session.add(row)
        await self.session.flush()
        return row

    async def open_follow_up(self, case_id: int) -> FollowUp | None:
        """The follow-up visit of the case not yet reported (the earliest)."""
        return await self.session.scalar(select(FollowUp).where(FollowUp.case_id == case_id,
                                                                FollowUp.done_at.is_(None))
                                         .order_by(FollowUp.id).limit(1))

    # links to the documents -----------------------------------------------------------
    async def add_document_link(self, case_id: int, kind: str, token: str, *, staff_id: str,
                                expires_at: datetime) -> DocumentLink:
        row = DocumentLink(token_hash=hash_token(token), case_id=case_id, kind=kind, staff_id=staff_id,
                           expires_at=expires_at)
        self.session.add(row)
        await self.session.flush()
        return row

    async def document_link(self, token: str) -> DocumentLink | None:
        """The link, while it has not expired."""
        row = await self.session.scalar(select(DocumentLink).where(DocumentLink.token_hash == hash_token(token)))
        return row if row is not None and row.expires_at > self.now else None

    # clocks ----------------------------------------------------------------------------
    async def add_timer(self, case_id: int, kind: str, ref_id: int, due_at: datetime) -> MediationTimer:
        row = MediationTimer(case_id=case_id, kind=kind, ref_id=ref_id, due_at=due_at)
        self.session.add(row)
        await self.session.flush()
        return row

    async def due_timers(self, limit: int) -> Sequence[MediationTimer]:
        return (await self.session.scalars(select(MediationTimer).where(MediationTimer.done_at.is_(None),
                                                                        MediationTimer.due_at <= self.now)
                                           .order_by(MediationTimer.due_at, MediationTimer.id).limit(limit))).all()

    async def claim_timer(self, timer_id: int) -> bool:
        """Mark a timer fired; False when another runner did first (compare-and-set)."""
        done = await self.session.execute(
            update(MediationTimer).where(MediationTimer.id == timer_id, MediationTimer.done_at.is_(None))
            .values(done_at=self.now).execution_options(synchronize_session=False))
        return rowcount(done) == 1

    async def timers(self, case_id: int) -> Sequence[MediationTimer]:
        return (await self.session.scalars(select(MediationTimer).where(MediationTimer.case_id == case_id)
                                           .order_by(MediationTimer.due_at, MediationTimer.id))).all()


# figures -------------------------------------------------------------------------------

@dataclass
class MediationFigures:
    """What the centre's dashboard and the justice bureau's reports read: agreements signed in
    the period (by their signing time) and cases opened in it (by origin)."""
    agreements: int = 0
    written: int = 0
    oral: int = 0
    amount_yuan: float = 0.0
    performed: int = 0
    performed_on_time: int = 0
    overdue: int = 0                      # deadline passed, not (yet) performed
    not_performed: int = 0                # recorded as not (or partly) performed
    confirmations_applied: int = 0        # applied, whatever the court decided since
    confirmations_accepted: int = 0       # accepted and not yet decided
    confirmations_granted: int = 0
    confirmations_refused: int = 0
    follow_ups_due: int = 0
    follow_ups_done: int = 0
    follow_ups_reopened: int = 0
    cases_by_origin: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


async def mediation_figures(session: AsyncSession, *, since: datetime | None = None, until: datetime | None = None,
                            places: frozenset[str] | None = None) -> MediationFigures:
    """Aggregates in the database (a few GROUP BY queries), not rows brought back. `places`: only
    cases at those places (the console's area); None: everywhere."""
    out = MediationFigures()
    in_area = (Case.place_code.in_(sorted(places)),) if places is not None else ()
    signed: list[ColumnElement[bool]] = []
    if since is not None:
        signed.append(Agreement.signed_at >= since)
    if until is not None:
        signed.append(Agreement.signed_at < until)
    on_time = ((Agreement.performance == Performance.PERFORMED) & Agreement.performed_at.is_not(None)
               & (Agreement.performance_due.is_(None) | (Agreement.performed_at <= Agreement.performance_due)))
    agreements = select(Agreement.form, Agreement.performance, Agreement.confirmation, func.count(),
                        func.coalesce(func.sum(Agreement.amount_fen), 0), func.sum(case((on_time, 1), else_=0)))
    if places is not None:
        agreements = agreements.join(Case, Case.id == Agreement.case_id).where(*in_area)
    rows = (await session.execute(agreements.where(*signed)
                                  .group_by(Agreement.form, Agreement.performance, Agreement.confirmation))).all()
    for form, performance, confirmation, n, fen, timely in rows:
        n = int(n)
        out.agreements += n
        if form == "oral":
            out.oral += n
        else:
            out.written += n
        out.amount_yuan += int(fen) / 100
        if performance == Performance.PERFORMED:
            out.performed += n
        out.performed_on_time += int(timely or 0)
        if performance == Performance.OVERDUE:
            out.overdue += n
        elif performance in (Performance.NOT_PERFORMED, Performance.PARTLY):
            out.not_performed += n
        if confirmation != Confirmation.NONE:
            out.confirmations_applied += n
        if confirmation == Confirmation.ACCEPTED:
            out.confirmations_accepted += n
        elif confirmation == Confirmation.CONFIRMED:
            out.confirmations_granted += n
        elif confirmation == Confirmation.REFUSED:
            out.confirmations_refused += n
    out.amount_yuan = round(out.amount_yuan, 2)
    # a visit counts in the period it was made, or, not yet made, in the one it is due
    # (one made before its due day counted nowhere the day it was made)
    when = func.coalesce(FollowUp.done_at, FollowUp.due_at)
    due: list[ColumnElement[bool]] = []
    if since is not None:
        due.append(when >= since)
    if until is not None:
        due.append(when < until)
    visits_q = select(func.count(), func.count(FollowUp.done_at),
                      func.sum(case((FollowUp.reopened.is_(True), 1), else_=0)))
    if places is not None:
        visits_q = visits_q.join(Case, Case.id == FollowUp.case_id).where(*in_area)
    visits = (await session.execute(visits_q.where(*due))).one()
    out.follow_ups_due, out.follow_ups_done = int(visits[0]), int(visits[1])
    out.follow_ups_reopened = int(visits[2] or 0)
    opened: list[ColumnElement[bool]] = list(in_area)
    if since is not None:
        opened.append(Case.created_at >= since)
    if until is not None:
        opened.append(Case.created_at < until)
    out.cases_by_origin = {o.value: 0 for o in CaseOrigin}
    for origin, n in (await session.execute(select(Case.origin, func.count()).where(*opened)
                                            .group_by(Case.origin))).all():
        out.cases_by_origin[origin] = int(n)
    return out
