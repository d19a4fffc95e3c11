"""The outbox: every push to a resident or to staff is a row written in the same transaction
as the change it reports, then delivered by a loop with retries. Nothing acknowledged is lost,
nothing is delivered twice (the row's key is unique, and a row is claimed before sending)."""
from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.background import BackgroundLoop
from bot.message import Push
from storage.cases import CaseStore
from storage.lifecycle import EventKind, OutboxState, PushKind
from storage.outbox import OutboxStore, Queued, release_held

if TYPE_CHECKING:
    from bot.context import AppContext

# a push to a channel this gateway does not run (WeCom in the laptop demo): not sent, and not
# an error of delivery
NO_CHANNEL = "no such channel"
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


async def enqueue(session: AsyncSession, push: Push, now: datetime, due: datetime | None = None) -> bool:
    """Add a push to the outbox in the caller's transaction (due now, or at `due`); False when
    its key was already queued."""
    return await OutboxStore(session).add(key=push_key(push), channel=push.channel, user=push.user, text=push.text,
                                          case_number=push.case_number, kind=push.kind, now=now, due=due)


class Outbox:
    """Delivers what is due, one claimed row at a time, and records every attempt. The
    operations a pusher may need beside `deliver` are here too: keeping only the unsent part
    of a text (`keep_unsent`), taking other waiting rows to merge into one message
    (`take_waiting`, `give_back`, `merged`) and queueing a push for a moment later (`later`)."""
    BACKOFF = (5, 30, 120, 600, 1800, 3600)     # seconds between attempts
    MAX_ATTEMPTS = 12
    LEASE = 300                                # seconds a claim lasts; a worker that dies mid-send loses it

    def __init__(self, ctx: "AppContext"):
        self.ctx = ctx
        self._wake = asyncio.Event()
        self._interval = 2.0
        self._swept: datetime | None = None     # when stuck rows were last looked for
        self._loop_task = BackgroundLoop("outbox", lambda: self._loop(self._interval))

    def kick(self) -> None:
        self._wake.set()

    def _lease(self) -> datetime:
        return self.ctx.clock.now() + timedelta(seconds=self.LEASE)

    async def run_once(self, limit: int = 50) -> int:
        """Deliver what is due; returns how many were sent."""
        now = self.ctx.clock.now()
        if self._swept is None or (now - self._swept).total_seconds() >= self.LEASE / 10:
            self._swept = now                 # not on every kick: leases are minutes long
            await self.requeue_stuck()
        async with self.ctx.db.session() as s:
            due = await OutboxStore(s).due(now, limit)
        sent = 0
        for item in due:
            async with self.ctx.db.session() as s:
                if not await OutboxStore(s).claim(item.id, item.attempts, self._lease()):
                    continue                  # another worker has it
            push = Push(item.channel, item.user, item.text, item.case_number, item.kind, item.key)
            sender = self.ctx.channels.get(push.channel)
            try:
                result = await sender.deliver(push) if sender else Delivery(Outcome.FAILED, NO_CHANNEL)
            except Exception as exc:          # a sender bug must not stop the loop
                log.exception("delivery through %s failed", push.channel)
                result = Delivery(Outcome.RETRY, type(exc).__name__)
            await self._record(item.id, item.attempts + 1, push, result)
            sent += result.outcome is Outcome.SENT
        return sent

    async def _record(self, item_id: int, attempts: int, push: Push, result: Delivery) -> None:
        now = self.ctx.clock.now()
        detail = result.detail[:200]
        async with self.ctx.db.session() as s:
            store = OutboxStore(s)
            if result.outcome is Outcome.SENT:
                await store.settle(item_id, status=OutboxState.SENT, detail=detail, now=now)
            elif result.outcome is Outcome.HOLD:
                await store.settle(item_id, status=OutboxState.HELD, detail=detail, now=now)
            elif result.outcome is Outcome.RETRY and result.retry_after is not None:    # held back, not failed
                await store.settle(item_id, status=OutboxState.PENDING, detail=detail, now=now, attempts=attempts - 1,
                                   next_attempt_at=now + timedelta(seconds=result.retry_after))
            elif result.outcome is Outcome.FAILED or attempts >= self.MAX_ATTEMPTS:
                await store.settle(item_id, status=OutboxState.FAILED, detail=detail, now=now)
                if push.kind == PushKind.ALERT and push.case_number:
                    await self._alert_undelivered(s, push, detail, now)
            else:
                backoff = self.BACKOFF[min(attempts, len(self.BACKOFF)) - 1]
                await store.settle(item_id, status=OutboxState.PENDING, detail=detail, now=now,
                                   next_attempt_at=now + timedelta(seconds=backoff))
            if push.case_number:                  # the ledger records every attempt
                await self._ledger(s, push.case_number, now, channel=push.channel, to=push.user, kind=push.kind,
                                   outcome=result.outcome.value, detail=detail, attempt=attempts, text=push.text)

    async def _alert_undelivered(self, session: AsyncSession, push: Push, detail: str, now: datetime) -> None:
        """A red alert that will not arrive (an account WeCom refuses): the centre hears it at once,
        to call that person (it failed with a line deep in the ledger and nobody told)."""
        from bot.routing import staff_push
        from bot.staffing import centres
        log.warning("red alert for %s to %s failed for good: %s", push.case_number, push.user, detail)
        case = await CaseStore(session, now=now, prefix=self.ctx.settings.case_number_prefix).get(push.case_number)
        if case is None:
            return
        reg = self.ctx.registry
        who = next((s.name for s in reg.staff.values() if s.wecom_userid == push.user), push.user)
        text = f"【预警未送达】{case.number} 的红色预警没能发给{who}（{detail[:60]}），请立即电话联系。"
        for s in centres(reg, case.place_code):
            told = staff_push(self.ctx, s, text, case, PushKind.ALERT, f"undelivered:{push.key}")
            if told is not None and told.user != push.user:
                await enqueue(session, told, now)

    async def _ledger(self, session: AsyncSession, number: str, now: datetime, **data: object) -> None:
        store = CaseStore(session, now=now, prefix=self.ctx.settings.case_number_prefix)
        case = await store.get(number)
        if case is not None:
            await store.event(case, EventKind.NOTIFICATION, "outbox", **data)

    async def release(self, channel: str, user: str) -> int:
        """The person is reachable again: held pushes become due."""
        async with self.ctx.db.connection() as conn:
            released = await release_held(conn, channel, user, self.ctx.clock.now())
        if released:
            self.kick()
        return released

    async def requeue_stuck(self) -> int:
        """Rows left 'sending' by a worker that died mid-delivery go back to pending once their
        lease is over (a live worker's sends are left alone). WeCom's duplicate check makes the
        resend of one that did arrive harmless."""
        async with self.ctx.db.session() as s:
            return await OutboxStore(s).requeue_stuck(self.ctx.clock.now())

    # ---- what a pusher may ask of the outbox ---------------------------------------------------
    async def later(self, push: Push, seconds: float) -> bool:
        """Queue a push due a moment from now (keyed: a retry adds nothing) and wake the loop then."""
        now = self.ctx.clock.now()
        try:
            async with self.ctx.db.session() as s:
                added = await enqueue(s, push, now, due=now + timedelta(seconds=seconds))
        except IntegrityError:           # a concurrent copy queued it first
            return False
        asyncio.get_running_loop().call_later(seconds, self.kick)
        return added

    async def keep_unsent(self, push: Push, text: str) -> None:
        """Part of the push went out: its row keeps only what is still to send, so the next
        attempt neither repeats a part nor loses one."""
        if push.key:
            async with self.ctx.db.session() as s:
                await OutboxStore(s).set_text(push.key, text)

    async def take_waiting(self, push: Push, kinds: Collection[str]) -> list[Queued]:
        """The person's other waiting rows of these kinds, oldest first (not yet claimed)."""
        async with self.ctx.db.session() as s:
            return await OutboxStore(s).waiting_for(push.channel, push.user, kinds, but=push.key or "")

    async def claim_waiting(self, items: Sequence[Queued]) -> list[Queued]:
        """Claim rows to merge into one message, each only if nobody else has (with the outbox's
        lease: another worker's look for stuck rows leaves them alone meanwhile)."""
        async with self.ctx.db.session() as s:
            store = OutboxStore(s)
            return [item for item in items if await store.take(item, self._lease())]

    async def give_back(self, items: Sequence[Queued]) -> None:
        if items:
            async with self.ctx.db.session() as s:
                for item in items:
                    await OutboxStore(s).give_back(item)

    async def merged(self, push: Push, items: Sequence[Queued], detail: str) -> None:
        """Rows whose text went out inside the push's message: sent, with a ledger event each."""
        if not items:
            return
        now = self.ctx.clock.now()
        async with self.ctx.db.session() as s:
            for item in items:
                await OutboxStore(s).settle(item.id, status=OutboxState.SENT, now=now,
                                            detail=f"merged into {(push.key or '')[:40]}")
                if item.case_number:
                    await self._ledger(s, item.case_number, now, channel=item.channel, to=item.user, kind=item.kind,
                                       outcome="sent", detail=f"merged: {detail}"[:200], attempt=item.attempts + 1,
                                       text=item.text)

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
            except TimeoutError:
                pass

    def start(self, interval: float = 2.0) -> None:
        self._interval = interval
        self._loop_task.start()

    async def stop(self) -> None:
        await self._loop_task.stop()
