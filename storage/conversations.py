"""Conversations in the database: one row per person talking to the bot, read and written in
the transaction of the message that moves it (so the draft and the acknowledged message
cannot part), and deleted when there is nothing left to remember.

Every message reads and writes its row, so the statements are Core statements on the table,
built once with their parameters bound at execution (no ORM objects: what a load returns is
freshly decoded JSON, the caller's to change)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import ConversationRow
from storage.sql import dialect_of, rowcount, table_of

_T = table_of(ConversationRow)
# the row stays locked to the message's transaction on PostgreSQL, so a staff action that
# touches the same person's conversation waits instead of overwriting
_LOAD = select(_T.c.data).where(_T.c.key == bindparam("k")).with_for_update()
_UPDATE = (update(_T).where(_T.c.key == bindparam("k"))
           .values(data=bindparam("d"), updated_at=bindparam("at"), attention=bindparam("att")))
_DELETE = delete(_T).where(_T.c.key == bindparam("k"))


def _upsert(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(_T).values(key=bindparam("k"), data=bindparam("d"), updated_at=bindparam("at"),
                             attention=bindparam("att"))
    return stmt.on_conflict_do_update(index_elements=[_T.c.key], set_={
        "data": stmt.excluded.data, "updated_at": stmt.excluded.updated_at, "attention": stmt.excluded.attention})


_UPSERT = {dialect: _upsert(dialect) for dialect in ("sqlite", "postgresql")}


class ConversationStore:
    def __init__(self, session: AsyncSession):
        self.session = session
        self._loaded: set[str] = set()       # rows this transaction read (and locked): a save updates them
        self._conn: AsyncConnection | None = None

    async def _run(self, statement: Any, params: dict[str, Any]) -> Any:
        # on the session's connection, in its transaction: nothing of the ORM's per-statement
        # work (no ORM object is involved)
        if self._conn is None:
            self._conn = await self.session.connection()
        return await self._conn.execute(statement, params)

    async def load(self, key: str) -> dict[str, Any] | None:
        """The stored state, locked to this transaction on PostgreSQL."""
        data = (await self._run(_LOAD, {"k": key})).scalar_one_or_none()
        if data is None:
            return None
        self._loaded.add(key)
        return dict(data)

    async def save(self, key: str, data: dict[str, Any] | None, now: datetime, *, attention: bool = False) -> None:
        if not data:
            self._loaded.discard(key)
            await self._run(_DELETE, {"k": key})
            return
        params = {"k": key, "d": data, "at": now, "att": attention}
        if key in self._loaded and rowcount(await self._run(_UPDATE, params)) == 1:
            return
        # not read first (a staff action, a new person), or deleted since: written whole
        await self._run(_UPSERT[dialect_of(self.session)], params)

    async def silent_since(self, before: datetime, limit: int = 50) -> list[tuple[str, dict[str, Any]]]:
        """Conversations flagged for attention whose person has said nothing since `before`,
        locked for the caller's transaction (another worker skips them)."""
        rows = await self.session.execute(
            select(_T.c.key, _T.c.data).where(_T.c.attention.is_(True), _T.c.updated_at < before)
            .order_by(_T.c.updated_at).limit(limit).with_for_update(skip_locked=True))
        return [(key, dict(data)) for key, data in rows]

    async def purge(self, before: datetime) -> int:
        """Forget conversations silent since `before` (drafts expire long before)."""
        res = await self.session.execute(delete(_T).where(_T.c.updated_at < before))
        return rowcount(res)
