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
"""
from __future__ import annotations

import asyncio
import os


class WalSync:
    def __init__(self, database_path: str):
        self.wal_path = database_path + "-wal"
        self.committed = 0         # writing commits made by this process
        self.synced = 0            # of those, the ones known to be on disk
        self.flushes = 0           # fsyncs made (benchmarks, tests)
        self._flushing: asyncio.Future[None] | None = None

    def note_commit(self) -> None:
        self.committed += 1

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
