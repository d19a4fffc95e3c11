"""A fake WeChat API: a real aiohttp server on 127.0.0.1 that answers like api.weixin.qq.com,
records every call, and can be told to fail (errcodes, slow answers). Like WeChat, it refuses a
customer-service text over 2048 bytes (45002 "content size out of limit")."""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.base import Call, FakeAPI

TEXT_LIMIT = 2048               # bytes of a text message's content


@dataclass
class FakeWeChatAPI(FakeAPI):
    appid: str = "wx_fake_appid"
    secret: str = "fake_secret"
    accepted: list[Call] = field(default_factory=list)     # the calls answered errcode 0
    token_delay: float = 0.0                              # extra, for token calls only

    def texts_sent(self, user: str | None = None) -> list[str]:
        """The customer-service texts WeChat accepted (and would show), in order."""
        return [c.body["text"]["content"] for c in self.accepted
                if c.path == "/cgi-bin/message/custom/send" and c.body.get("msgtype") == "text"
                and (user is None or c.body.get("touser") == user)]

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/cgi-bin/stable_token", self._stable_token)
        app.router.add_post("/cgi-bin/{name:.*}", self._api)
        return app

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
