"""Several worker processes on one port (production: PostgreSQL and Redis), run by gunicorn
with aiohttp's worker class. The master migrates the database once before it forks, binds
the port, restarts a worker that dies and stops them gracefully on SIGTERM (in-flight
requests finish; each worker stops its inbox, outbox and reader processes). What the
workers share goes through the database and the state store; nothing else is shared, so
any worker can take any resident's next message."""
from __future__ import annotations

import asyncio
import os
import threading
import urllib.request
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.settings import Settings

GRACEFUL_SECONDS = 30


class SharedStateNeeded(Exception):
    pass


def serve_workers(settings: Settings, workers: int, *, demo: bool = False) -> int:
    if settings.state_url.startswith("memory"):
        raise SharedStateNeeded("several workers need a shared state store: set JIEFEN_STATE_URL=redis://HOST:6379/0 "
                                "(dedupe keys, locks and counters live there; conversations are database rows)")
    from jiefen.admin import init_database

    asyncio.run(init_database(settings, demo=demo))     # once, before any worker touches the schema
    JiefenServer(settings, workers).run()
    return 0


async def worker_app() -> Any:
    """One worker's app, built after the fork (its own event loop, connections and readers)."""
    from jiefen.admin import configure_logging
    from jiefen.compose import build_context
    from jiefen.gateway import freeze_loaded, make_app

    settings = Settings.load(config_file=os.environ.get("JIEFEN_CONFIG") or None)
    configure_logging(settings.log_level)
    ctx = await build_context(settings)
    app = make_app(ctx, worker=os.getpid())
    freeze_loaded()

    async def close(_app: Any) -> None:
        await ctx.close()

    app.on_cleanup.append(close)
    return app


class JiefenServer(BaseApplication):  # type: ignore[misc]   (gunicorn ships no types)
    def __init__(self, settings: Settings, workers: int):
        self.settings, self.workers = settings, workers
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        for key, value in {"bind": f"{s.host}:{s.port}", "workers": self.workers,
                           "worker_class": "aiohttp.GunicornWebWorker", "graceful_timeout": GRACEFUL_SECONDS,
                           "timeout": 60, "accesslog": None, "errorlog": "-", "loglevel": "warning",
                           "proc_name": "jiefen", "when_ready": self._ready}.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return worker_app

    def _ready(self, _arbiter: Any) -> None:
        """Say where to go once a worker answers (the master must not block its own loop)."""
        threading.Thread(target=self._announce, daemon=True).start()

    def _announce(self) -> None:
        s = self.settings
        url = f"http://{s.host}:{s.port}/healthz"
        for _ in range(300):
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                threading.Event().wait(0.2)
        print(f"jiefen is serving with {self.workers} workers. Open the web chat: http://{s.host}:{s.port}/",
              flush=True)
