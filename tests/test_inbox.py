"""Acknowledged means durable (issue 11): every message is kept before it is answered, a retry
never handles it twice, a message whose worker died is handled by another, an outage of the
state store is not answered 200, and a draft survives the loss of the state store."""
from __future__ import annotations

import asyncio

import pytest
from redis import exceptions as redis_errors
from sqlalchemy import event, func, select

from bot.inbox import DEFERRED, THROTTLED, TOO_LONG, Unavailable, Waiter
from bot.message import Message
from handlers import texts
from storage.models import Case, CaseEvent, ConversationRow, InboxItem, OutboxItem
from storage.state import MemoryStateStore

REPORT = "我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678"


async def rows(ctx, model, *where):
    async with ctx.db.session() as s:
        return list((await s.scalars(select(model).where(*where).order_by(model.id if hasattr(model, "id")
                                                                            else model.key))).all())


async def count(ctx, model) -> int:
    async with ctx.db.session() as s:
        return await s.scalar(select(func.count()).select_from(model))


def message(bot, text, msg_id, user="resident-1"):
    return Message(channel=bot.channel, user=user, text=text, msg_id=msg_id, created_at=bot.ctx.clock.now())


async def test_a_message_is_kept_before_it_is_handled(ctx, bot):
    ticket = await ctx.inbox.accept(message(bot, REPORT, "k1"))
    [row] = await rows(ctx, InboxItem)          # committed: another session sees it
    # written already claimed by its own request (no second write to claim it), for one lease
    assert (row.key, row.status, row.message["text"]) == ("test:resident-1:k1", "handling", REPORT)
    assert row.claim == ticket.token and row.attempts == 1
    assert await ctx.inbox.run_due() == 0       # nobody else takes it meanwhile
    replies = await ctx.inbox.run(ticket, Waiter())
    [row] = await rows(ctx, InboxItem)
    assert row.status == "done" and row.delivery == "reply"
    assert [r["text"] for r in row.replies] == [r.text for r in replies] and "请核对" in replies[0].text


async def test_a_retry_gets_the_kept_answer_and_changes_nothing(ctx, bot):
    await bot.say(REPORT, msg_id="a")
    first = await bot.say("确认", msg_id="b")
    again = await bot.say("确认", msg_id="b")          # the channel lost our answer and asks again
    assert first == again and "已受理" in first[0]
    assert await count(ctx, Case) == 1 and await count(ctx, InboxItem) == 2
    ins = await rows(ctx, CaseEvent, CaseEvent.kind == "message_in")
    assert [e.data["msg_id"] for e in ins].count("b") == 1


async def test_the_same_client_id_from_two_people_is_two_messages(ctx, bot):
    """The web chat's ids are the client's: one person's "1" must never answer another."""
    mine = await bot.say(REPORT, msg_id="1", user="alice")
    theirs = await bot.say("你好", msg_id="1", user="bob")
    assert "请核对" in mine[0] and "请核对" not in theirs[0] and "138" not in theirs[0]


async def test_a_message_whose_worker_died_is_handled_by_another(ctx, bot):
    # a worker kept the message, answered 200, and died before handling it
    await ctx.inbox.accept(message(bot, REPORT, "d1"))
    assert await ctx.inbox.run_due() == 0                     # still its own request's
    ctx.clock.advance(seconds=ctx.settings.inbox_lease)
    assert await ctx.inbox.run_due() == 1                     # any worker's now
    [row] = await rows(ctx, InboxItem)
    assert row.status == "done" and row.delivery == "push"
    [push] = await rows(ctx, OutboxItem)                      # the answer goes to the person
    assert push.user == "resident-1" and "请核对" in push.text and push.kind == "reply"
    await bot.deliver_pushes()
    assert "请核对" in bot.sender.texts()[0]


async def test_a_handling_that_outlives_its_lease_does_not_commit(ctx, bot):
    """Another worker took the message over: the slow one's effects roll back (no second case)."""
    await bot.say(REPORT, msg_id="s0")
    ticket = await ctx.inbox.accept(message(bot, "确认", "s1"))
    started = asyncio.Event()

    async def slow(handler, msg, data):
        if msg.msg_id == "s1" and not started.is_set():
            started.set()
            ctx.clock.advance(seconds=ctx.settings.inbox_lease + 1)   # the lease runs out meanwhile
            await asyncio.sleep(0.3)
        return await handler(msg, data)
    ctx.dispatcher.middlewares.insert(0, slow)
    first = asyncio.create_task(ctx.inbox.run(ticket, Waiter()))
    await started.wait()
    assert await ctx.inbox.run_due() == 1                     # the other worker takes it over
    assert await first == []                                  # the slow one finds its claim gone
    assert await count(ctx, Case) == 1
    [row] = await rows(ctx, InboxItem, InboxItem.key == "test:resident-1:s1")
    assert row.status == "done"


async def test_earlier_messages_left_by_a_dead_worker_go_first(ctx, bot):
    await ctx.inbox.accept(message(bot, REPORT, "o1"))          # its worker died
    ctx.clock.advance(seconds=ctx.settings.inbox_lease)
    replies = await bot.say("确认", msg_id="o2")                 # the person goes on
    assert "已受理" in replies[0]                                # the report was handled first
    assert await count(ctx, Case) == 1


class Down(MemoryStateStore):
    """A state store that is not there (Redis killed): every call fails as redis-py fails."""

    def __init__(self):
        super().__init__()
        self.down = False

    async def try_lock(self, key, ttl):
        if self.down:
            raise redis_errors.ConnectionError("Connection refused")
        return await super().try_lock(key, ttl)

    async def incr(self, key, amount=1, ttl=None):
        if self.down:
            raise redis_errors.ConnectionError("Connection refused")
        return await super().incr(key, amount, ttl)


async def test_an_outage_of_the_state_store_is_not_answered_and_nothing_is_lost(tmp_path, clock):
    from jiefen.testing import TestBot, make_context
    state = Down()
    ctx = await make_context(tmp_path, clock=clock, state=state)
    try:
        bot = TestBot(ctx)
        state.down = True
        with pytest.raises(Unavailable):
            await bot.say(REPORT, msg_id="r1")                   # the channel answers 503 and retries
        [row] = await rows(ctx, InboxItem)
        assert row.status == "pending" and row.attempts == 0 and "outage" in row.error
        state.down = False
        clock.advance(seconds=5)
        assert await ctx.inbox.run_due() == 1                    # handled once the store is back
        await bot.deliver_pushes()
        assert "请核对" in bot.sender.texts()[0]
    finally:
        await ctx.close()


async def test_a_draft_survives_the_loss_of_the_state_store(tmp_path, clock):
    """Redis restarted without persistence: the draft is in the database, the report goes on."""
    from jiefen.testing import TestBot, make_context
    ctx = await make_context(tmp_path, clock=clock)
    try:
        bot = TestBot(ctx)
        assert "哪个村" in await bot.last("干了半年活老板一分钱没给")
        ctx.state = MemoryStateStore()                             # everything in it is gone
        assert "电话" in await bot.last("石桥村")
        assert "东溪镇石桥村" in await bot.last("13912345678")
        assert "已受理" in await bot.last("确认")
        [conv] = await rows(ctx, ConversationRow)
        assert conv.data["last_case"]
    finally:
        await ctx.close()


async def test_a_flood_is_kept_and_answered_slow_down(ctx, bot, clock):
    ctx.settings = ctx.settings.replace(rate_per_minute=3, rate_burst=2)
    answers = [await bot.say(f"你好{i}", msg_id=f"f{i}") for i in range(7)]
    # the 4th and 5th wait for the next minute (the first of them says so); beyond the burst: dropped, said so
    assert answers[3] == [DEFERRED] and answers[4] == []
    assert answers[5] == [THROTTLED] and answers[6] == [THROTTLED]
    kept = await rows(ctx, InboxItem)
    assert [r.message["text"] for r in kept] == [f"你好{i}" for i in range(7)]        # nothing lost
    assert [r.status for r in kept[3:5]] == ["pending", "pending"]
    clock.advance(minutes=1)                              # the minute is the context's clock's
    assert await bot.say("你好", msg_id="f-next") != [THROTTLED]
    assert [r.status for r in await rows(ctx, InboxItem)] == ["done"] * 8


async def test_voice_fragments_sent_in_a_burst_are_read_later_in_order(ctx, bot, clock):
    """Someone dictating by voice sends a fragment a second: the ones over the limit are
    handled in the next minute, in the order they were sent, and their answers pushed."""
    ctx.settings = ctx.settings.replace(rate_per_minute=3)
    fragments = ["我是柳林村的", "楼上那家", "天天半夜拖椅子", "吵得我睡不着", "电话13812345678", "确认"]
    answers = [await bot.say(t, msg_id=f"v{i}") for i, t in enumerate(fragments)]
    assert answers[3] == [DEFERRED] and answers[4] == [] and answers[5] == []
    assert await count(ctx, Case) == 0
    clock.advance(minutes=1)
    assert await ctx.inbox.run_due() == 3
    [case] = await rows(ctx, Case)
    assert case.contact == "13812345678" and case.place_code and "半夜拖椅子" in case.description
    pushed = await bot.deliver_pushes()
    assert any("已受理" in t for t in pushed)
    assert [r.status for r in await rows(ctx, InboxItem)] == ["done"] * 6


async def test_a_text_over_the_limit_is_kept_and_answered(ctx, bot):
    answer = await bot.say("楼上" * 1500, msg_id="long")
    assert answer == [TOO_LONG.format(limit=2000)]
    [row] = await rows(ctx, InboxItem)
    assert len(row.message["text"]) == 3000


async def test_a_bug_is_retried_then_kept_dead_and_the_person_hears_once(ctx, bot, monkeypatch):
    from handlers import resident

    async def boom(*a, **k):
        raise RuntimeError("bug")
    monkeypatch.setattr(resident, "progress_reply", boom)
    await ctx.inbox.accept(message(bot, "我的案子怎么样了", "bug1"))     # its request died
    for _ in range(3):
        ctx.clock.advance(seconds=ctx.settings.inbox_lease + 200)
        await ctx.inbox.run_due()
    [row] = await rows(ctx, InboxItem)
    assert row.status == "dead" and row.attempts == 3 and "RuntimeError" in row.error
    ctx.clock.advance(seconds=3600)
    assert await ctx.inbox.run_due() == 0                       # dead rows stay for people to read
    await bot.deliver_pushes()
    assert len([t for t in bot.sender.texts() if "出了点问题" in t]) == 1


async def test_nul_and_lone_surrogates_are_cleaned_at_the_edge(ctx, bot):
    replies = await bot.say("楼上\x00漏水\ud800了，我是柳林村的", msg_id="nul")
    [row] = await rows(ctx, InboxItem)
    assert "\x00" not in row.message["text"] and "\ud800" not in row.message["text"]
    assert replies


@pytest.mark.parametrize("text", ["   ", "\x00", ""])
async def test_a_blank_message_is_done_not_claimed_again_every_minute(ctx, bot, clock, text):
    """A trial's text of spaces (and the web chat's "\\u0000") was answered 200 with nothing
    and left "handling": claimed again every lease, for ever, ahead of the person's next
    message. It is done, answered once with what to say (res10: it got no answer at all)."""
    await bot.say(text, msg_id="blank")
    [row] = await rows(ctx, InboxItem)
    assert row.status == "done" and [r["text"] for r in row.replies] == [texts.TELL_US], (row.status, row.replies)
    clock.advance(minutes=5)
    assert await ctx.inbox.run_due() == 0


async def test_a_message_of_an_intake_costs_five_statements(ctx, bot):
    """Every message pays these, so they are counted: the inbox row written (asking in the same
    statement whether the person has a message a dead worker left), the conversation read and
    written, the row marked done, the person's held pushes looked for. The earlier messages are
    read only when there are some."""
    await bot.say("我是柳林村的，楼上邻居天天半夜吵闹", msg_id="c1")
    statements: list[str] = []

    def keep(_conn, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split())[:60])
    event.listen(ctx.db.engine.sync_engine, "before_cursor_execute", keep)
    try:
        await bot.say("已经好几个月了，说了好几次都不听", msg_id="c2")
    finally:
        event.remove(ctx.db.engine.sync_engine, "before_cursor_execute", keep)
    kinds = sorted(" ".join(s.split()[:3]) for s in statements)
    assert kinds == ["INSERT INTO inbox", "SELECT conversations.data FROM", "SELECT outbox.id FROM",
                     "UPDATE conversations SET", "UPDATE inbox SET"], statements


async def test_a_message_releases_the_persons_held_pushes(ctx, bot):
    """A push held while the person could not be reached is due again once they write,
    released with the message's handling (one transaction, not a second one per message)."""
    async with ctx.db.session() as s:
        s.add(OutboxItem(key="held-1", channel=bot.channel, user="resident-1", text="您的案子有进展", case_number="",
                         kind="notice", status="held", attempts=1, next_attempt_at=ctx.clock.now(),
                         created_at=ctx.clock.now(), last_error="window closed"))
    await bot.say("你好", msg_id="h1")
    [row] = await rows(ctx, OutboxItem, OutboxItem.key == "held-1")
    assert row.status != "held"


@pytest.mark.parametrize("state, transient", [("57P03", True), ("57P01", True), ("08006", True), ("53300", True),
                                               ("23505", False), ("42P01", False)])
def test_postgres_starting_up_or_shutting_down_is_an_outage_not_a_bug(state, transient):
    """A crash recovery's "the database system is starting up" (57P03) gave 221 answers 500:
    it is an outage (503, the message stays due), like a refused connection."""
    import sqlalchemy.exc

    from bot.inbox import is_transient

    class PgError(Exception):
        sqlstate = state
    exc = sqlalchemy.exc.DBAPIError("SELECT 1", {}, PgError("x"), connection_invalidated=False)
    assert is_transient(exc) is transient
