"""One unit of work per message: a database session opened only when a handler needs it,
committed with the pushes it queued, which are delivered only after the commit."""
from __future__ import annotations

from collections import Counter
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.message import Push
from bot.outbox import enqueue
from storage.cases import CaseStore
from storage.conversations import ConversationStore

if TYPE_CHECKING:
    from bot.context import AppContext


class UnitOfWork:
    def __init__(self, ctx: "AppContext"):
        self.ctx = ctx
        self.now = ctx.clock.now()
        self._cm: AbstractAsyncContextManager[AsyncSession] | None = None
        self._session: AsyncSession | None = None
        self._cases: CaseStore | None = None
        self.queued: Counter[str] = Counter()       # pushes queued in this unit, by kind
        self.released = 0                           # held pushes this unit made due again

    async def session(self) -> AsyncSession:
        if self._session is None:
            self._cm = self.ctx.db.session()
            self._session = await self._cm.__aenter__()
            self._session.sync_session.info["now"] = self.now      # the flush hooks' "now" agrees with the rows
        return self._session

    async def cases(self) -> CaseStore:
        if self._cases is None:
            self._cases = CaseStore(await self.session(), now=self.now,
                                    prefix=self.ctx.settings.case_number_prefix, tz=self.ctx.settings.timezone)
        return self._cases

    async def conversations(self) -> ConversationStore:
        return ConversationStore(await self.session())

    async def push(self, push: Push, due: datetime | None = None) -> bool:
        """Queue `push` (to go at once, or at `due`: a routine message held for working hours)."""
        queued = await enqueue(await self.session(), push, self.now, due)
        if queued:
            self.queued[push.kind] += 1
        return queued

    async def __aenter__(self) -> "UnitOfWork":
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._cm is not None:
            await self._cm.__aexit__(exc_type, exc, tb)
        if exc_type is None and (self.queued or self.released):
            self.ctx.outbox.kick()
