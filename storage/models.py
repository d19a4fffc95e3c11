"""The relational schema. Alembic migrations in storage/migrations create it; keep them in step."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, Text, TypeDecorator, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite forgets the zone)."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Place(Base):
    __tablename__ = "places"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent: Mapped[str | None] = mapped_column(String(64), index=True)
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    lat: Mapped[float | None]
    lng: Mapped[float | None]


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    places: Mapped[list[Any]] = mapped_column(default=list)
    types: Mapped[list[Any]] = mapped_column(default=list)
    wecom_userid: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=20)
    active: Mapped[bool] = mapped_column(default=True)
    on_duty: Mapped[list[Any]] = mapped_column(default=list)          # ["1-5 08:00-18:00"]; empty: always


class WorkGroup(Base):
    """A work group (WeCom / WeChat group) of a grid, village or town."""
    __tablename__ = "work_groups"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(64))
    chats: Mapped[list[Any]] = mapped_column(default=list)
    webhook_key: Mapped[str] = mapped_column(String(128), default="")


LATE = "overdue_since IS NOT NULL AND red_card_at IS NULL"
CARDED = "red_card_at IS NOT NULL AND closed_at IS NULL"


class CaseAssignee(Base):
    """Who has a case: one row per (case, staff member), in the order they were named. `open`
    mirrors the case's status so "my open cases" is one index range."""
    __tablename__ = "case_assignees"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), default="")          # the staff member's role when named
    position: Mapped[int] = mapped_column(Integer, default=0)
    open: Mapped[bool] = mapped_column(default=True)
    since: Mapped[datetime | None]

    __table_args__ = (Index("ix_case_assignees_staff_open", "staff_id", "open", "case_id"),)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    intake_key: Mapped[str] = mapped_column(String(128), unique=True)   # a retried confirmation finds the same case
    type: Mapped[str] = mapped_column(String(32))
    risk: Mapped[str] = mapped_column(String(8), default="green")
    risk_reasons: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="received")
    level: Mapped[str] = mapped_column(String(16), default="village")  # who handles it: village / town / county
    place_code: Mapped[str | None] = mapped_column(ForeignKey("places.code"))
    channel: Mapped[str] = mapped_column(String(32))
    reporter: Mapped[str] = mapped_column(String(128))                   # the channel's user id
    reporter_name: Mapped[str] = mapped_column(String(64), default="")
    contact: Mapped[str] = mapped_column(String(32), default="")        # stored whole, shown masked
    # how (not) to reach the resident, as they said it ("别打这个电话给我老公知道"): shown with the contact
    contact_note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    parties: Mapped[list[Any]] = mapped_column(default=list)             # [{"role": "other", "name": ...}]
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(64), default="")         # dispute code (place) the report came through
    origin: Mapped[str] = mapped_column(String(16), default="applied")  # storage.lifecycle.CaseOrigin
    media: Mapped[list[Any]] = mapped_column(default=list)               # [{"kind": "voice", "media_id": ...}]
    satisfaction: Mapped[int | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None]
    assigned_at: Mapped[datetime | None]                                 # last (re)assignment: the clocks count from it
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # how a resolved or closed case ended (storage.lifecycle.Result); None while it is open
    result: Mapped[str | None] = mapped_column(String(16))
    # the clocks (bot/clocks.py), kept in the transaction of every change that moves them:
    next_due_at: Mapped[datetime | None]          # the next moment the scheduler has something to do
    overdue_since: Mapped[datetime | None]        # a dispatch / acceptance / result deadline has passed
    red_card_at: Mapped[datetime | None]          # the last red card (红牌警告)

    assignments: Mapped[list[CaseAssignee]] = relationship(
        order_by=CaseAssignee.position, lazy="selectin", cascade="all, delete-orphan")

    __table_args__ = (
        Index("ix_cases_status_id", "status", "id"),
        Index("ix_cases_type_id", "type", "id"),
        Index("ix_cases_place_id", "place_code", "id"),
        Index("ix_cases_duplicates", "place_code", "type", "created_at"),   # the duplicate window
        Index("ix_cases_reporter_created", "channel", "reporter", "created_at"),
        Index("ix_cases_created_at", "created_at"),
        Index("ix_cases_contact", "contact", "channel"),             # a party invited by phone who follows the account
        Index("ix_cases_updated_id", "updated_at", "id"),
        Index("ix_cases_next_due", "next_due_at", postgresql_where=text("next_due_at IS NOT NULL"),
              sqlite_where=text("next_due_at IS NOT NULL")),
        # the digests' lists, read in id order: overdue without a red card (overdue_since is only
        # ever set on open cases), and red cards not closed
        Index("ix_cases_late", "id", postgresql_where=text(LATE), sqlite_where=text(LATE)),
        Index("ix_cases_red_card", "id", postgresql_where=text(CARDED), sqlite_where=text(CARDED)),
    )

    @property
    def assignees(self) -> list[str]:
        """Staff ids, in the order they were named (the case_assignees rows)."""
        return [a.staff_id for a in self.assignments]

    @assignees.setter
    def assignees(self, staff_ids: Iterable[str]) -> None:
        self.set_assignees([(sid, "") for sid in staff_ids])

    def set_assignees(self, people: Iterable[tuple[str, str]], since: datetime | None = None) -> None:
        """(staff id, role) in order; those kept keep their row, those gone lose it."""
        current = {a.staff_id: a for a in self.assignments}
        rows: list[CaseAssignee] = []
        for sid, role in people:
            if any(r.staff_id == sid for r in rows):
                continue
            row = current.get(sid) or CaseAssignee(staff_id=sid, role=role, since=since)
            if role:
                row.role = role
            row.position = len(rows)
            rows.append(row)
        self.assignments = rows


class CaseEvent(Base):
    """The electronic ledger: append-only, one row per change, message and notification."""
    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128), default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        Index("ix_case_events_case_kind", "case_id", "kind", "id"),     # a case's ledger, or its events of a kind
        Index("ix_case_events_actor_kind", "actor", "kind"),            # a resident's joined reports
    )


class CaseCounter(Base):
    __tablename__ = "case_counters"
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class OutboxItem(Base):
    """A push waiting to be delivered; written in the same transaction as the change it reports."""
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    user: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    case_number: Mapped[str] = mapped_column(String(32), default="")
    kind: Mapped[str] = mapped_column(String(16), default="update")
    status: Mapped[str] = mapped_column(String(12), default="pending")   # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),
                      Index("ix_outbox_person", "channel", "user", "status"))


class CodeScan(Base):
    """A scan of a dispute code (解纷码): one row per scan event, append-only. A channel's retry
    of the same event has the same `dedupe_key` (a digest of the channel and the event's id) and
    is stored once. `jiefen codes` counts these rows."""
    __tablename__ = "code_scans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))          # follow (a new follower scanned) | scan
    at: Mapped[datetime]


class StaffLoad(Base):
    """Open cases per staff member, kept by the flush hook (storage/counters.py) in the
    transaction of every change of assignees or status: routing's "least loaded" and 我的 read
    one row instead of counting."""
    __tablename__ = "staff_load"
    staff_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    open_cases: Mapped[int] = mapped_column(Integer, default=0)


class CaseFigure(Base):
    """The centre's figures, kept by the flush hook in the transaction of every change: per
    local day of opening (`day` = "YYYY-MM-DD") or for the whole ledger (`day` = "*"), per
    dimension (`all`, `type`, `place`, `channel`, `pt` place|type, `pc` place|channel, `src` dispute
    code) and its value. Counts are added as deltas
    (INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n), so concurrent workers add up."""
    __tablename__ = "case_figures"
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    dim: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    cases: Mapped[int] = mapped_column(Integer, default=0)
    open: Mapped[int] = mapped_column(Integer, default=0)
    dispatched: Mapped[int] = mapped_column(Integer, default=0)
    dispatch_secs: Mapped[int] = mapped_column(BigInteger, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)          # 化解: resolved or closed, and settled
    unsettled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")       # concluded otherwise: ended or withdrawn
    resolve_timed: Mapped[int] = mapped_column(Integer, default=0)
    resolve_secs: Mapped[int] = mapped_column(BigInteger, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    at_town: Mapped[int] = mapped_column(Integer, default=0)           # handled at the town now (escalated or begun there)
    at_county: Mapped[int] = mapped_column(Integer, default=0)
    red: Mapped[int] = mapped_column(Integer, default=0)               # red risk
    overdue: Mapped[int] = mapped_column(Integer, default=0)           # open and past a deadline
    late: Mapped[int] = mapped_column(Integer, default=0)              # … and no red card yet (the digests' 超期)
    carded: Mapped[int] = mapped_column(Integer, default=0)            # ever given a red card
    carded_open: Mapped[int] = mapped_column(Integer, default=0)
    rated: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)


class Meta(Base):
    """Small facts about the database itself: what the clocks were computed with, whether the
    figures were built."""
    __tablename__ = "jiefen_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class InboxItem(Base):
    """Every message a person sent, written before it is acknowledged ("acknowledged ⇒ durable").

    `key` is the channel's dedupe fact (its message id, or the user and the client's id where
    the client picks ids), so a retry finds the row instead of making a second one. A row is
    claimed with a lease while it is handled; a worker that dies leaves the lease to run out,
    and another takes the row over. `replies` are what the person was (or will be) told."""
    __tablename__ = "inbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    user: Mapped[str] = mapped_column(String(128))
    message: Mapped[dict[str, Any]] = mapped_column(default=dict)        # the channel-neutral message
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim: Mapped[str] = mapped_column(String(32), default="")          # the holder's token while handling
    next_attempt_at: Mapped[datetime]                                    # pending: due; handling: lease end
    received_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    replies: Mapped[list[Any]] = mapped_column(default=list)
    delivery: Mapped[str] = mapped_column(String(8), default="")       # reply (to the request) | push (outbox)
    error: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (Index("ix_inbox_due", "status", "next_attempt_at"),
                      Index("ix_inbox_person", "channel", "user", "id"))


class ConversationRow(Base):
    """A person's conversation with the bot (the intake step and the draft), kept in the
    database in the same transaction as the message that changed it, so an acknowledged
    message and its draft survive a crash of a worker or of the state store."""
    __tablename__ = "conversations"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)     # channel:user
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(index=True)
    attention: Mapped[bool] = mapped_column(default=False, index=True)  # a safety question left unanswered


# The mediation record (卷宗): parties, invitations, sessions, agreements, follow-up visits and
# their clocks. storage/mediation.py reads and writes them.

class CaseParty(Base):
    """A party to a case's dispute. `contact` is stored whole and shown masked, to the staff of
    the case only; `channel`/`user` is the chat the party speaks from once they joined."""
    __tablename__ = "case_parties"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))                 # PartyRole
    kind: Mapped[str] = mapped_column(String(16), default="person")   # PartyKind
    name: Mapped[str] = mapped_column(String(100), default="")
    contact: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    representative: Mapped[str] = mapped_column(String(64), default="")  # an organisation's legal representative
    channel: Mapped[str] = mapped_column(String(32), default="")
    user: Mapped[str] = mapped_column(String(128), default="")
    consent: Mapped[str] = mapped_column(String(16), default="pending")  # Consent
    added_at: Mapped[datetime]

    __table_args__ = (Index("ix_case_parties_chat", "channel", "user"),)


class Invitation(Base):
    """A single-use, expiring invitation for a party to join the mediation in their own chat.
    Only the token's SHA-256 is kept: a leaked table opens nothing."""
    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("case_parties.id"))
    note: Mapped[str] = mapped_column(Text, default="")             # what the mediator tells the party
    created_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[str] = mapped_column(String(200), default="")


class MediationSession(Base):
    """A mediation session (调解会): scheduled, then recorded (笔录)."""
    __tablename__ = "mediation_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=1)
    starts_at: Mapped[datetime | None]
    place: Mapped[str] = mapped_column(String(200), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    scheduled_by: Mapped[str] = mapped_column(String(128), default="")
    recorded_at: Mapped[datetime | None]
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)    # attendees, points, statements, proposal, next_step
    created_at: Mapped[datetime]


class Agreement(Base):
    """人民调解协议 (People's Mediation Law Art. 28–29): written (协议书) or oral (recorded)."""
    __tablename__ = "agreements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    form: Mapped[str] = mapped_column(String(8), default="written")  # AgreementForm
    facts: Mapped[str] = mapped_column(Text, default="")            # 纠纷的主要事实
    disputes: Mapped[str] = mapped_column(Text, default="")         # 争议事项
    responsibility: Mapped[str] = mapped_column(Text, default="")   # 各方当事人的责任
    terms: Mapped[str] = mapped_column(Text, default="")            # 达成协议的内容
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # the sum it covers, in fen
    performance_method: Mapped[str] = mapped_column(Text, default="")
    performance_due: Mapped[datetime | None]
    committee: Mapped[str] = mapped_column(String(100), default="")
    mediator: Mapped[str] = mapped_column(String(64), default="")   # staff id
    signed_at: Mapped[datetime] = mapped_column(index=True)         # the figures read a period by it
    performance: Mapped[str] = mapped_column(String(16), default="pending")   # Performance
    performed_at: Mapped[datetime | None]
    confirmation: Mapped[str] = mapped_column(String(16), default="none")     # Confirmation
    confirm_window_ends: Mapped[datetime | None]
    confirm_court: Mapped[str] = mapped_column(String(100), default="")
    confirm_applied_at: Mapped[datetime | None]
    confirm_number: Mapped[str] = mapped_column(String(100), default="")      # the court's case number
    confirm_decided_on: Mapped[str] = mapped_column(String(10), default="")   # YYYY-MM-DD
    created_by: Mapped[str] = mapped_column(String(128), default="")


class DocumentLink(Base):
    """A staff member's link to a case's documents (the agreement, the application): random,
    expiring, only its hash kept. Sent to them over WeCom; opened in WeCom's browser."""
    __tablename__ = "document_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(16))                   # agreement | application
    staff_id: Mapped[str] = mapped_column(String(64), default="")
    expires_at: Mapped[datetime]


class FollowUp(Base):
    """A follow-up visit (回访) after an agreement: a task for the grid worker, then the form."""
    __tablename__ = "follow_ups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    due_at: Mapped[datetime] = mapped_column(index=True)
    staff_id: Mapped[str] = mapped_column(String(64), default="")
    tasked_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    performed: Mapped[bool | None]
    satisfied: Mapped[bool | None]
    risk: Mapped[str] = mapped_column(Text, default="")             # remaining risk, in words; empty: none
    reopened: Mapped[bool] = mapped_column(default=False)


class MediationTimer(Base):
    """One clock of the mediation record, fired once by the scheduler (`done_at` set in the
    transaction that acts on it)."""
    __tablename__ = "mediation_timers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(24))                   # TimerKind
    ref_id: Mapped[int] = mapped_column(Integer, default=0)         # the session / agreement / follow-up
    due_at: Mapped[datetime]
    done_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_mediation_timers_due", "due_at", postgresql_where=text("done_at IS NULL"),
                            sqlite_where=text("done_at IS NULL")),)


class StaffAccount(Base):
    """A staff member's console password (one row per staff member who has one): a slow hash
    (bot/accounts.py), never the password. Sessions and failed attempts live in the state store."""
    __tablename__ = "staff_accounts"
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    changed_at: Mapped[datetime]
