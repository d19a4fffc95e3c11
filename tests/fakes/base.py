"""What the fake external APIs share: a real aiohttp server on 127.0.0.1 (a free port), a
record of every call, errcodes queued per path, and a set of valid access tokens."""
from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Call:
    path: str
    query: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeAPI:
    calls: list[Call] = field(default_factory=list)
    valid_tokens: set[str] = field(default_factory=set)
    url: str = ""
    delay: float = 0.0                                    # seconds before every answer
    _errors: dict[str, list[int]] = field(default_factory=dict)
    _tokens: itertools.count = field(default_factory=lambda: itertools.count(1))

    def fail(self, path: str, *errcodes: int) -> None:
        """The next calls to `path` answer these errcodes, one each, in order."""
        self._errors.setdefault(path, []).extend(errcodes)

    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    def app(self) -> web.Application:
        raise NotImplementedError

    async def start(self):
        self._runner = web.AppRunner(self.app())
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return self

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _record(self, request: web.Request) -> tuple[Call, int | None]:
        """Record the call; the errcode queued for its path, if any."""
        raw = await request.read()
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        call = Call(request.path, dict(request.query), body)
        self.calls.append(call)
        if self.delay:
            await asyncio.sleep(self.delay)
        queued = self._errors.get(request.path)
        return call, (queued.pop(0) if queued else None)
