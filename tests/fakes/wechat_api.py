"""A fake WeChat API: a real aiohttp server on 127.0.0.1 that answers like api.weixin.qq.com,
records every call, and can be told to fail (errcodes, slow answers). Like WeChat, it refuses a
customer-service text over 2048 bytes (45002 "content size out of limit")."""
from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TEXT_LIMIT = 2048               # bytes of a text message's content


@dataclass
class Call:
    path: str
    query: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeWeChatAPI:
    appid: str = "wx_fake_appid"
    secret: str = "fake_secret"
    calls: list[Call] = field(default_factory=list)
    accepted: list[Call] = field(default_factory=list)     # the calls answered errcode 0
    delay: float = 0.0                                    # seconds before every answer
    token_delay: float = 0.0                              # extra, for token calls only
    _errors: dict[str, list[int]] = field(default_factory=dict)
    _tokens: itertools.count = field(default_factory=lambda: itertools.count(1))
    valid_tokens: set[str] = field(default_factory=set)
    url: str = ""

    def fail(self, path: str, *errcodes: int) -> None:
        """The next calls to `path` answer these errcodes, one each, in order."""
        self._errors.setdefault(path, []).extend(errcodes)

    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    def texts_sent(self, user: str | None = None) -> list[str]:
        """The customer-service texts WeChat accepted (and would show), in order."""
        return [c.body["text"]["content"] for c in self.accepted
                if c.path == "/cgi-bin/message/custom/send" and c.body.get("msgtype") == "text"
                and (user is None or c.body.get("touser") == user)]

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/cgi-bin/stable_token", self._stable_token)
        app.router.add_post("/cgi-bin/{name:.*}", self._api)
        return app

    async def start(self) -> "FakeWeChatAPI":
        self._runner = web.AppRunner(self.app())
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _record(self, request: web.Request) -> tuple[Call, int | None]:
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

    async def _stable_token(self, request: web.Request) -> web.Response:
        call, err = await self._record(request)
        if self.token_delay:
            await asyncio.sleep(self.token_delay)
        if err:
            return web.json_response({"errcode": err, "errmsg": "injected"})
        if call.body.get("appid") != self.appid or call.body.get("secret") != self.secret:
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        token = f"TOKEN-{next(self._tokens)}"
        self.valid_tokens.add(token)
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def _api(self, request: web.Request) -> web.Response:
        call, err = await self._record(request)
        if err:
            return web.json_response({"errcode": err, "errmsg": "injected"})
        if call.query.get("access_token") not in self.valid_tokens:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        if request.path == "/cgi-bin/message/custom/send" and call.body.get("msgtype") == "text":
            content = call.body.get("text", {}).get("content", "")
            if not isinstance(content, str) or len(content.encode("utf-8")) > TEXT_LIMIT:
                return web.json_response({"errcode": 45002, "errmsg": "content size out of limit"})
        if request.path == "/cgi-bin/qrcode/create":
            scene = call.body.get("action_info", {}).get("scene", {})
            value = scene.get("scene_str") or scene.get("scene_id")
            answer = {"ticket": f"TICKET-{value}", "url": f"http://weixin.qq.com/q/fake-{value}"}
            if "expire_seconds" in call.body:
                answer["expire_seconds"] = call.body["expire_seconds"]
            return web.json_response(answer)
        self.accepted.append(call)
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": len(self.calls)})
