"""Reading a text off the event loop, within a time budget.

The understanding layer is CPU work; run on the event loop, one long or hostile text would
hold every other request. Here each reading runs in a small thread pool and is awaited for at
most `reading_budget` seconds; past that the message gets a reading that says so (a person
sorts it out), and the loop has served everyone else meanwhile. Recent readings are kept, so
a message read by several steps is read once.
"""
from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

from nlp import Reading, Understanding

log = logging.getLogger("jiefen.reader")
CACHE = 256


class Reader:
    def __init__(self, nlp: Understanding, *, budget: float, limit: int, threads: int = 2):
        self.nlp = nlp
        self.budget = budget
        self.limit = limit                   # longer texts are cut: a channel's own limit
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="reading")
        self._cache: OrderedDict[str, Reading] = OrderedDict()

    async def read(self, text: str) -> Reading:
        text = text[: self.limit] if self.limit else text
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return cached
        loop = asyncio.get_running_loop()
        try:
            reading = await asyncio.wait_for(loop.run_in_executor(self._pool, self.nlp.read, text), self.budget)
        except asyncio.TimeoutError:
            log.warning("reading a %d-character text took longer than %.1f s", len(text), self.budget)
            # not understood in time: a dispute of no known type, for a person to sort out
            return Reading(text=text, type="other", confidence=0.0, extra={"timeout": True})
        self._cache[text] = reading
        if len(self._cache) > CACHE:
            self._cache.popitem(last=False)
        return reading

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
