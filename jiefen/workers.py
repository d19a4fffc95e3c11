"""Several worker processes on one port (production: PostgreSQL and Redis). The supervisor
migrates the database once, starts the workers (each binds the port with SO_REUSEPORT, so the
kernel spreads connections), restarts one that dies, and stops them all on SIGTERM / SIGINT.
What the workers share goes through the database and the state store; nothing else is
shared, so any worker can take any resident's next message."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import urllib.request

from jiefen.admin import init_database
from bot.settings import Settings

log = logging.getLogger("jiefen.workers")
RESTART_DELAY = 1.0


class SharedStateNeeded(Exception):
    pass


async def supervise(settings: Settings, workers: int, *, demo: bool = False, config: str | None = None) -> int:
    if settings.state_url.startswith("memory"):
        raise SharedStateNeeded("several workers need a shared state store: set JIEFEN_STATE_URL=redis://HOST:6379/0 "
                                "(conversations, dedupe keys, locks and counters live there)")
    await init_database(settings, demo=demo)          # once, before any worker touches the schema
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    procs: dict[int, asyncio.subprocess.Process] = {}
    drains: set[asyncio.Future] = set()

    async def start(index: int) -> None:
        cmd = [sys.executable, "-m", "jiefen.cli", *(["--config", config] if config else []), "serve",
               "--host", settings.host, "--port", str(settings.port), "--worker-index", str(index)]
        procs[index] = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE)
        line = await procs[index].stdout.readline()        # "worker N ready", or nothing when it failed
        if not line:
            log.error("worker %d did not start", index)
        drains.add(asyncio.ensure_future(_drain(procs[index].stdout)))

    await asyncio.gather(*(start(i) for i in range(1, workers + 1)))
    if not await _answers(settings):
        stop.set()
    else:
        print(f"jiefen is serving with {workers} workers. Open the web chat: "
              f"http://{settings.host}:{settings.port}/", flush=True)
    try:
        while not stop.is_set():
            waits = {asyncio.ensure_future(p.wait()): i for i, p in procs.items()}
            stopping = asyncio.ensure_future(stop.wait())
            done, pending = await asyncio.wait([*waits, stopping], return_when=asyncio.FIRST_COMPLETED)
            for fut in pending:
                fut.cancel()
            if stop.is_set():
                break
            for fut in done:
                index = waits[fut]
                log.warning("worker %d exited with %s; starting it again", index, fut.result())
                await asyncio.sleep(RESTART_DELAY)
                await start(index)
    finally:
        for p in procs.values():
            if p.returncode is None:
                p.terminate()
        await asyncio.gather(*(p.wait() for p in procs.values()))
        for d in drains:
            d.cancel()
    return 0


async def _drain(stream: asyncio.StreamReader) -> None:
    """A worker's later output goes on to ours (and never fills the pipe)."""
    while line := await stream.readline():
        sys.stdout.write(line.decode(errors="replace"))
        sys.stdout.flush()


async def _answers(settings: Settings, seconds: float = 30.0) -> bool:
    url = f"http://{settings.host}:{settings.port}/healthz"
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        try:
            await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=2).read())
            return True
        except OSError:
            await asyncio.sleep(0.2)
    return False
