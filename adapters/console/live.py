"""Live updates: the list and the dashboard hear that a case in their area changed, whichever
worker process changed it. A commit that changed cases publishes their numbers and places on the
state store (Redis pub/sub with several workers; in-process otherwise); each worker's console
listens once and passes what is in each viewer's area to their open pages as server-sent events."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from aiohttp import web

from adapters.console.auth import user_of
from bot.background import BackgroundLoop
from bot.context import AppContext
from bot.scope import scope_of
from storage.case_list import Scope

log = logging.getLogger("jiefen.console.live")
CHANNEL = "console:cases"
KEEPALIVE = 20.0            # seconds between two comments on a quiet stream (proxies close idle ones)


def in_scope(scope: Scope | None, change: dict[str, Any], staff_id: str) -> bool:
    if scope is None:
        return True
    if scope.places is not None and change.get("place") not in scope.places:
        return False
    return scope.types is None or change.get("type") in scope.types


class Live:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.viewers: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self._listener = BackgroundLoop("console-live", self._listen)

    async def publish(self, changes: list[dict[str, Any]]) -> None:
        await self.ctx.state.publish(CHANNEL, {"cases": changes})

    async def start(self) -> None:
        if self.publish not in self.ctx.db.commit_hooks:
            self.ctx.db.commit_hooks.append(self.publish)
        self._listener.start()

    async def end_streams(self, _app: Any = None) -> None:
        """The server is shutting down: end every open stream now (the browser reconnects to
        another worker), not after the shutdown's grace period."""
        for q in list(self.viewers):
            with contextlib.suppress(asyncio.QueueFull):
                q.put_nowait(None)

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            self.ctx.db.commit_hooks.remove(self.publish)
        await self._listener.stop()

    async def _listen(self) -> None:
        while True:
            try:
                async with self.ctx.state.subscribe(CHANNEL) as sub:
                    while True:
                        message = await sub.get(30.0)
                        if isinstance(message, dict):
                            for q in list(self.viewers):
                                if q.qsize() < 90:          # room kept for the end-of-stream mark
                                    q.put_nowait(message)
            except asyncio.CancelledError:
                raise
            except Exception:               # the state store is down: try again, quietly
                log.warning("live updates: subscription lost, retrying", exc_info=True)
                await asyncio.sleep(2.0)

    async def stream(self, request: web.Request) -> web.StreamResponse:
        user = user_of(request)
        scope = scope_of(self.ctx.registry, user.staff)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                               "X-Accel-Buffering": "no"})
        await response.prepare(request)
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(maxsize=100)
        self.viewers.add(queue)
        try:
            await response.write(b"retry: 3000\n: connected\n\n")
            while True:
                try:
                    message = await asyncio.wait_for(queue.get(), KEEPALIVE)
                except TimeoutError:
                    await response.write(b": keepalive\n\n")
                    continue
                if message is None:
                    break
                mine = [c["number"] for c in message.get("cases", []) if isinstance(c, dict)
                        and in_scope(scope, c, user.staff.id)]
                if mine:
                    data = json.dumps({"cases": mine}, ensure_ascii=False)
                    await response.write(f"event: cases\ndata: {data}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.viewers.discard(queue)
        return response
