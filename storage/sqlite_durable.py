"""Group commit for the embedded SQLite: commits are quick, an answer waits for the disk.

With `synchronous=FULL` every commit flushes the WAL to disk itself (an fsync: half a
millisecond on a quiet disk, tens on a busy one) while it holds the one write lock, so
writers queue behind each other's flushes. Here commits run
with `synchronous=NORMAL`: the WAL is written (the operating system has it, so a killed
process loses nothing) but not flushed. Before a request is answered, `wait()` makes sure
that every commit made so far is on disk, with one fsync of the WAL shared by every request
waiting at that moment. A message answered 200 is still on disk; a power cut can only lose
commits that nobody has been told about yet (SQLite's own recovery keeps the database
whole either way: it reads the WAL up to its last complete commit).

Checkpoints (the WAL copied back into the database file, which is then flushed) are made
here too, every `checkpoint_every` commits, in a thread, while this process's writers wait
their turn (`exclusive`: storage/writer.py's queue). SQLite's automatic checkpoint is off on
the server's connections (storage/sqlite_inline.py): it runs inside the commit that crosses
its threshold, and commits run on the event loop, which a checkpoint on a busy disk would
hold for every request. Writers are held off because a checkpoint that new commits overtake
never catches up, and SQLite starts the WAL over only once everything in it was copied: the
WAL would grow for as long as the load lasts. Commits nobody waits for (the background
loops') count too, so the WAL is checkpointed whether or not anyone is answered.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

CHECKPOINT_EVERY = 100     # commits of a few pages each (a message makes two): near SQLite's own 1,000 pages


@contextlib.asynccontextmanager
async def _nobody() -> AsyncIterator[None]:
    yield


class WalSync:
    def __init__(self, database_path: str, checkpoint_every: int = CHECKPOINT_EVERY,
                 exclusive: Callable[[], AbstractAsyncContextManager[None]] = _nobody):
        self.db_path = database_path
        self.wal_path = database_path + "-wal"
        self.checkpoint_every = checkpoint_every
        self.exclusive = exclusive  # holds this process's writers off (storage/writer.py)
        self.committed = 0         # writing commits made by this process
        self.synced = 0            # of those, the ones known to be on disk
        self.flushes = 0           # fsyncs made (benchmarks, tests)
        self.checkpoints = 0
        self._checkpointed_at = 0  # `committed` when the last checkpoint was asked for
        self._checkpointer: sqlite3.Connection | None = None     # used by one thread at a time
        self._flushing: asyncio.Future[None] | None = None
        self._checkpointing: asyncio.Future[None] | None = None

    def note_commit(self) -> None:
        self.committed += 1
        if self._checkpointing is None and self.committed - self._checkpointed_at >= self.checkpoint_every:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:   # no event loop (a synchronous caller): the next commit asks again
                return
            self._checkpointed_at = self.committed
            self._checkpointing = loop.create_task(self._checkpoint())

    async def wait(self) -> None:
        """Return once every commit made before this call is on disk."""
        target = self.committed
        while self.synced < target:
            if self._flushing is None:
                self._flushing = asyncio.ensure_future(self._flush())
            # shielded: one caller giving up (its request cancelled) must not stop the flush
            # that the others wait for
            await asyncio.shield(self._flushing)

    async def _flush(self) -> None:
        upto = self.committed          # the flush covers the commits made before it starts
        try:
            await asyncio.to_thread(_fsync, self.wal_path)
            self.synced = max(self.synced, upto)
            self.flushes += 1
        finally:
            self._flushing = None

    async def _checkpoint(self) -> None:
        try:
            async with self.exclusive():
                await asyncio.to_thread(self._checkpoint_now)
            self.checkpoints += 1
        finally:
            self._checkpointing = None

    def _checkpoint_now(self) -> None:
        if self._checkpointer is None:
            self._checkpointer = sqlite3.connect(self.db_path, check_same_thread=False)
        # PASSIVE: waits for nobody; what a reader still needs is left for the next one
        self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    async def close(self) -> None:
        if self._checkpointing is not None:
            await asyncio.shield(self._checkpointing)
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None


def _fsync(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        # no WAL: the last connection checkpointed it into the database file, which SQLite
        # flushed itself before removing the WAL
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
