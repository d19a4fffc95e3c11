"""The case database: one async engine, sessions per unit of work, Alembic migrations."""
from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from storage import cases, counters, sqlite_inline
from storage.models import Case
from storage.sqlite_durable import WalSync
from storage.writer import SQLiteWriter

log = logging.getLogger("jiefen.db")
MIGRATIONS = Path(__file__).with_name("migrations")
FlushHook = Callable[[Session], None]
# the cases a committed transaction changed: [{"number", "place", "status", "risk", "type"}]
CommitHook = Callable[[list[dict[str, Any]]], Awaitable[None]]
_TOUCHED = "jiefen_touched"


class Database:
    """`timezone`: the county's, for the figures' days. `flush_hooks` run before every flush of
    every session, before the counters are taken (bot/clocks.py keeps each case's next due
    time this way, in the transaction of the change that moves it)."""

    def __init__(self, url: str, *, timezone: str = "Asia/Shanghai"):
        self.url = url
        self.timezone = timezone
        self.flush_hooks: list[FlushHook] = []
        self.commit_hooks: list[CommitHook] = []       # after a commit that changed cases (live updates)
        parsed = make_url(url)
        # a failed statement's parameters are residents' words and phone numbers: never in a log
        kwargs: dict[str, Any] = {"hide_parameters": True}
        self.wal_sync: WalSync | None = None
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                self.wal_sync = WalSync(parsed.database)
                # statements run on the event loop's thread: no hand-over per call (storage/sqlite_inline.py)
                kwargs["async_creator"] = sqlite_inline.creator(parsed.database, timeout=30,
                                                                on_commit=self.wal_sync.note_commit)
            else:
                kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine = create_async_engine(url, **kwargs)
        self.writer: SQLiteWriter | None = None
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            self.writer = SQLiteWriter()           # writers queue in the process, not in SQLite's busy sleeps
            self.writer.install(self.engine.sync_engine)
            if self.wal_sync is not None:
                self.wal_sync.exclusive = self.writer.exclusive     # checkpoints hold the writers off
        # a session class of our own: the hooks belong to this database, not to every Session
        session_class = type("JiefenSession", (Session,), {})
        event.listen(session_class, "before_flush", self._before_flush)
        event.listen(session_class, "before_commit", self._before_commit)
        event.listen(session_class, "after_soft_rollback", self._after_rollback)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False, sync_session_class=session_class)

    @staticmethod
    def _before_commit(session: Session) -> None:
        cases.write_ledger(session)
        counters.apply(session)

    @staticmethod
    def _after_rollback(session: Session, _transaction: Any) -> None:
        cases.forget_ledger(session)
        counters.forget(session)
        session.info.pop(_TOUCHED, None)

    def _before_flush(self, session: Session, _flush_context: Any, _instances: Any) -> None:
        for hook in self.flush_hooks:
            hook(session)
        counters.collect(session, self.timezone)
        if self.commit_hooks:
            touched = session.info.setdefault(_TOUCHED, {})
            for obj in list(session.new) + list(session.dirty):
                if isinstance(obj, Case) and obj.number:
                    touched[obj.number] = {"number": obj.number, "place": obj.place_code, "status": obj.status,
                                           "risk": obj.risk, "type": obj.type}

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed when the block ends, rolled back on an exception."""
        async with self._sessions() as session:
            async with session.begin():
                yield session
            touched = session.sync_session.info.pop(_TOUCHED, None)
        if touched:
            for hook in list(self.commit_hooks):
                try:
                    await hook(list(touched.values()))
                except Exception:          # live updates are a courtesy: never the change's failure
                    log.exception("a commit hook failed")

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """A short transaction of Core statements, for the tables no flush or commit hook
        watches (the inbox): no ORM session to build and tear down per message."""
        async with self.engine.begin() as conn:
            yield conn

    async def durable(self) -> None:
        """Every commit this process has made is on disk: await it before telling anyone that
        something was done. PostgreSQL's commits are durable already; SQLite's are flushed in
        groups (storage/sqlite_durable.py)."""
        if self.wal_sync is not None:
            await self.wal_sync.wait()

    async def migrate(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade)

    async def close(self) -> None:
        try:
            await self.durable()        # a command that wrote and exits: its work on disk
        finally:
            if self.wal_sync is not None:
                await self.wal_sync.close()
            await self.engine.dispose()


def _upgrade(sync_conn: Connection) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = sync_conn
    command.upgrade(cfg, "heads")      # branches from parallel work upgrade together until merged


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the web chat read while a worker writes; foreign keys are off by default in SQLite
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    # commits write the WAL without flushing it; the flush is shared by every request waiting
    # to be answered (Database.durable, storage/sqlite_durable.py)
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
