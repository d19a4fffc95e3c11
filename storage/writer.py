"""One writer at a time on SQLite, queued in the process instead of in SQLite's busy handler.

SQLite lets one transaction write at a time. When several of the gateway's units of work try,
the losers get SQLITE_BUSY and SQLite's busy handler puts them to sleep in growing steps (up to
100 ms at a time) until the writer is done: with sixteen messages in flight, answers waited
seconds and missed WeChat's passive window. Here a transaction that is about to write first
takes an asyncio lock of its database (FIFO, no sleeping), and gives it back when its
connection goes back to the pool, after the commit or the rollback. Reading needs no lock
(WAL: readers never wait for the writer). The embedded default is one process (several
workers need PostgreSQL and Redis), so a lock in the process is the whole story.

The lock is taken inside SQLAlchemy's engine event, which runs in the greenlet of the async
call, so it can await (`await_only`). A second write from the task already holding the lock
(through another session) is let through to SQLite, as before, rather than waiting on itself.
"""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.util import await_only

_HELD = "jiefen_writer"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "ALTER", "DROP")


def _is_write(statement: str) -> bool:
    head = statement.lstrip()[:8].upper()
    return head.startswith(_WRITES)


class SQLiteWriter:
    def __init__(self, wait: float = 30.0):
        self.wait = wait                    # as long as SQLite's own busy_timeout would have waited
        self._lock: asyncio.Lock | None = None
        self._owner: asyncio.Task[Any] | None = None
        self.waits = 0                      # how often a writer had to queue (benchmarks, tests)

    def install(self, sync_engine: Engine) -> None:
        event.listen(sync_engine, "before_cursor_execute", self._before_execute)
        event.listen(sync_engine.pool, "checkin", self._checkin)
        event.listen(sync_engine.pool, "close", self._closed)
        event.listen(sync_engine.pool, "invalidate", self._invalidated)

    def _before_execute(self, conn: Connection, _cursor: Any, statement: str, _parameters: Any, _context: Any,
                        _executemany: bool) -> None:
        info = conn.info
        if info.get(_HELD) or not _is_write(statement):
            return
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            return                          # this task writes through another connection: SQLite decides
        if self._lock is None:
            self._lock = asyncio.Lock()
        if self._lock.locked():
            self.waits += 1
        try:
            await_only(asyncio.wait_for(self._lock.acquire(), self.wait))
        except TimeoutError:
            raise OperationalError(statement, None, Exception("database is locked (waited for the writer)")) from None
        self._owner = task
        info[_HELD] = True

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Take the writers' turn without a connection: no transaction of this process writes
        meanwhile (the group commit checkpoints the WAL so, storage/sqlite_durable.py)."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        await self._lock.acquire()
        try:
            yield
        finally:
            self._lock.release()

    def _release(self, info: dict[Any, Any]) -> None:
        if info.pop(_HELD, False) and self._lock is not None:
            self._owner = None
            self._lock.release()

    def _checkin(self, _dbapi_connection: Any, record: Any) -> None:
        self._release(record.info)

    def _closed(self, _dbapi_connection: Any, record: Any) -> None:
        self._release(record.info)

    def _invalidated(self, _dbapi_connection: Any, record: Any, _exception: Any) -> None:
        self._release(record.info)
