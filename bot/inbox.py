"""Acknowledged means durable: every message is written to the inbox table before a channel
answers 200, handled once, and — when its request has gone (a worker died, the state store
was down, WeChat stopped waiting) — handled later by any worker, its replies then sent
through the outbox.

The walk of one message: an adapter calls `accept` (the database write; `Unavailable` when it
cannot be made, and the adapter answers non-200 so the channel retries), then `run` with a
`Waiter` that stands for the request. `run` claims the row, sends the message through the
dispatcher and, in the same transaction as the handling's effects, marks the row done with
the replies: handed to the request if it still waits, queued as a push if it gave up.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy.exc
from redis import exceptions as redis_errors

from bot.background import BackgroundLoop
from bot.message import Message, Push, Reply, message_from_json, message_to_json
from storage.inbox import InboxStatus, InboxStore, LostClaim, Row
from storage.lifecycle import PushKind
from storage.state import LockTimeout

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.uow import UnitOfWork

T = TypeVar("T")
log = logging.getLogger("jiefen.inbox")

MAX_ATTEMPTS = 3          # handlings that fail with a bug; then the row is dead (kept for people)
BACKOFF = (5.0, 30.0, 120.0)
RETRY_TRANSIENT = 2.0     # seconds before a row whose handling met an outage is due again
POLL = 0.05
TICK = 30.0               # seconds between two runs of the context's periodic jobs (ctx.on_tick)

SORRY = "抱歉，系统刚才出了点问题。您的消息已经记下，工作人员会跟进；也可以稍后再发一次。"
THROTTLED = "您发得太快了，刚才这一条没有处理，请稍等一分钟再发一次。"  # kept, not acted on: said so
DEFERRED = "您发得比较快，后面的几条稍等一会儿按顺序处理，不会丢。"      # over the minute's limit, within the burst
TOO_LONG = "这条消息太长了（超过{limit}字），请分成几条发，每条不超过{limit}字。"
# channels that are systems, not people: authenticated and not throttled per sender
SYSTEM_CHANNELS = frozenset({"group_forward"})


class Unavailable(Exception):
    """The database or the state store cannot be reached: the channel must not be told 200
    for a message that was not kept, nor for one nobody could handle (it retries)."""


def is_transient(exc: BaseException) -> bool:
    """Failures of the infrastructure, not of the message: the same handling may work later."""
    if isinstance(exc, (LockTimeout, ConnectionError, OSError, asyncio.TimeoutError, Unavailable,
                        redis_errors.ConnectionError, redis_errors.TimeoutError, redis_errors.BusyLoadingError,
                        sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
                        sqlalchemy.exc.TimeoutError)):
        return True
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        return bool(exc.connection_invalidated) or _sqlstate(exc) in _TRANSIENT_STATES \
            or _sqlstate(exc).startswith("08")
    return False


# PostgreSQL starting up, in recovery or shutting down (57P01-57P03), too many connections
# (53300): the same statement works once it is back (a crash recovery gave 221 errors 500)
_TRANSIENT_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def _sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    for e in (orig, getattr(orig, "__cause__", None)):
        state = getattr(e, "sqlstate", None) or getattr(e, "pgcode", None)
        if isinstance(state, str):
            return state
    return ""


class Waiter:
    """The request waiting for a handling's replies. Whoever moves first decides: the handling
    takes the answer (the request then waits the moment it needs to commit), or the request
    gives up (the replies then go through the outbox). Nothing falls between the two."""

    def __init__(self) -> None:
        self.state = "waiting"

    def take_answer(self) -> bool:
        if self.state == "waiting":
            self.state = "answering"
            return True
        return False

    def give_up(self) -> bool:
        if self.state == "waiting":
            self.state = "gone"
            return True
        return False


@dataclass(frozen=True)
class Ticket:
    row: Row
    message: Message
    token: str | None = None      # the claim on a new row, which its request handles next
    # for a new row: the person's earlier messages that a dead worker left, found as it was written
    earlier: tuple[Row, ...] = ()

    @property
    def fresh(self) -> bool:
        """A new message, not a retry of one already kept."""
        return self.token is not None


@dataclass(frozen=True)
class Claim:
    id: int
    token: str
    key: str


def inbox_key(message: Message) -> str:
    """The dedupe fact: a channel's id for the message, scoped to its sender, so one person's
    client-chosen id can never answer another person."""
    if not message.msg_id:
        return f"{message.channel}:-:{uuid.uuid4().hex}"     # nothing to dedupe on
    key = f"{message.channel}:{message.user}:{message.msg_id}"
    return key if len(key) <= 200 else f"{message.channel}:#{hashlib.sha256(key.encode()).hexdigest()}"


def replies_json(replies: list[Reply]) -> list[dict[str, Any]]:
    return [{"text": r.text, "options": list(r.options)} for r in replies]


def replies_of(row: Row) -> list[Reply]:
    return [Reply(r["text"], tuple(r.get("options") or ())) if isinstance(r, dict) else Reply(str(r))
            for r in row.replies]


class Inbox:
    def __init__(self, ctx: "AppContext"):
        self.ctx = ctx
        self.store = InboxStore(ctx.db)
        self._loop_task = BackgroundLoop("inbox", self._loop)
        self._purged = 0.0
        self._ticked = 0.0

    # ---- the edge's two calls ----------------------------------------------------------------
    async def accept(self, message: Message) -> Ticket:
        """Write the message durably (or find the earlier copy of a retry)."""
        now = self.ctx.clock.now()
        try:
            row, token, earlier = await self.store.accept(inbox_key(message), message.channel, message.user,
                                                          message_to_json(message), now,
                                                          self.ctx.settings.inbox_lease)
        except Exception as exc:
            if is_transient(exc):
                log.warning("inbox unavailable: %s", type(exc).__name__)
                raise Unavailable(type(exc).__name__) from exc
            raise
        return Ticket(row, message, token, tuple(earlier))

    async def run(self, ticket: Ticket, waiter: Waiter | None = None) -> list[Reply]:
        """Handle the accepted message once; the replies for the request (or [] when they go,
        or went, through the outbox). Raises Unavailable when the handling met an outage (the
        row stays due and is handled later)."""
        row = ticket.row
        if row.status is InboxStatus.DONE:
            return [] if row.pushed else replies_of(row)       # a retry of what was answered
        if row.status is InboxStatus.DEAD:
            return replies_of(row)
        # the same person's earlier messages that a dead worker left go first, in order
        earliers = ticket.earlier if ticket.fresh else \
            await self._safe(self.store.earlier_open(row.channel, row.user, row.id, self.ctx.clock.now()))
        for earlier in earliers:
            try:
                await self._handle(earlier, message_from_json(earlier.message), None)
            except Unavailable:
                raise
            except Exception:
                log.exception("an earlier message could not be handled")
        return await self._handle(row, ticket.message, waiter, ticket.token)

    async def handle(self, message: Message, waiter: Waiter | None = None) -> list[Reply]:
        return await self.run(await self.accept(message), waiter or Waiter())

    # ---- handling ----------------------------------------------------------------------------
    async def _handle(self, row: Row, message: Message, waiter: Waiter | None, token: str | None = None) -> list[Reply]:
        if token is None:                  # not claimed when it was written: a retry's row, or a dead worker's
            token = await self._safe(self.store.claim(row.id, self.ctx.clock.now(), self.ctx.settings.inbox_lease))
        if token is None:                  # done meanwhile, or a live worker has it
            return await self._await_done(row.id)
        settings = self.ctx.settings
        limit = settings.max_text_chars
        if limit and len(message.text) > limit:
            return await self._close(row.id, token, TOO_LONG.format(limit=limit), "too long")
        over = await self._over_limit(row, token, message)
        if over > self.ctx.settings.rate_burst:
            return await self._close(row.id, token, THROTTLED, "throttled")
        if over > 0:
            # someone dictating by voice sends a fragment a second: what is over the limit waits
            # for the next minute (its answers then pushed), in order, and is not lost
            now = self.ctx.clock.now()
            await self._safe(self.store.release(row.id, token, now, delay=60.0 - now.timestamp() % 60,
                                                error="throttled: waits for the next minute", refund=True))
            return [Reply(DEFERRED)] if over == 1 and waiter is not None else []
        meta: dict[str, Any] = {}
        claim = Claim(row.id, token, row.key)
        try:
            replies = await self.ctx.dispatcher.feed(message, inbox=claim, waiter=waiter, meta=meta)
        except LostClaim:
            log.warning("a handling outlived its lease; another worker has the message")
            return []
        except Exception as exc:
            if not is_transient(exc):
                raise
            await self._release_after_outage(row.id, token, exc)
            raise Unavailable(type(exc).__name__) from exc
        failure = meta.get("failed")
        if failure is not None:          # a bug: the errors middleware answered with an apology
            attempts = row.attempts + 1
            dead = attempts >= MAX_ATTEMPTS
            await self._safe(self.store.release(row.id, token, self.ctx.clock.now(),
                                                delay=BACKOFF[min(attempts, len(BACKOFF)) - 1],
                                                error=f"{type(failure).__name__}: {failure}", dead=dead,
                                                replies=replies_json(replies)))
            if waiter is None or not waiter.take_answer():
                if dead:                  # nobody heard the apology yet: it goes by push, once
                    await self._push_apology(message, row.key)
                return []
        return replies

    async def _release_after_outage(self, item_id: int, token: str, exc: BaseException) -> None:
        log.warning("handling met an outage (%s); the message stays due", type(exc).__name__)
        try:
            await self.store.release(item_id, token, self.ctx.clock.now(), delay=RETRY_TRANSIENT,
                                     error=f"outage: {type(exc).__name__}", refund=True)
        except Exception:                 # the database is the outage: the lease runs out instead
            log.warning("could not release an inbox row; its lease will run out")

    async def _close(self, item_id: int, token: str, text: str, why: str) -> list[Reply]:
        await self._safe(self.store.close(item_id, token, [{"text": text, "options": []}],
                                          self.ctx.clock.now(), error=why))
        return [Reply(text)]

    async def _over_limit(self, row: Row, token: str, message: Message) -> int:
        """How far this message is over the person's limit this minute (0: within it);
        systems that forward posts are not limited."""
        per_minute = self.ctx.settings.rate_per_minute
        if not per_minute or message.channel in SYSTEM_CHANNELS:
            return 0
        key = f"rate:{message.conversation_key}:{int(self.ctx.clock.now().timestamp() // 60)}"
        try:
            count = await self.ctx.state.incr(key, ttl=120)
        except Exception as exc:
            if not is_transient(exc):
                raise
            await self._release_after_outage(row.id, token, exc)
            raise Unavailable(type(exc).__name__) from exc
        return max(0, count - per_minute)

    async def _await_done(self, item_id: int, wait: float = 10.0) -> list[Reply]:
        """Another handling holds the message: its replies when it finishes in time, else []
        (it answers its own request, or pushes)."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            row = await self._safe(self.store.get(item_id))
            if row is None:
                return []
            if row.status in (InboxStatus.DONE, InboxStatus.DEAD):
                return [] if row.pushed else replies_of(row)
            if row.status is InboxStatus.PENDING:    # the other handling failed: not ours to redo now
                return []
            await asyncio.sleep(POLL)
        return []

    async def _push_apology(self, message: Message, key: str) -> None:
        try:
            async with self.ctx.uow() as uow:
                await push_replies(self.ctx, uow, message, [Reply(SORRY)], key)
        except Exception:
            log.exception("could not queue the apology")

    async def _safe(self, awaitable: Awaitable[T]) -> T:
        try:
            return await awaitable
        except Exception as exc:
            if is_transient(exc):
                raise Unavailable(type(exc).__name__) from exc
            raise

    # ---- the drainer: rows whose request is gone ---------------------------------------------
    async def run_due(self, limit: int = 50) -> int:
        rows = await self.store.due(self.ctx.clock.now(), limit)
        for row in rows:
            try:
                await self._handle(row, message_from_json(row.message), None)
            except Unavailable:
                return 0              # the outage goes on: try again on the next round
            except Exception:
                log.exception("handling a message left in the inbox failed")
        return len(rows)

    async def _loop(self) -> None:
        while True:
            try:
                while await self.run_due() >= 50:
                    pass
                if time.monotonic() - self._ticked > TICK:
                    self._ticked = time.monotonic()
                    for job in self.ctx.on_tick:
                        await job(self.ctx)
                if time.monotonic() - self._purged > 3600:
                    self._purged = time.monotonic()
                    await self.purge()
            except Exception:
                log.exception("inbox loop")
            await asyncio.sleep(self.ctx.settings.inbox_interval)

    async def purge(self) -> None:
        """Handled messages and silent conversations are kept `inbox_keep_days`, then forgotten."""
        before = self.ctx.clock.now() - timedelta(days=self.ctx.settings.inbox_keep_days)
        await self.store.purge(before)
        async with self.ctx.uow() as uow:
            await (await uow.conversations()).purge(before)

    def start(self) -> None:
        self._loop_task.start()

    async def stop(self) -> None:
        await self._loop_task.stop()


async def push_replies(ctx: "AppContext", uow: "UnitOfWork", message: Message, replies: list[Reply], key: str) -> None:
    """Replies whose request is gone go to the person through the outbox (where their channel
    takes pushes), in the caller's transaction: one row, split by the channel as it needs."""
    text = "\n\n".join(r.text for r in replies if r.text)
    sender = ctx.channels.get(message.channel)
    if not text or sender is None or not getattr(sender, "takes_pushes", True):
        return
    await uow.push(Push(message.channel, message.user, text, kind=PushKind.REPLY, key=f"reply:{key}"))
