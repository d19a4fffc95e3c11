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

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.db import Database
from storage.models import InboxItem
from storage.sql import rowcount


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


def _row(item: InboxItem) -> Row:
    return Row(item.id, item.key, item.channel, item.user, dict(item.message), InboxStatus(item.status),
               item.attempts, list(item.replies or []), item.delivery == "push")


class InboxStore:
    def __init__(self, db: Database):
        self.db = db

    async def accept(self, key: str, channel: str, user: str, message: dict[str, Any], now: datetime,
                     lease: float) -> tuple[Row, str | None]:
        """Write the message unless its key is there already. Committed before returning: after
        this the message may be acknowledged. A new row is written already claimed by the
        caller, who handles it next (one write transaction less per message): (the row, its
        claim's token); a retry's earlier row comes with None."""
        token = secrets.token_hex(8)
        insert = pg_insert if self.db.dialect == "postgresql" else sqlite_insert
        stmt = (insert(InboxItem).values(key=key, channel=channel, user=user, message=message,
                                         status=InboxStatus.HANDLING.value, attempts=1, claim=token,
                                         next_attempt_at=now + timedelta(seconds=lease), received_at=now,
                                         replies=[], delivery="", error="")
                .on_conflict_do_nothing(index_elements=[InboxItem.key]).returning(InboxItem.id))
        async with self.db.session() as s:
            new_id = (await s.execute(stmt)).scalar_one_or_none()
            if new_id is not None:
                return Row(new_id, key, channel, user, dict(message), InboxStatus.HANDLING, 1, [], False), token
            item = (await s.scalars(select(InboxItem).where(InboxItem.key == key))).one()
            return _row(item), None

    async def get(self, item_id: int) -> Row | None:
        async with self.db.session() as s:
            item = await s.get(InboxItem, item_id)
            return _row(item) if item is not None else None

    async def claim(self, item_id: int, now: datetime, lease: float) -> str | None:
        """Take the row for handling; None when it is done or another live worker has it."""
        token = secrets.token_hex(8)
        async with self.db.session() as s:
            res = await s.execute(
                update(InboxItem)
                .where(InboxItem.id == item_id, _claimable(now))
                .values(status=InboxStatus.HANDLING.value, claim=token, attempts=InboxItem.attempts + 1,
                        next_attempt_at=now + timedelta(seconds=lease)))
            return token if rowcount(res) == 1 else None

    @staticmethod
    async def finish(session: AsyncSession, item_id: int, token: str, replies: list[Any], now: datetime,
                     *, pushed: bool) -> None:
        """Mark the row done in the caller's transaction (the one holding the handling's effects)."""
        res = await session.execute(
            update(InboxItem).where(InboxItem.id == item_id, InboxItem.claim == token,
                                    InboxItem.status == InboxStatus.HANDLING.value)
            .values(status=InboxStatus.DONE.value, claim="", replies=replies, done_at=now, error="",
                    delivery="push" if pushed else "reply"))
        if rowcount(res) != 1:
            raise LostClaim(item_id)

    async def close(self, item_id: int, token: str, replies: list[Any], now: datetime, error: str = "") -> None:
        """Done without effects (a throttled or unreadable message): its own short transaction."""
        async with self.db.session() as s:
            await s.execute(update(InboxItem).where(InboxItem.id == item_id, InboxItem.claim == token)
                            .values(status=InboxStatus.DONE.value, claim="", replies=replies, done_at=now,
                                    error=error[:200]))

    async def release(self, item_id: int, token: str, now: datetime, *, delay: float, error: str,
                      dead: bool = False, replies: list[Any] | None = None, refund: bool = False) -> None:
        """The handling failed: due again after `delay`, or dead after the last attempt.
        `refund`: the failure was an outage, not the message's; it does not count as an attempt."""
        values: dict[str, Any] = {"status": (InboxStatus.DEAD if dead else InboxStatus.PENDING).value, "claim": "",
                                  "next_attempt_at": now + timedelta(seconds=delay), "error": error[:200]}
        if refund:
            values["attempts"] = InboxItem.attempts - 1
        if replies is not None:
            values["replies"] = replies
        async with self.db.session() as s:
            await s.execute(update(InboxItem).where(InboxItem.id == item_id, InboxItem.claim == token)
                            .values(**values))

    async def due(self, now: datetime, limit: int = 50) -> Sequence[Row]:
        """Rows nobody is handling that are due: left by a dead worker, or failed and waiting."""
        async with self.db.session() as s:
            items = (await s.scalars(select(InboxItem).where(_claimable(now), InboxItem.next_attempt_at <= now)
                                     .order_by(InboxItem.id).limit(limit))).all()
            return [_row(i) for i in items]

    async def earlier_open(self, channel: str, user: str, before_id: int, now: datetime) -> Sequence[Row]:
        """The same person's earlier messages still unhandled (their worker died): handled first,
        so one person's messages keep their order."""
        async with self.db.session() as s:
            items = (await s.scalars(select(InboxItem).where(
                InboxItem.channel == channel, InboxItem.user == user, InboxItem.id < before_id,
                # left by a request that died; not those waiting after a failure (they must not block)
                _claimable(now), InboxItem.next_attempt_at <= now,
                or_(InboxItem.status == InboxStatus.HANDLING.value, InboxItem.attempts == 0))
                .order_by(InboxItem.id))).all()
            return [_row(i) for i in items]

    async def recent(self, channel: str, user: str, since: datetime, limit: int = 20) -> Sequence[Row]:
        """A person's latest messages, newest first (what their channel's windows are made of)."""
        async with self.db.session() as s:
            items = (await s.scalars(select(InboxItem).where(InboxItem.channel == channel, InboxItem.user == user,
                                                             InboxItem.received_at >= since)
                                     .order_by(InboxItem.id.desc()).limit(limit))).all()
            return [_row(i) for i in items]

    async def by_status(self, *statuses: InboxStatus, limit: int = 100) -> Sequence[Row]:
        async with self.db.session() as s:
            items = (await s.scalars(select(InboxItem).where(InboxItem.status.in_([x.value for x in statuses]))
                                     .order_by(InboxItem.id.desc()).limit(limit))).all()
            return [_row(i) for i in items]

    async def purge(self, before: datetime) -> int:
        """Forget handled messages older than `before` (their words are in the ledger or were chatter)."""
        async with self.db.session() as s:
            res = await s.execute(delete(InboxItem).where(InboxItem.status == InboxStatus.DONE.value,
                                                          InboxItem.done_at < before))
            return rowcount(res)


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(InboxItem.status == InboxStatus.PENDING.value,
               and_(InboxItem.status == InboxStatus.HANDLING.value, InboxItem.next_attempt_at <= now))
