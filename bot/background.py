"""A loop that runs beside the web server (the outbox, the clock scheduler, the console's live
updates): started once, stopped by cancelling it and waiting, for a bounded time, until it has
let go."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger("jiefen.background")


class BackgroundLoop:
    # A loop that holds a cancellation back (a library can, inside its own cleanup) must not
    # hold the server's shutdown for ever: past this grace it is left behind, and said so.
    GRACE = 10.0

    def __init__(self, name: str, run: Callable[[], Coroutine[Any, Any, None]]):
        self.name, self._run = name, run
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self, grace: float | None = None) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=self.GRACE if grace is None else grace)
        if not done:
            log.error("%s: still running %.0f s after it was cancelled; left behind", self.name,
                      self.GRACE if grace is None else grace)
        elif not task.cancelled() and task.exception() is not None:
            log.error("%s: ended with an error", self.name, exc_info=task.exception())
