"""Per-recipient send limits kept in the state store, so every worker counts together.

WeCom drops app messages above 30 a minute or 1000 an hour per member, and robot posts
above 20 a minute per robot, silently: better to hold a push back than to lose it."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.context import AppContext


class Limits:
    def __init__(self, ctx: "AppContext", name: str, windows: tuple[tuple[int, int], ...]):
        self.ctx, self.name = ctx, name
        self.windows = windows          # (seconds, at most)

    async def admit(self, who: str) -> float | None:
        """Count one send to `who` and return None, or return the seconds to wait when a
        window is full (nothing is counted then)."""
        now = self.ctx.clock.now().timestamp()
        taken: list[tuple[str, int]] = []
        for seconds, most in self.windows:
            if most <= 0:
                continue
            window = int(now // seconds)
            key = f"limit:{self.name}:{who}:{seconds}:{window}"
            count = await self.ctx.state.incr(key, ttl=seconds * 2)
            taken.append((key, seconds))
            if count > most:
                for k, span in taken:   # give back what this refused send took
                    await self.ctx.state.incr(k, -1, ttl=span * 2)
                return (window + 1) * seconds - now + 0.5
        return None
