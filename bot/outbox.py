"""The outbox: every push to a resident or to staff is a row written in the same transaction
as the change it reports, then delivered by a loop with retries. Nothing acknowledged is lost,
nothing is delivered twice (the row's key is unique, and a row is claimed before sending)."""
from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.background import BackgroundLoop
from bot.message import Push
from storage.cases import CaseStore
from storage.models import OutboxItem

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger("jiefen.outbox")


class Outcome(enum.Enum):
    SENT = "sent"
    RETRY = "retry"        # a passing failure: try again later
    HOLD = "hold"          # the person cannot be reached now: deliver when they come back
    FAILED = "failed"      # will never work (no such channel or user)


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    detail: str = ""
    retry_after: float | None = None    # RETRY at this many seconds, not counted as an attempt (a rate limit)


class Sender(Protocol):
    async def deliver(self, push: Push) -> Delivery: ...


def push_key(push: Push) -> str:
    if push.key:
        return push.key
    digest = hashlib.sha1(f"{push.channel}|{push.user}|{push.case_number}|{push.kind}|{push.text}".encode()).hexdigest()
    return digest


async def enqueue(session: AsyncSession, push: Push, now) -> bool:
    """Add a push to the outbox in the caller's transaction; False when its key was already queued."""
    key = push_key(push)
    if await session.scalar(select(OutboxItem.id).where(OutboxItem.key == key)) is not None:
        return False
    session.add(OutboxItem(key=key, channel=push.channel, user=push.user, text=push.text,
                           case_number=push.case_number, kind=push.kind, status="pending", attempts=0,
                           next_attempt_at=now, created_at=now, last_error=""))
    return True


class Outbox:
    BACKOFF = (5, 30, 120, 600, 1800, 3600)     # seconds between attempts
    MAX_ATTEMPTS = 12
    LEASE = 300                                # seconds a claim lasts; a worker that dies mid-send loses it

    def __init__(self, ctx: "AppContext"):
        self.ctx = ctx
        self._wake = asyncio.Event()
        self._interval = 2.0
        self._swept = None                    # when stuck rows were last looked for
        self._loop_task = BackgroundLoop("outbox", lambda: self._loop(self._interval))

    def kick(self) -> None:
        self._wake.set()

    async def run_once(self, limit: int = 50) -> int:
        """Deliver what is due; returns how many were sent."""
        now = self.ctx.clock.now()
        if self._swept is None or (now - self._swept).total_seconds() >= self.LEASE / 10:
            self._swept = now                 # not on every kick: leases are minutes long
            await self.requeue_stuck()
        async with self.ctx.db.session() as s:
            due = (await s.scalars(select(OutboxItem).where(OutboxItem.status == "pending",
                                                            OutboxItem.next_attempt_at <= now)
                                   # a red alert goes before any backlog ("at once, whatever the hour")
                                   .order_by(OutboxItem.kind != "alert", OutboxItem.id).limit(limit))).all()
            items = [(i.id, i.attempts, Push(i.channel, i.user, i.text, i.case_number, i.kind, i.key)) for i in due]
        sent = 0
        for item_id, attempts, push in items:
            if not await self._claim(item_id, attempts):
                continue                      # another worker has it
            sender = self.ctx.channels.get(push.channel)
            try:
                result = await sender.deliver(push) if sender else Delivery(Outcome.FAILED, "no such channel")
            except Exception as exc:          # a sender bug must not stop the loop
                log.exception("delivery through %s failed", push.channel)
                result = Delivery(Outcome.RETRY, type(exc).__name__)
            await self._record(item_id, attempts + 1, push, result)
            sent += result.outcome is Outcome.SENT
        return sent

    async def _claim(self, item_id: int, attempts: int) -> bool:
        async with self.ctx.db.session() as s:
            res = await s.execute(update(OutboxItem)
                                  .where(OutboxItem.id == item_id, OutboxItem.status == "pending",
                                         OutboxItem.attempts == attempts)
                                  .values(status="sending", attempts=attempts + 1,
                                          next_attempt_at=self.ctx.clock.now() + timedelta(seconds=self.LEASE)))
            return res.rowcount == 1

    async def _record(self, item_id: int, attempts: int, push: Push, result: Delivery) -> None:
        now = self.ctx.clock.now()
        async with self.ctx.db.session() as s:
            item = await s.get(OutboxItem, item_id)
            item.last_error = result.detail[:200]
            if result.outcome is Outcome.SENT:
                item.status, item.sent_at = "sent", now
            elif result.outcome is Outcome.HOLD:
                item.status = "held"
            elif result.outcome is Outcome.RETRY and result.retry_after is not None:
                item.status, item.attempts = "pending", attempts - 1     # held back, not failed
                item.next_attempt_at = now + timedelta(seconds=result.retry_after)
            elif result.outcome is Outcome.FAILED or attempts >= self.MAX_ATTEMPTS:
                item.status = "failed"
            else:
                item.status = "pending"
                item.next_attempt_at = now + timedelta(seconds=self.BACKOFF[min(attempts, len(self.BACKOFF)) - 1])
            if push.case_number:                  # the ledger records every attempt
                store = CaseStore(s, now=now, prefix=self.ctx.settings.case_number_prefix)
                case = await store.get(push.case_number)
                if case is not None:
                    await store.event(case, "notification", "outbox", channel=push.channel, to=push.user,
                                      kind=push.kind, outcome=result.outcome.value, detail=result.detail[:200],
                                      attempt=attempts, text=push.text)

    async def release(self, channel: str, user: str) -> int:
        """The person is reachable again: held pushes become due. A read first, so the common
        case (nothing held) takes no write lock (SQLite serialises writers)."""
        async with self.ctx.db.session() as s:
            held = await s.scalar(select(OutboxItem.id).where(OutboxItem.channel == channel, OutboxItem.user == user,
                                                              OutboxItem.status == "held").limit(1))
            if held is None:
                return 0
            res = await s.execute(update(OutboxItem)
                                  .where(OutboxItem.channel == channel, OutboxItem.user == user,
                                         OutboxItem.status == "held")
                                  .values(status="pending", next_attempt_at=self.ctx.clock.now()))
        if res.rowcount:
            self.kick()
        return res.rowcount

    async def requeue_stuck(self) -> int:
        """Rows left 'sending' by a worker that died mid-delivery go back to pending once their
        lease is over (a live worker's sends are left alone). WeCom's duplicate check makes the
        resend of one that did arrive harmless."""
        async with self.ctx.db.session() as s:
            res = await s.execute(update(OutboxItem).where(OutboxItem.status == "sending",
                                                           OutboxItem.next_attempt_at <= self.ctx.clock.now())
                                  .values(status="pending"))
        return res.rowcount

    async def _loop(self, interval: float) -> None:
        while True:
            try:
                while await self.run_once():
                    pass
            except Exception:
                log.exception("outbox loop")
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=interval)
            except asyncio.TimeoutError:
                pass

    def start(self, interval: float = 2.0) -> None:
        self._interval = interval
        self._loop_task.start()

    async def stop(self) -> None:
        await self._loop_task.stop()
