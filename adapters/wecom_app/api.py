"""WeCom's server API over aiohttp (wechatpy's client is synchronous): the access token,
app messages (message/send) and group robot posts (webhook/send).

A WeCom token does not invalidate the one before it (unlike the Official Account's), so
each process may keep its own; it is refreshed early and once more when WeCom says it
expired or is invalid."""
from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from adapters.http import HttpClient

if TYPE_CHECKING:
    from bot.context import AppContext

TOKEN_ERRORS = frozenset({40014, 42001, 41001})        # invalid, expired, missing access_token


class WeComError(Exception):
    def __init__(self, errcode: int, errmsg: str = ""):
        super().__init__(f"WeCom error {errcode}: {errmsg}")
        self.errcode, self.errmsg = errcode, errmsg


class WeComAPI(HttpClient):
    def __init__(self, ctx: "AppContext", timeout: float = 10.0):
        super().__init__(ctx.settings.wecom_api_base, timeout)
        self.ctx = ctx
        self._token: str | None = None
        self._expires = None
        self._lock = asyncio.Lock()

    async def token(self, *, stale: str | None = None) -> str:
        async with self._lock:       # one fetch at a time; the others use its result
            now = self.ctx.clock.now()
            if self._token and self._token != stale and self._expires and now < self._expires:
                return self._token
            s = self.ctx.settings
            async with self.session().get(f"{self.base}/cgi-bin/gettoken",
                                          params={"corpid": s.wecom_corpid, "corpsecret": s.wecom_secret}) as r:
                r.raise_for_status()
                data = await r.json(content_type=None)
            if data.get("errcode"):
                raise WeComError(data["errcode"], data.get("errmsg", ""))
            self._token = data["access_token"]
            # refresh five minutes early: a token that dies on the way is a wasted send
            self._expires = now + timedelta(seconds=max(60, int(data.get("expires_in", 7200)) - 300))
            return self._token

    async def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST with the access token; a token WeCom refuses is fetched again, once."""
        token = await self.token()
        for attempt in (1, 2):
            async with self.session().post(f"{self.base}{path}", params={"access_token": token}, json=body) as r:
                r.raise_for_status()
                data = await r.json(content_type=None)
            if data.get("errcode") in TOKEN_ERRORS and attempt == 1:
                token = await self.token(stale=token)
                continue
            return data
        return data

    async def send_text(self, touser: str, text: str) -> dict[str, Any]:
        s = self.ctx.settings
        body = {"touser": touser, "msgtype": "text", "agentid": int(s.wecom_agentid or 0),
                "text": {"content": clip(text, 2048)},
                # WeCom drops the same content to the same person within the interval: a resend
                # after a crash (row left 'sending') never shows twice
                "enable_duplicate_check": 1, "duplicate_check_interval": 1800}
        return await self.call("/cgi-bin/message/send", body)

    async def robot(self, key: str, markdown: str) -> dict[str, Any]:
        """A group robot post: no token, the key is in the URL."""
        body = {"msgtype": "markdown", "markdown": {"content": clip(markdown, 4096)}}
        async with self.session().post(f"{self.base}/cgi-bin/webhook/send", params={"key": key}, json=body) as r:
            r.raise_for_status()
            return await r.json(content_type=None)


def clip(text: str, limit: int) -> str:
    """Cut to `limit` UTF-8 bytes (WeCom counts bytes) without splitting a character."""
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode("utf-8", "ignore") + "…"
