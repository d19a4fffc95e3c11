"""The customer-service window, counted per resident in the state store.

WeChat allows 5 customer-service messages within 48 h of a resident's message, and 3 within a
minute of a follow, a scan or a menu click. Each window is named by the instant it opened; its
count is a state-store counter, so several workers share one budget and an `incr` claims a slot
atomically. One slot of the message window is kept for the final result of a case.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.context import AppContext
from bot.message import EventType
from storage.inbox import InboxStore

CHANNEL = "wechat_mp"
EVENT_WINDOWS = frozenset({EventType.FOLLOW, EventType.SCAN, EventType.MENU})   # what opens the one-minute window

MESSAGE_WINDOW, MESSAGE_LIMIT = 48 * 3600, 5
EVENT_WINDOW, EVENT_LIMIT = 60, 3
RESERVED_KINDS = frozenset({"final", "reply"})   # may use the last slot; updates leave it free


@dataclass(frozen=True)
class Slot:
    counter: str          # the state key counting this window's messages
    limit: int
    window: str           # "message" | "event"


class Windows:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    def _key(self, user: str) -> str:
        return f"wechat_mp:window:{user}"

    def _now(self) -> float:
        return self.ctx.clock.now().timestamp()

    async def _state(self, user: str) -> dict[str, float]:
        """The windows' opening instants. The state store may have lost them (Redis restarted
        without persistence): then they are read again from the inbox, where every message is."""
        state = await self.ctx.state.get(self._key(user))
        if state is None:
            state = await self._from_inbox(user)
            await self.ctx.state.set(self._key(user), state, ttl=MESSAGE_WINDOW + 3600)
        return state

    async def _from_inbox(self, user: str) -> dict[str, float]:
        now = self.ctx.clock.now()
        state: dict[str, float] = {}
        for row in await InboxStore(self.ctx.db).recent(CHANNEL, user, now - timedelta(seconds=MESSAGE_WINDOW)):
            msg = row.message
            window = "event" if msg.get("kind") == "event" else "message"
            if window == "event" and msg.get("event") not in {e.value for e in EVENT_WINDOWS}:
                continue
            at = datetime.fromisoformat(msg["created_at"]).timestamp() if msg.get("created_at") else None
            if at is not None:
                state[window] = max(state.get(window, 0.0), at)
        return state

    async def opened(self, user: str, window: str, at: float | None = None) -> None:
        """A resident's message opens a fresh 48 h window; a follow, scan or click a 1 min one."""
        state = await self._state(user)
        state[window] = max(state.get(window) or 0, at if at is not None else self._now())
        await self.ctx.state.set(self._key(user), state, ttl=MESSAGE_WINDOW + 3600)

    async def closed(self, user: str, slot: Slot) -> None:
        """WeChat says the window is shut (45015 / 45047): believe it until the resident writes."""
        state = await self._state(user)
        state.pop(slot.window, None)
        await self.ctx.state.set(self._key(user), state, ttl=MESSAGE_WINDOW + 3600)

    async def _open_slots(self, user: str) -> list[Slot]:
        state = await self._state(user)
        now, slots = self._now(), []
        # the short event window first: it is gone in a minute anyway
        for window, length, limit in (("event", EVENT_WINDOW, EVENT_LIMIT), ("message", MESSAGE_WINDOW, MESSAGE_LIMIT)):
            at = state.get(window)
            if at and now - at < length:
                slots.append(Slot(f"wechat_mp:sent:{user}:{window}:{at}", limit, window))
        return slots

    async def remaining(self, user: str, kind: str) -> int:
        """How many messages of this kind may still go out now."""
        total = 0
        for slot in await self._open_slots(user):
            used = int(await self.ctx.state.get(slot.counter) or 0)
            total += max(0, self._limit(slot, kind) - used)
        return total

    def _limit(self, slot: Slot, kind: str) -> int:
        keep = 1 if slot.window == "message" and kind not in RESERVED_KINDS else 0
        return slot.limit - keep

    async def claim(self, user: str, kind: str) -> Slot | None:
        """Take one slot for a message of this kind, or None when the budget does not allow it."""
        for slot in await self._open_slots(user):
            used = await self.ctx.state.incr(slot.counter, 1, ttl=MESSAGE_WINDOW + 3600)
            if used <= self._limit(slot, kind):
                return slot
            await self.ctx.state.incr(slot.counter, -1)
        return None

    async def give_back(self, slot: Slot) -> None:
        """The message did not go out: its slot is free again."""
        await self.ctx.state.incr(slot.counter, -1)
