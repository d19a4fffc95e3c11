"""A fake WeCom API: a real aiohttp server on 127.0.0.1 that answers like qyapi.weixin.qq.com
for gettoken, message/send and webhook/send, records every call, and can be told to fail."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.base import FakeAPI


@dataclass
class FakeWeComAPI(FakeAPI):
    corpid: str = "wx49f0ab532d5d035a"
    secret: str = "s3cret"

    def sent(self) -> list[dict[str, Any]]:
        """Bodies of the app messages WeCom accepted."""
        return [c.body for c in self.calls_to("/cgi-bin/message/send") if c.body.get("_accepted")]

    def shown(self) -> list[dict[str, Any]]:
        """What staff actually see: WeCom's duplicate check drops the same content to the same
        person within the interval (the clock here is the order of calls: tests are short)."""
        seen: set[tuple[str, str]] = set()
        out = []
        for body in self.sent():
            key = (body["touser"], json.dumps(body.get(body.get("msgtype", "")), sort_keys=True))
            if body.get("enable_duplicate_check") and key in seen:
                continue
            seen.add(key)
            out.append(body)
        return out

    def robot_posts(self, key: str | None = None) -> list[dict[str, Any]]:
        return [c.body for c in self.calls_to("/cgi-bin/webhook/send")
                if c.body.get("_accepted") and (key is None or c.query.get("key") == key)]

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/send", self._send)
        app.router.add_post("/cgi-bin/webhook/send", self._webhook)
        return app

    @staticmethod
    def _answer(err: int) -> web.Response:
        if err == 0:
            return web.Response(status=502, text="bad gateway")
        return web.json_response({"errcode": err, "errmsg": "injected"})

    async def _gettoken(self, request: web.Request) -> web.Response:
        call, err = await self._record(request)
        if err is not None:
            return self._answer(err)
        if call.query.get("corpid") != self.corpid or call.query.get("corpsecret") != self.secret:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        token = f"wecom-token-{next(self._tokens)}"
        self.valid_tokens.add(token)
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    async def _send(self, request: web.Request) -> web.Response:
        call, err = await self._record(request)
        if err is not None:
            return self._answer(err)
        if call.query.get("access_token") not in self.valid_tokens:
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        if not call.body.get("touser") or not call.body.get("agentid"):
            return web.json_response({"errcode": 81013, "errmsg": "user & party & tag all invalid"})
        call.body["_accepted"] = True
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"m{len(self.calls)}"})

    async def _webhook(self, request: web.Request) -> web.Response:
        call, err = await self._record(request)
        if err is not None:
            return self._answer(err)
        if not call.query.get("key"):
            return web.json_response({"errcode": 93000, "errmsg": "invalid webhook url"})
        body = call.body
        content = (body.get(body.get("msgtype", ""), {}) or {}).get("content", "")
        limit = 4096 if body.get("msgtype") == "markdown" else 2048
        if len(content.encode()) > limit:
            return web.json_response({"errcode": 40058, "errmsg": "content exceed max length"})
        body["_accepted"] = True
        return web.json_response({"errcode": 0, "errmsg": "ok"})
