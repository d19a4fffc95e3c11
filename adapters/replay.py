"""Signed means signed, once: a callback's timestamp must be recent and its nonce unused.

WeChat's plain signature covers the token, timestamp and nonce but not the body, so a
captured URL could carry any body; and any signed request could be sent again. Here a
timestamp outside the window is refused, and a nonce is remembered for twice the window
with a digest of its body: the same request again is a retry (let through, the inbox answers
it once), a different body under a used nonce is a forgery.
"""
from __future__ import annotations

import hashlib
import time

from adapters.base import BadCallback
from bot.context import AppContext


class ReplayGuard:
    def __init__(self, ctx: AppContext, channel: str):
        self.ctx, self.channel = ctx, channel

    async def check(self, timestamp: str | int, nonce: str, body: bytes) -> None:
        """Raise BadCallback for a stale or replayed request. The state store's errors pass
        through: the caller answers non-200 and the channel retries."""
        skew = self.ctx.settings.callback_max_skew
        try:
            stamp = int(str(timestamp))
        except ValueError:
            raise BadCallback(400, "bad timestamp") from None
        # the channel's clock, not the app's test clock; whole seconds: a stamp of 400 digits
        # does not fit a float (it was a 500)
        if abs(int(time.time()) - stamp) > skew:
            raise BadCallback(403, "stale timestamp")
        if not nonce or len(nonce) > 64:
            raise BadCallback(400, "bad nonce")
        digest = hashlib.sha256(body).hexdigest()[:32]
        key = f"nonce:{self.channel}:{stamp}:{nonce}"
        if await self.ctx.state.add(key, digest, ttl=2 * skew):
            return
        if await self.ctx.state.get(key) != digest:
            raise BadCallback(403, "nonce reused")
