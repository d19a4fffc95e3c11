"""Conversations in the database: one row per person talking to the bot, read and written in
the transaction of the message that moves it (so the draft and the acknowledged message
cannot part), and deleted when there is nothing left to remember."""
from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from storage.models import ConversationRow
from storage.sql import rowcount


class ConversationStore:
    def __init__(self, session: AsyncSession):
        self.session = session
        # the rows this transaction loaded: the session's identity map holds them weakly, so
        # without this a save read the row a second time
        self._loaded: dict[str, ConversationRow] = {}

    async def load(self, key: str) -> dict[str, Any] | None:
        """The stored state; the row stays locked to this transaction on PostgreSQL, so a staff
        action that touches the same person's conversation waits instead of overwriting."""
        row = await self.session.scalar(select(ConversationRow).where(ConversationRow.key == key)
                                        .with_for_update())
        if row is None:
            return None
        self._loaded[key] = row
        # a copy all the way down: a handler that appends to the draft's lists must not change
        # the row's loaded state, or the save would look like no change at all
        return copy.deepcopy(row.data)

    async def save(self, key: str, data: dict[str, Any] | None, now: datetime, *, attention: bool = False) -> None:
        if not data:
            self._loaded.pop(key, None)
            await self.session.execute(delete(ConversationRow).where(ConversationRow.key == key))
            return
        row = self._loaded.get(key) or await self.session.get(ConversationRow, key)
        if row is None:
            self.session.add(ConversationRow(key=key, data=data, updated_at=now, attention=attention))
        else:
            row.data, row.updated_at, row.attention = data, now, attention
            flag_modified(row, "data")
        await self.session.flush()

    async def silent_since(self, before: datetime, limit: int = 50) -> list[tuple[str, dict[str, Any]]]:
        """Conversations flagged for attention whose person has said nothing since `before`,
        locked for the caller's transaction (another worker skips them)."""
        rows = (await self.session.scalars(
            select(ConversationRow).where(ConversationRow.attention.is_(True), ConversationRow.updated_at < before)
            .order_by(ConversationRow.updated_at).limit(limit).with_for_update(skip_locked=True))).all()
        return [(r.key, dict(r.data)) for r in rows]

    async def purge(self, before: datetime) -> int:
        """Forget conversations silent since `before` (drafts expire long before)."""
        res = await self.session.execute(delete(ConversationRow).where(ConversationRow.updated_at < before))
        return rowcount(res)
