"""The outbox's rows: every statement on the `outbox` table is here. The rules of delivery
(claims with a lease, retries, holding, merging, the ledger's notification events) are the
outbox's (bot/outbox.py); the channels' pushers only map a push to API calls and ask the
outbox for what they need (partial progress, rows to merge)."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.lifecycle import OutboxState, PushKind
from storage.models import OutboxItem
from storage.sql import dialect_of, in_values, rowcount, table_of


@dataclass(frozen=True)
class Queued:
    """An outbox row as its deliverers see it (never the ORM object)."""
    id: int
    key: str
    channel: str
    user: str
    text: str
    case_number: str
    kind: str
    status: OutboxState
    attempts: int
    next_attempt_at: datetime
    created_at: datetime

    @classmethod
    def of(cls, row: OutboxItem) -> Queued:
        return cls(id=row.id, key=row.key, channel=row.channel, user=row.user, text=row.text,
                   case_number=row.case_number or "", kind=row.kind, status=OutboxState(row.status),
                   attempts=row.attempts, next_attempt_at=row.next_attempt_at, created_at=row.created_at)


_T = table_of(OutboxItem)
_HELD = (_T.c.channel == bindparam("ch"), _T.c.user == bindparam("u"), _T.c.status == OutboxState.HELD.value)
# after every message of a person (built once: Core statements on the table)
_ANY_HELD = select(_T.c.id).where(*_HELD).limit(1)
_RELEASE = update(_T).where(*_HELD).values(status=OutboxState.PENDING.value, next_attempt_at=bindparam("now"))


async def release_held(conn: AsyncConnection, channel: str, user: str, now: datetime) -> int:
    """Held rows of one person become due. A read first, so the common case (nothing held)
    takes no write lock (SQLite serialises writers)."""
    params = {"ch": channel, "u": user, "now": now}
    if (await conn.execute(_ANY_HELD, params)).first() is None:
        return 0
    return rowcount(await conn.execute(_RELEASE, params))


class OutboxStore:
    def __init__(self, session: AsyncSession):
        self.s = session

    async def add(self, *, key: str, channel: str, user: str, text: str, case_number: str | None, kind: str,
                  now: datetime, due: datetime | None = None) -> bool:
        """A new row in the caller's transaction; False when its key was already queued."""
        if await self.s.scalar(select(OutboxItem.id).where(OutboxItem.key == key)) is not None:
            return False
        self.s.add(OutboxItem(key=key, channel=channel, user=user, text=text, case_number=case_number or "",
                              kind=kind, status=OutboxState.PENDING, attempts=0, next_attempt_at=due or now,
                              created_at=now, last_error=""))
        return True

    async def due(self, now: datetime, limit: int) -> list[Queued]:
        # a red alert goes before any backlog ("at once, whatever the hour")
        rows = await self.s.scalars(select(OutboxItem).where(OutboxItem.status == OutboxState.PENDING,
                                                             OutboxItem.next_attempt_at <= now)
                                    .order_by(OutboxItem.kind != PushKind.ALERT, OutboxItem.id).limit(limit))
        return [Queued.of(r) for r in rows.all()]

    async def claim(self, item_id: int, attempts: int, lease_until: datetime) -> bool:
        """Take a due row for one delivery attempt, unless another worker took it first."""
        res = await self.s.execute(update(OutboxItem)
                                   .where(OutboxItem.id == item_id, OutboxItem.status == OutboxState.PENDING,
                                          OutboxItem.attempts == attempts)
                                   .values(status=OutboxState.SENDING, attempts=attempts + 1,
                                           next_attempt_at=lease_until))
        return rowcount(res) == 1

    async def settle(self, item_id: int, *, status: OutboxState, detail: str, now: datetime,
                     attempts: int | None = None, next_attempt_at: datetime | None = None) -> None:
        values: dict[str, object] = {"status": status, "last_error": detail[:200]}
        if status is OutboxState.SENT:
            values["sent_at"] = now
        if attempts is not None:
            values["attempts"] = attempts
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        await self.s.execute(update(OutboxItem).where(OutboxItem.id == item_id).values(**values))

    async def requeue_stuck(self, now: datetime) -> int:
        res = await self.s.execute(update(OutboxItem).where(OutboxItem.status == OutboxState.SENDING,
                                                            OutboxItem.next_attempt_at <= now)
                                   .values(status=OutboxState.PENDING))
        return rowcount(res)

    async def set_text(self, key: str, text: str) -> None:
        await self.s.execute(update(OutboxItem).where(OutboxItem.key == key).values(text=text))

    async def waiting_for(self, channel: str, user: str, kinds: Collection[str], but: str) -> list[Queued]:
        """Rows for one person, pending or held, of these kinds, oldest first, except the one keyed `but`."""
        rows = await self.s.scalars(select(OutboxItem).where(
            OutboxItem.channel == channel, OutboxItem.user == user, OutboxItem.key != but,
            OutboxItem.status.in_((OutboxState.PENDING, OutboxState.HELD)), OutboxItem.kind.in_(tuple(kinds)))
            .order_by(OutboxItem.id))
        return [Queued.of(r) for r in rows.all()]

    async def take(self, item: Queued, lease_until: datetime) -> bool:
        """Claim a row found waiting (for a merge) if its state has not moved since."""
        res = await self.s.execute(update(OutboxItem).where(OutboxItem.id == item.id,
                                                            OutboxItem.status == item.status)
                                   .values(status=OutboxState.SENDING, next_attempt_at=lease_until))
        return rowcount(res) == 1

    async def give_back(self, item: Queued) -> None:
        await self.s.execute(update(OutboxItem).where(OutboxItem.id == item.id)
                             .values(status=item.status, next_attempt_at=item.next_attempt_at))

    async def existing_keys(self, keys: Sequence[str]) -> set[str]:
        dialect = dialect_of(self.s)
        return set((await self.s.scalars(select(OutboxItem.key).where(in_values(OutboxItem.key, keys, dialect))))
                   .all())

    async def sent_to(self, channel: str, user: str, since: datetime) -> list[Queued]:
        rows = await self.s.scalars(select(OutboxItem).where(
            OutboxItem.channel == channel, OutboxItem.user == user, OutboxItem.status == OutboxState.SENT,
            OutboxItem.created_at >= since).order_by(OutboxItem.id))
        return [Queued.of(r) for r in rows.all()]
