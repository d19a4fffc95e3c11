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

Checkpoints (copying the WAL back into the database file, with fsyncs of both) are made here
too, in the same thread, every `checkpoint_every` commits: the server's connections turn
SQLite's own automatic checkpoint off (storage/sqlite_inline.py), because it runs inside the
commit that crosses its threshold, and that commit runs on the event loop, which a
checkpoint on a busy disk would hold for every request. Commits nobody waits for (the
background loops') start a flush themselves once they pile up, so the WAL never grows
without bound.
"""
from __future__ import annotations

import asyncio
import os
import sqlite3

CHECKPOINT_EVERY = 500     # commits: a message's are a few pages each, SQLite's own default is 1,000 pages


class WalSync:
    def __init__(self, database_path: str, checkpoint_every: int = CHECKPOINT_EVERY):
        self.db_path = database_path
        self.wal_path = database_path + "-wal"
        self.checkpoint_every = checkpoint_every
        self.committed = 0         # writing commits made by this process
        self.synced = 0            # of those, the ones known to be on disk
        self.flushes = 0           # fsyncs made (benchmarks, tests)
        self.checkpoints = 0
        self._checkpointed_at = 0  # `committed` when the last checkpoint started
        self._checkpointer: sqlite3.Connection | None = None     # used by one flush thread at a time
        self._flushing: asyncio.Future[None] | None = None

    def note_commit(self) -> None:
        self.committed += 1
        if self._flushing is None and self.committed - self._checkpointed_at >= self.checkpoint_every:
            try:                   # nobody may be waiting for an answer: flush (and checkpoint) anyway
                self._flushing = asyncio.ensure_future(self._flush())
            except RuntimeError:   # no event loop (a synchronous caller): the next wait does it
                pass

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
        checkpoint = upto - self._checkpointed_at >= self.checkpoint_every
        try:
            await asyncio.to_thread(self._sync, checkpoint)
            self.synced = max(self.synced, upto)
            self.flushes += 1
            if checkpoint:
                self._checkpointed_at, self.checkpoints = upto, self.checkpoints + 1
        finally:
            self._flushing = None

    def _sync(self, checkpoint: bool) -> None:
        """In a thread: the WAL to disk, then (now and then) the WAL into the database."""
        _fsync(self.wal_path)
        if checkpoint:
            if self._checkpointer is None:
                self._checkpointer = sqlite3.connect(self.db_path, check_same_thread=False)
            # PASSIVE: copies what no reader still needs, waits for nobody; the next one goes on
            self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def close(self) -> None:
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
