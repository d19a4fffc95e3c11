"""Signed means signed, once: a callback's timestamp must be recent and its nonce unused.

WeChat's plain signature covers the token, timestamp and nonce but not the body, so a
captured URL could carry any body; and any signed request could be sent again. Here a
timestamp outside the window is refused, and a nonce is remembered for twice the window
with a digest of its body: the same request again is a retry (let through, the inbox answers
it once), a different body under a used nonce is a forgery.
"""
from __future__ import annotations

import hashlib
import logging
import time

from adapters.base import BadCallback
from bot.context import AppContext
from bot.inbox import is_transient

log = logging.getLogger("jiefen.replay")


MEMORY_NONCES = 20_000      # nonces this process remembers itself while the state store is out


class ReplayGuard:
    def __init__(self, ctx: AppContext, channel: str):
        self.ctx, self.channel = ctx, channel
        # while the state store is out of reach, this process's own memory of nonces: messages
        # are still kept (a Redis outage refused every callback, and 353 of 982 messages were
        # never taken in once WeChat stopped retrying); a replay to another process meanwhile
        # meets the inbox, which handles a message id once
        self._nonces: dict[str, tuple[str, float]] = {}

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
        try:
            if await self.ctx.state.add(key, digest, ttl=2 * skew):
                return
            seen = await self.ctx.state.get(key)
        except Exception as exc:
            if not is_transient(exc):
                raise
            log.warning("%s: state store out of reach, nonces kept in this process", self.channel)
            seen = self._remember(key, digest, 2 * skew)
            if seen is None:
                return
        if seen != digest:
            raise BadCallback(403, "nonce reused")

    def _remember(self, key: str, digest: str, ttl: float) -> str | None:
        """The digest seen before under `key` in this process, else None (and it is kept)."""
        now = time.monotonic()
        seen = self._nonces.get(key)
        if seen is not None and seen[1] > now:
            return seen[0]
        if len(self._nonces) >= MEMORY_NONCES:
            self._nonces = {k: v for k, v in self._nonces.items() if v[1] > now}
            while len(self._nonces) >= MEMORY_NONCES:        # all still fresh: the oldest go
                self._nonces.pop(next(iter(self._nonces)))
        self._nonces[key] = (digest, now + ttl)
        return None
