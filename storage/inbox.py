"""The inbox table: every message a person sent, written before anyone acknowledges it.

A row's life: pending → handling (claimed, with a lease) → done; a failed handling goes back
to pending with a delay, and after the last attempt to dead (kept for people to read, never
deleted with its words unread). A lease that runs out (its worker died) makes the row
claimable again, so nothing answered is lost and nothing is handled twice at once: the
"done" mark is conditional on the claim, in the same transaction as the handling's effects.
"""
from __future__ import annotations

import enum
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.db import Database
from storage.models import InboxItem
from storage.sql import rowcount, table_of

# Every message goes through these statements, so they are built once, as Core statements on
# the table, with their parameters bound at execution: building an ORM statement per call
# (coercions, cache keys, the ORM's bulk-update bookkeeping) cost more than running it.
_T = table_of(InboxItem)
_ROW = (_T.c.id, _T.c.key, _T.c.channel, _T.c.user, _T.c.message, _T.c.status, _T.c.attempts, _T.c.replies,
        _T.c.delivery)


class InboxStatus(str, enum.Enum):
    PENDING = "pending"
    HANDLING = "handling"
    DONE = "done"
    DEAD = "dead"


class LostClaim(Exception):
    """The lease ran out and another worker took the row: this handling must not commit."""


@dataclass(frozen=True)
class Row:
    id: int
    key: str
    channel: str
    user: str
    message: dict[str, Any]
    status: InboxStatus
    attempts: int
    replies: list[Any]
    pushed: bool                       # the replies went through the outbox, not back to a request


def _row(r: Any) -> Row:
    """A row of `_ROW`'s columns as the inbox's callers see it."""
    return Row(r.id, r.key, r.channel, r.user, dict(r.message), InboxStatus(r.status), r.attempts,
               list(r.replies or []), r.delivery == "push")


def _claimable(now: Any, t: Any = _T) -> ColumnElement[bool]:
    return or_(t.c.status == InboxStatus.PENDING.value,
               and_(t.c.status == InboxStatus.HANDLING.value, t.c.next_attempt_at <= now))


def _left_open(t: Any) -> ColumnElement[bool]:
    """A person's message that a request left unhandled (its worker died); not one waiting
    after a failure (it must not block the person's next messages)."""
    return and_(t.c.channel == bindparam("ch"), t.c.user == bindparam("u"), _claimable(bindparam("now"), t),
                t.c.next_attempt_at <= bindparam("now"),
                or_(t.c.status == InboxStatus.HANDLING.value, t.c.attempts == 0))


_BY_KEY = select(*_ROW).where(_T.c.key == bindparam("k"))
_EARLIER_OPEN = select(*_ROW).where(_left_open(_T), _T.c.id < bindparam("before")).order_by(_T.c.id)
# whether the person has any such message, asked by the INSERT itself (RETURNING), so that the
# common case costs no second statement. The new row never counts: its lease has not run out.
_ANY_LEFT_OPEN = select(literal(1)).select_from(_EARLIER := _T.alias("earlier")).where(_left_open(_EARLIER)).exists()
_CLAIM = (update(_T).where(_T.c.id == bindparam("row_id"), _claimable(bindparam("now")))
          .values(status=InboxStatus.HANDLING.value, claim=bindparam("token"), attempts=_T.c.attempts + 1,
                  next_attempt_at=bindparam("lease_end")))
_FINISH = (update(_T).where(_T.c.id == bindparam("row_id"), _T.c.claim == bindparam("token"),
                            _T.c.status == InboxStatus.HANDLING.value)
           .values(status=InboxStatus.DONE.value, claim="", replies=bindparam("out"), done_at=bindparam("at"),
                   error="", delivery=bindparam("how")))
_CLOSE = (update(_T).where(_T.c.id == bindparam("row_id"), _T.c.claim == bindparam("token"))
          .values(status=InboxStatus.DONE.value, claim="", replies=bindparam("out"), done_at=bindparam("at"),
                  error=bindparam("err")))


def _accept_statement(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (insert(_T).values(key=bindparam("k"), channel=bindparam("ch"), user=bindparam("u"),
                              message=bindparam("msg"), status=InboxStatus.HANDLING.value, attempts=1,
                              claim=bindparam("token"), next_attempt_at=bindparam("lease_end"),
                              received_at=bindparam("now"), replies=[], delivery="", error="")
            .on_conflict_do_nothing(index_elements=[_T.c.key]).returning(_T.c.id, _ANY_LEFT_OPEN))


class InboxStore:
    def __init__(self, db: Database):
        self.db = db
        self._accept = _accept_statement(db.dialect)

    async def accept(self, key: str, channel: str, user: str, message: dict[str, Any], now: datetime,
                     lease: float) -> tuple[Row, str | None, list[Row]]:
        """Write the message unless its key is there already. Committed before returning: after
        this the message may be acknowledged. A new row is written already claimed by the
        caller, who handles it next (one write transaction less per message): (the row, its
        claim's token, the same person's earlier messages left unhandled, read in the same
        transaction); a retry's earlier row comes with None and no earlier messages."""
        token = secrets.token_hex(8)
        async with self.db.connection() as conn:
            new = (await conn.execute(self._accept, {
                "k": key, "ch": channel, "u": user, "msg": message, "token": token,
                "lease_end": now + timedelta(seconds=lease), "now": now})).one_or_none()
            if new is not None:
                new_id, any_open = new
                earlier = await self._earlier_open(conn, channel, user, new_id, now) if any_open else []
                return Row(new_id, key, channel, user, dict(message), InboxStatus.HANDLING, 1, [], False), token, earlier
            return _row((await conn.execute(_BY_KEY, {"k": key})).one()), None, []

    async def get(self, item_id: int) -> Row | None:
        async with self.db.connection() as conn:
            found = (await conn.execute(select(*_ROW).where(_T.c.id == item_id))).one_or_none()
            return _row(found) if found is not None else None

    async def claim(self, item_id: int, now: datetime, lease: float) -> str | None:
        """Take the row for handling; None when it is done or another live worker has it."""
        token = secrets.token_hex(8)
        async with self.db.connection() as conn:
            res = await conn.execute(_CLAIM, {"row_id": item_id, "now": now, "token": token,
                                              "lease_end": now + timedelta(seconds=lease)})
            return token if rowcount(res) == 1 else None

    @staticmethod
    async def finish(session: AsyncSession, item_id: int, token: str, replies: list[Any], now: datetime,
                     *, pushed: bool) -> None:
        """Mark the row done in the caller's transaction (the one holding the handling's effects)."""
        conn = await session.connection()       # a Core statement: none of the ORM's per-statement work
        res = await conn.execute(_FINISH, {"row_id": item_id, "token": token, "out": replies, "at": now,
                                           "how": "push" if pushed else "reply"})
        if rowcount(res) != 1:
            raise LostClaim(item_id)

    async def close(self, item_id: int, token: str, replies: list[Any], now: datetime, error: str = "") -> None:
        """Done without effects (a throttled or unreadable message): its own short transaction."""
        async with self.db.connection() as conn:
            await conn.execute(_CLOSE, {"row_id": item_id, "token": token, "out": replies, "at": now,
                                        "err": error[:200]})

    async def release(self, item_id: int, token: str, now: datetime, *, delay: float, error: str,
                      dead: bool = False, replies: list[Any] | None = None, refund: bool = False) -> None:
        """The handling failed: due again after `delay`, or dead after the last attempt.
        `refund`: the failure was an outage, not the message's; it does not count as an attempt."""
        values: dict[str, Any] = {"status": (InboxStatus.DEAD if dead else InboxStatus.PENDING).value, "claim": "",
                                  "next_attempt_at": now + timedelta(seconds=delay), "error": error[:200]}
        if refund:
            values["attempts"] = _T.c.attempts - 1
        if replies is not None:
            values["replies"] = replies
        async with self.db.connection() as conn:
            await conn.execute(update(_T).where(_T.c.id == item_id, _T.c.claim == token).values(**values))

    async def due(self, now: datetime, limit: int = 50) -> Sequence[Row]:
        """Rows nobody is handling that are due: left by a dead worker, or failed and waiting."""
        async with self.db.connection() as conn:
            rows = await conn.execute(select(*_ROW).where(_claimable(now), _T.c.next_attempt_at <= now)
                                      .order_by(_T.c.id).limit(limit))
            return [_row(r) for r in rows]

    async def earlier_open(self, channel: str, user: str, before_id: int, now: datetime) -> Sequence[Row]:
        """The same person's earlier messages still unhandled (their worker died): handled first,
        so one person's messages keep their order."""
        async with self.db.connection() as conn:
            return await self._earlier_open(conn, channel, user, before_id, now)

    @staticmethod
    async def _earlier_open(conn: AsyncConnection, channel: str, user: str, before_id: int,
                            now: datetime) -> list[Row]:
        rows = await conn.execute(_EARLIER_OPEN, {"ch": channel, "u": user, "before": before_id, "now": now})
        return [_row(r) for r in rows]

    async def recent(self, channel: str, user: str, since: datetime, limit: int = 20) -> Sequence[Row]:
        """A person's latest messages, newest first (what their channel's windows are made of)."""
        async with self.db.connection() as conn:
            rows = await conn.execute(select(*_ROW).where(_T.c.channel == channel, _T.c.user == user,
                                                          _T.c.received_at >= since)
                                      .order_by(_T.c.id.desc()).limit(limit))
            return [_row(r) for r in rows]

    async def by_status(self, *statuses: InboxStatus, limit: int = 100) -> Sequence[Row]:
        async with self.db.connection() as conn:
            rows = await conn.execute(select(*_ROW).where(_T.c.status.in_([x.value for x in statuses]))
                                      .order_by(_T.c.id.desc()).limit(limit))
            return [_row(r) for r in rows]

    async def purge(self, before: datetime) -> int:
        """Forget handled messages older than `before` (their words are in the ledger or were chatter)."""
        async with self.db.connection() as conn:
            res = await conn.execute(delete(_T).where(_T.c.status == InboxStatus.DONE.value, _T.c.done_at < before))
            return rowcount(res)

