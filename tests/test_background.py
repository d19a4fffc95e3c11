"""Loops beside the server stop when asked, and a loop that holds its cancellation back cannot
hold the server's shutdown for ever."""
from __future__ import annotations

import asyncio
import logging
import time

from bot.background import BackgroundLoop


async def test_a_loop_stops_when_cancelled():
    ticks = []

    async def run() -> None:
        while True:
            ticks.append(1)
            await asyncio.sleep(0.01)

    loop = BackgroundLoop("ticker", run)
    loop.start()
    await asyncio.sleep(0.05)
    assert loop.running and ticks
    await loop.stop()
    assert not loop.running
    seen = len(ticks)
    await asyncio.sleep(0.05)
    assert len(ticks) == seen


async def test_a_loop_that_holds_its_cancellation_back_is_left_behind_after_the_grace(caplog):
    release = asyncio.Event()

    async def stubborn() -> None:
        while not release.is_set():
            try:
                await asyncio.sleep(0.01)
            except asyncio.CancelledError:      # as a library's cleanup can
                pass

    loop = BackgroundLoop("stubborn", stubborn)
    loop.start()
    await asyncio.sleep(0.02)
    t0 = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="jiefen.background"):
        await loop.stop(grace=0.3)
    assert 0.25 < time.monotonic() - t0 < 3
    assert not loop.running
    assert any("stubborn" in r.getMessage() and "left behind" in r.getMessage() for r in caplog.records)
    release.set()
    await asyncio.sleep(0.05)


async def test_an_error_that_ended_a_loop_is_logged_not_raised_at_stop(caplog):
    async def broken() -> None:
        raise RuntimeError("boom")

    loop = BackgroundLoop("broken", broken)
    loop.start()
    await asyncio.sleep(0.01)
    with caplog.at_level(logging.ERROR, logger="jiefen.background"):
        await loop.stop()
    assert any("broken" in r.getMessage() for r in caplog.records)
