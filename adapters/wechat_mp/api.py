"""WeChat's HTTP API over aiohttp (wechatpy's client is synchronous and has no timeout on token
fetches), with one access-token holder per deployment.

The token lives in the state store, so every worker uses the same one; a refresh happens under
a state-store lock and re-reads the store first, so concurrent callers cause one fetch. It uses
`stable_token`, whose tokens do not invalidate each other, and refreshes ahead of expiry.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp

from adapters.http import HttpClient
from bot.context import AppContext

log = logging.getLogger("jiefen.wechat_mp.api")
TOKEN_KEY = "wechat_mp:access_token"
REFRESH_AHEAD = 300            # seconds before expiry a token counts as stale
TOKEN_ERRORS = frozenset({40001, 40014, 42001})     # bad / invalid / expired token: refresh once, retry
WINDOW_CLOSED = frozenset({45015, 45047})           # no customer-service window (or count used up)
NET_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)   # a passing failure: retry later


class APIError(Exception):
    def __init__(self, errcode: int, errmsg: str = ""):
        super().__init__(f"{errcode} {errmsg}".strip())
        self.errcode, self.errmsg = errcode, errmsg


class WeChatAPI(HttpClient):
    def __init__(self, ctx: AppContext, timeout: float = 10.0):
        super().__init__(ctx.settings.wechat_api_base, timeout)
        self.ctx = ctx
        self._local = asyncio.Lock()        # callers in this process queue here, not on the store
        self.refreshes = 0

    # ---- the access token -----------------------------------------------------------------
    def _now(self) -> float:
        return self.ctx.clock.now().timestamp()

    async def _cached(self) -> str | None:
        held = await self.ctx.state.get(TOKEN_KEY)
        if held and held.get("expires_at", 0) - REFRESH_AHEAD > self._now():
            return held["token"]
        return None

    async def token(self, *, stale: str | None = None) -> str:
        """The current token; `stale` names one WeChat refused, to be replaced unless someone already did."""
        current = await self._cached()
        if current and current != stale:
            return current
        async with self._local:
            async with self.ctx.state.lock("wechat_mp:token_refresh", ttl=30, wait=20):
                current = await self._cached()          # another worker may have refreshed meanwhile
                if current and current != stale:
                    return current
                return await self._fetch(force=stale is not None)

    async def _fetch(self, force: bool) -> str:
        s = self.ctx.settings
        body = {"grant_type": "client_credential", "appid": s.wechat_appid, "secret": s.wechat_secret,
                "force_refresh": force}
        data = await self._post("/cgi-bin/stable_token", body)
        if data.get("errcode"):
            raise APIError(int(data["errcode"]), str(data.get("errmsg", "")))
        token, expires_in = data["access_token"], int(data.get("expires_in", 7200))
        await self.ctx.state.set(TOKEN_KEY, {"token": token, "expires_at": self._now() + expires_in},
                                 ttl=expires_in)
        self.refreshes += 1
        log.info("access token refreshed (expires in %d s)", expires_in)
        return token

    # ---- calls ------------------------------------------------------------------------------
    async def _post(self, path: str, body: dict[str, Any], params: dict[str, str] | None = None) -> dict[str, Any]:
        # ensure_ascii=False: WeChat shows \uXXXX escapes literally in some message types
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        async with self.session().post(self.base + path, params=params, data=payload,
                                       headers={"Content-Type": "application/json; charset=utf-8"}) as resp:
            if resp.status >= 500:
                raise APIError(-resp.status, "server error")
            text = await resp.text()
        try:
            data = json.loads(text)
        except ValueError:
            raise APIError(-1, "answer is not JSON") from None
        return data if isinstance(data, dict) else {"errcode": -1, "errmsg": "answer is not an object"}

    async def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST with the token; a token error refreshes it once and retries. Raises APIError."""
        token = await self.token()
        for attempt in (1, 2):
            data = await self._post(path, body, {"access_token": token})
            code = int(data.get("errcode", 0) or 0)
            if code == 0:
                return data
            if code in TOKEN_ERRORS and attempt == 1:
                log.warning("token refused by %s (%d): refreshing once", path, code)
                token = await self.token(stale=token)
                continue
            raise APIError(code, str(data.get("errmsg", "")))
        raise AssertionError("unreachable")
