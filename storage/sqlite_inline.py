"""SQLite on the event loop's own thread, for the embedded default.

aiosqlite runs each connection in a thread of its own and hands every call over through a
queue: a statement is four hand-overs (cursor, execute, fetch, close), each a thread wake-up
that costs more than the statement itself (tens of microseconds of SQLite against hundreds of
scheduling), and each lets the event loop run other requests' work in the middle of a write
transaction, stretching it while every other writer waits. Here the same calls run inline:
SQLAlchemy's aiosqlite adaptation is given (through `async_creator`) a connection whose
awaitables finish at once, so a unit of work's statements run back to back.

What this costs: a slow statement holds the event loop while it runs. Commits run inline
too: they write the WAL and flush nothing (synchronous=NORMAL), and the one slow thing a
commit could do, SQLite's automatic checkpoint, is turned off on these connections; the
group commit makes the checkpoints in a thread instead (storage/sqlite_durable.py). The
embedded default's statements are index lookups and small writes; a long report (`jiefen
cases`, the figures' rebuild) runs in a process of its own. Writers in this process never
wait on SQLite's busy handler (storage/writer.py queues them first); another process writing
at the same moment (an admin command) makes this one wait at most `busy_timeout`, as before.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any


class InlineCursor:
    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor):
        self._cursor = cursor

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> "InlineCursor":
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> "InlineCursor":
        self._cursor.executemany(sql, seq)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def nextset(self) -> None:
        return None

    async def setinputsizes(self, *sizes: Any) -> None:
        return None

    async def close(self) -> None:
        self._cursor.close()

    async def __aenter__(self) -> "InlineCursor":
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    def __aiter__(self) -> "InlineCursor":
        return self

    async def __anext__(self) -> Any:
        row = self._cursor.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row


class _Queue:
    """Stands in for aiosqlite's queue to its thread: the job runs at once."""

    def put_nowait(self, item: tuple[Any, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:                       # handed to the awaiting caller
            future.set_exception(exc)
        else:
            future.set_result(result)


class InlineConnection:
    """The part of aiosqlite.Connection that SQLAlchemy's adaptation uses."""

    def __init__(self, conn: sqlite3.Connection, on_commit: Callable[[], None] | None = None):
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn          # "is it open" checks
        self._tx = _Queue()
        self._on_commit = on_commit

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def commit(self) -> None:
        # inline too: with synchronous=NORMAL and no automatic checkpoint (see `creator`) a
        # commit writes the WAL and flushes nothing; the flush to disk is shared and the
        # checkpoints are made in a thread (storage/sqlite_durable.py). A thread per commit
        # cost a third of a message's CPU at sixteen in flight (bench/callback_bench.py).
        wrote = self._conn.in_transaction
        self._conn.commit()
        if wrote and self._on_commit is not None:
            self._on_commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._conn.close()
            self._connection = None

    def stop(self) -> None:
        if self._connection is not None:
            self._conn.close()
            self._connection = None

    async def create_function(self, *args: Any, **kw: Any) -> None:
        self._conn.create_function(*args, **kw)


def creator(path: str, timeout: float = 30.0, on_commit: Callable[[], None] | None = None) -> Callable[[], Any]:
    """The `async_creator` for create_async_engine; `on_commit` is told of every commit that wrote."""

    async def connect() -> InlineConnection:
        # check_same_thread: SQLAlchemy's pool may close a connection from its own cleanup
        conn = sqlite3.connect(path, timeout=timeout, check_same_thread=False, detect_types=0)
        # SQLite's automatic checkpoint runs inside a commit, which runs on the event loop here:
        # the group commit makes the checkpoints instead, in a thread (storage/sqlite_durable.py)
        conn.execute("PRAGMA wal_autocheckpoint=0")
        return InlineConnection(conn, on_commit)

    return connect
