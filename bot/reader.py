"""Reading a text away from the event loop, within a time budget.

The understanding layer is CPU work in Python and in the regex engine, which holds the GIL for
as long as one match takes: run in the server's process — even on a thread — one long or
hostile text would hold every other request. So readings run in a few reader processes forked
from the server once the model is loaded (they share its memory, and start at once); each
reading is awaited for at most `reading_budget` seconds, and a process that overruns is killed
and forked again, while the message gets a reading that says so (a person sorts it out).
Recent readings are kept, so a message read by several steps is read once.

Where `fork` is not available, or `reading_processes` is 0, readings run on a thread pool
(the budget then bounds the wait, not the work).
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection

from nlp import Reading, Understanding

log = logging.getLogger("jiefen.reader")
CACHE = 256


class _Busy(Exception):
    """Every reader was busy for the whole budget."""


def not_read(text: str) -> Reading:
    """Not understood in time: a dispute of no known type, for a person to sort out."""
    return Reading(text=text, type="other", confidence=0.0, extra={"timeout": True})


def _serve(nlp: Understanding, conn: Connection) -> None:
    """A reader process: texts in, readings out, until the server goes away."""
    _die_with_parent()
    # the server's sockets are not ours: a copy kept open here would keep a dead worker's
    # listening socket taking connections, and its database sessions (and their locks) alive
    keep = conn.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, _max_fd())
    signal.set_wakeup_fd(-1)                          # the server's event loop is not ours
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # the server's Ctrl-C is the server's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        try:
            text = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        try:
            conn.send(nlp.read(text))
        except (BrokenPipeError, OSError):
            os._exit(0)


def _die_with_parent() -> None:
    """Linux: the kernel kills this process when the server dies, even by SIGKILL."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)                 # PR_SET_PDEATHSIG
        if os.getppid() == 1:                         # the server died before prctl took effect
            os._exit(0)
    except (OSError, AttributeError):
        pass


def _max_fd() -> int:
    try:
        return min(os.sysconf("SC_OPEN_MAX"), 1 << 16)
    except (OSError, ValueError):
        return 4096


class _Process:
    def __init__(self, nlp: Understanding):
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(nlp, child), daemon=True, name="jiefen-reader")
        self.proc.start()
        child.close()

    async def read(self, text: str, budget: float) -> Reading:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[None] = loop.create_future()
        fd = self.conn.fileno()
        loop.add_reader(fd, lambda: None if answer.done() else answer.set_result(None))
        try:
            self.conn.send(text)
            await asyncio.wait_for(answer, budget)
            reading: Reading = self.conn.recv()
            return reading
        finally:
            loop.remove_reader(fd)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(1)
        self.conn.close()


class Reader:
    def __init__(self, nlp: Understanding, *, budget: float, limit: int, processes: int = 2):
        self.nlp = nlp
        self.budget = budget
        self.limit = limit                   # longer texts are cut: a channel's own limit
        self.processes = processes if "fork" in multiprocessing.get_all_start_methods() else 0
        self._idle: asyncio.Queue[_Process] | None = None
        self._all: list[_Process] = []
        self._threads: ThreadPoolExecutor | None = None
        self._cache: OrderedDict[str, Reading] = OrderedDict()

    async def read(self, text: str) -> Reading:
        text = text[: self.limit] if self.limit else text
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return cached
        try:
            reading = await (self._in_process(text) if self.processes else self._on_thread(text))
        except _Busy:
            log.warning("no reader free within %.1f s", self.budget)
            return not_read(text)          # not the text's fault: not kept
        except TimeoutError:
            log.warning("reading a %d-character text took longer than %.1f s", len(text), self.budget)
            reading = not_read(text)       # kept too: the same text sent again costs nothing
        self._cache[text] = reading
        if len(self._cache) > CACHE:
            self._cache.popitem(last=False)
        return reading

    async def _in_process(self, text: str, again: bool = True) -> Reading:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for _ in range(self.processes):
                self._spawn()
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.budget)
        except TimeoutError:
            raise _Busy() from None
        try:
            reading = await worker.read(text, self.budget)
        except (TimeoutError, EOFError, OSError) as exc:
            self._replace(worker)           # a reading that overran is stopped, not waited for
            if isinstance(exc, asyncio.TimeoutError):
                raise
            log.warning("a reader process died (%s); a new one replaces it", type(exc).__name__)
            if again:                       # the text read by the replacement, not answered unread
                return await self._in_process(text, again=False)
            return not_read(text)
        except BaseException:               # cancelled mid-reading: its answer would be the next one's
            self._replace(worker)
            raise
        self._idle.put_nowait(worker)
        return reading

    def _spawn(self) -> None:
        if self._idle is None:
            return
        worker = _Process(self.nlp)
        self._all.append(worker)
        self._idle.put_nowait(worker)

    def _replace(self, worker: _Process) -> None:
        worker.kill()
        if worker in self._all:             # not after a restart, which replaced them all
            self._all.remove(worker)
            self._spawn()

    async def _on_thread(self, text: str) -> Reading:
        if self._threads is None:
            self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="reading")
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(loop.run_in_executor(self._threads, self.nlp.read, text), self.budget)

    def restart(self) -> None:
        """The model changed (the registry's places): the reader processes are forked again."""
        self._cache.clear()
        for worker in self._all:
            worker.kill()
        self._all, self._idle = [], None

    def close(self) -> None:
        self.restart()
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)
