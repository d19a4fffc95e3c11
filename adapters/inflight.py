"""What every webhook channel does with one message: keep it (the inbox), handle it in a task
the request's cancellation cannot reach, and answer within the channel's deadline — with the
replies, with "later" (they follow as pushes), or with "unavailable" (not kept or not handled
now: the channel must answer non-200 so that the message comes back)."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.context import AppContext
from bot.inbox import Ticket, Unavailable, Waiter
from bot.message import Message, Reply

log = logging.getLogger("jiefen.inflight")
COMMIT_WAIT = 2.5      # seconds more for a handling that took the answer and is committing

Work = Callable[[Ticket, Waiter], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Answer:
    replies: list[Reply] = field(default_factory=list)
    later: bool = False          # past the deadline: the replies follow (outbox, or kept for a refresh)
    unavailable: bool = False    # answer non-200: the channel sends the message again
    item_id: int | None = None   # the inbox row (where a kept answer can be read later)
    conflict: bool = False       # an id used before for other words: not a retry, not handled

    @property
    def text(self) -> str:
        return "\n\n".join(r.text for r in self.replies if r.text)


class Handlings:
    """The handlings in flight of one channel (its stop waits for them)."""

    def __init__(self, ctx: AppContext, name: str):
        self.ctx, self.name = ctx, name
        self.tasks: set[asyncio.Task] = set()

    async def answer(self, message: Message, deadline: float, work: Work | None = None, *,
                     keep_late: bool = False, same_words: bool = False) -> Answer:
        """`keep_late`: a late answer stays with the inbox row (the channel fetches it later,
        as WeCom's stream refresh does) instead of going through the outbox. `same_words`: a
        message whose id was used before for other words is a conflict, not the retry it
        would be taken for (a forward's reused id silently dropped a new report)."""
        try:
            ticket = await self.ctx.inbox.accept(message)
        except Unavailable:
            return Answer(unavailable=True)
        if same_words and not ticket.fresh and (ticket.row.message or {}).get("text") != message.text:
            return Answer(conflict=True, item_id=ticket.row.id)
        waiter = Waiter()
        task = asyncio.get_running_loop().create_task((work or self.ctx.inbox.run)(ticket, waiter))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        done, _ = await asyncio.wait({task}, timeout=deadline)
        if task not in done:
            if keep_late:
                return Answer(later=True, item_id=ticket.row.id)
            if waiter.give_up():
                return Answer(later=True, item_id=ticket.row.id)
            done, _ = await asyncio.wait({task}, timeout=COMMIT_WAIT)
            if task not in done:          # still committing: the channel asks again, the answer is kept
                return Answer(unavailable=True)
        exc = task.exception()
        if exc is not None:
            if not isinstance(exc, Unavailable):
                log.error("%s: a handling failed", self.name, exc_info=exc)
            return Answer(unavailable=True)      # kept in the inbox: the retry or the drainer handles it
        return Answer(task.result(), item_id=ticket.row.id)

    async def stop(self, timeout: float = 10.0) -> None:
        if self.tasks:          # acknowledged messages are handled before the process ends
            await asyncio.wait(set(self.tasks), timeout=timeout)
