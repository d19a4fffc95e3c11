"""The outbox: queued with the change, delivered after commit, retried, never twice."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.message import Push
from bot.outbox import Delivery, Outcome
from jiefen.testing import RecordingSender, make_context
from storage.models import OutboxItem
from storage.outbox import OutboxStore


async def rows(ctx):
    async with ctx.db.session() as s:
        return list(await s.scalars(select(OutboxItem).order_by(OutboxItem.id)))


async def test_a_push_is_not_queued_when_the_change_rolls_back(ctx):
    try:
        async with ctx.uow() as uow:
            await uow.push(Push("test", "u", "hello"))
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert await rows(ctx) == []


async def test_delivered_once_even_when_queued_twice(ctx):
    sender = RecordingSender()
    ctx.channels["test"] = sender
    for _ in range(2):
        async with ctx.uow() as uow:
            await uow.push(Push("test", "u", "hello", key="same"))
    assert await ctx.outbox.run_once() == 1
    assert await ctx.outbox.run_once() == 0
    assert sender.texts() == ["hello"]


async def test_a_passing_failure_is_retried_with_backoff(ctx, clock):
    calls = []

    class Flaky:
        async def deliver(self, push):
            calls.append(push.text)
            return Delivery(Outcome.RETRY, "timeout") if len(calls) < 3 else Delivery(Outcome.SENT)

    ctx.channels["test"] = Flaky()
    async with ctx.uow() as uow:
        await uow.push(Push("test", "u", "hello"))
    await ctx.outbox.run_once()
    await ctx.outbox.run_once()            # not due yet
    assert len(calls) == 1
    clock.advance(seconds=6)
    await ctx.outbox.run_once()
    clock.advance(seconds=31)
    await ctx.outbox.run_once()
    assert len(calls) == 3 and (await rows(ctx))[0].status == "sent"


async def test_a_sender_that_raises_does_not_lose_the_push(ctx, clock):
    class Broken:
        async def deliver(self, push):
            raise ConnectionError("boom")

    ctx.channels["test"] = Broken()
    async with ctx.uow() as uow:
        await uow.push(Push("test", "u", "hello"))
    await ctx.outbox.run_once()
    [row] = await rows(ctx)
    assert row.status == "pending" and row.last_error == "ConnectionError"


async def test_every_attempt_is_in_the_case_ledger(ctx, bot):
    await bot.say("我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678")
    await bot.say("确认")
    async with ctx.uow() as uow:
        await uow.push(Push("test", "resident-1", "已分派", "JF261123-001"))
    await ctx.outbox.run_once()
    from storage.cases import CaseStore
    async with ctx.db.session() as s:
        store = CaseStore(s, now=ctx.clock.now())
        events = [e for e in await store.events(await store.get("JF261123-001")) if e.kind == "notification"]
    assert [(e.data["outcome"], e.data["text"]) for e in events] == [("sent", "已分派")]


async def test_pending_pushes_survive_a_restart(tmp_path, clock):
    ctx = await make_context(tmp_path, clock=clock)
    async with ctx.uow() as uow:
        await uow.push(Push("test", "u", "still here"))
    await ctx.close()
    again = await make_context(tmp_path, clock=clock, demo=False)
    try:
        sender = RecordingSender()
        again.channels["test"] = sender
        await again.outbox.run_once()
        assert sender.texts() == ["still here"]
    finally:
        await again.close()


async def test_a_push_stuck_in_sending_is_requeued_at_start(ctx):
    async with ctx.uow() as uow:
        await uow.push(Push("test", "u", "half sent"))
    async with ctx.db.session() as s:
        (await s.scalars(select(OutboxItem))).one().status = "sending"
    assert await ctx.outbox.requeue_stuck() == 1
    sender = RecordingSender()
    ctx.channels["test"] = sender
    await ctx.outbox.run_once()
    assert sender.texts() == ["half sent"]


async def test_a_push_another_live_worker_is_sending_is_left_to_it(ctx, clock):
    """A worker that starts (or looks for stuck rows) while another is mid-delivery must not
    send the same push again: a claim is a lease, and only an expired one is taken back."""
    async with ctx.uow() as uow:
        await uow.push(Push("test", "u", "being sent"))
    async with ctx.db.session() as s:
        item = (await s.scalars(select(OutboxItem))).one()
    async with ctx.db.session() as s:                               # worker A is sending it now
        assert await OutboxStore(s).claim(item.id, item.attempts, clock.now() + timedelta(seconds=ctx.outbox.LEASE))
    assert await ctx.outbox.requeue_stuck() == 0                    # worker B starts
    sender = RecordingSender()
    ctx.channels["test"] = sender
    await ctx.outbox.run_once()
    assert sender.texts() == []
    clock.advance(seconds=ctx.outbox.LEASE + 1)                    # worker A died with it
    await ctx.outbox.run_once()                                     # stuck rows are looked for as it runs
    assert sender.texts() == ["being sent"]
