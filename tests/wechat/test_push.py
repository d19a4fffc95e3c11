"""Pushes that arrive: the customer-service window counted per resident, one slot kept for the
final result, merging when short, subscription and template messages outside the window, HOLD
until the resident writes again, and WeChat's errcodes."""
from __future__ import annotations

from sqlalchemy import select

from bot.message import Push
from bot.outbox import Outcome, enqueue
from storage.models import Case, CaseEvent, OutboxItem

REPORT = "我是柳林村的，楼上邻居天天半夜吵闹，说了好几次都不听，电话13912345678"
CS = "/cgi-bin/message/custom/send"


def push(resident, text: str, kind: str = "update", case: str = "") -> Push:
    return Push("wechat_mp", resident.openid, text, case_number=case, kind=kind)


async def outcome(channel, p: Push) -> Outcome:
    return (await channel.deliver(p)).outcome


async def test_five_in_48_hours_with_one_kept_for_the_final(resident, channel, fake_api, clock):
    await resident.say("你好")                                    # opens the 48 h window
    outcomes = [await outcome(channel, push(resident, f"进展{i}")) for i in range(5)]
    assert outcomes == [Outcome.SENT] * 4 + [Outcome.HOLD]        # the 5th slot is the final's
    assert await outcome(channel, push(resident, "已化解", kind="final")) is Outcome.SENT
    assert await outcome(channel, push(resident, "结果2", kind="final")) is Outcome.HOLD
    assert [c.body["text"]["content"] for c in fake_api.calls_to(CS)] == ["进展0", "进展1", "进展2", "进展3", "已化解"]
    clock.advance(minutes=1)
    await resident.say("谢谢")                                    # a new message: a fresh window
    assert await outcome(channel, push(resident, "进展5")) is Outcome.SENT


async def test_window_closes_after_48_hours(resident, channel, clock):
    await resident.say("你好")
    clock.advance(hours=48, seconds=1)
    assert await outcome(channel, push(resident, "进展")) is Outcome.HOLD


async def test_three_in_a_minute_after_a_follow(resident, channel, clock):
    await resident.event("subscribe")
    assert [await outcome(channel, push(resident, f"欢迎{i}", kind="final")) for i in range(4)] \
        == [Outcome.SENT] * 3 + [Outcome.HOLD]
    await resident.event("CLICK", "help")
    clock.advance(seconds=61)
    assert await outcome(channel, push(resident, "晚了", kind="final")) is Outcome.HOLD


async def test_45015_closes_the_window(resident, channel, fake_api):
    await resident.say("你好")
    fake_api.fail(CS, 45015)
    assert await outcome(channel, push(resident, "进展")) is Outcome.HOLD
    assert await outcome(channel, push(resident, "进展2")) is Outcome.HOLD
    assert len(fake_api.calls_to(CS)) == 1                       # believed: no second try


async def test_45047_falls_back_to_a_consented_subscription_message(resident, wx_ctx, channel, fake_api):
    wx_ctx.settings = wx_ctx.settings.replace(wechat_subscribe_template="TPL-A")
    await wx_ctx.state.set(f"consent:wechat_mp:{resident.openid}:TPL-A", 1)
    await resident.say("你好")
    fake_api.fail(CS, 45047)
    assert await outcome(channel, push(resident, "案件已分派给柳林村网格员李红梅", case="JF261123-001")) is Outcome.SENT
    [sub] = fake_api.calls_to("/cgi-bin/message/subscribe/bizsend")
    assert sub.body["template_id"] == "TPL-A" and sub.body["data"]["character_string1"]["value"] == "JF261123-001"
    assert len(sub.body["data"]["thing2"]["value"]) <= 20
    assert await wx_ctx.state.get(f"consent:wechat_mp:{resident.openid}:TPL-A") == 0     # one consent, one message
    assert await outcome(channel, push(resident, "又一条")) is Outcome.HOLD


async def test_template_message_where_configured(resident, wx_ctx, channel, fake_api):
    wx_ctx.settings = wx_ctx.settings.replace(wechat_template_id="TMPL-1")
    assert await outcome(channel, push(resident, "案件已化解", case="JF1")) is Outcome.SENT
    [tpl] = fake_api.calls_to("/cgi-bin/message/template/send")
    assert tpl.body["template_id"] == "TMPL-1" and tpl.body["data"]["keyword2"]["value"] == "案件已化解"
    assert "first" not in tpl.body["data"] and "remark" not in tpl.body["data"]


async def test_other_errors_retry_and_give_the_slot_back(resident, channel, fake_api):
    await resident.say("你好")
    fake_api.fail(CS, 45009, -1, 45009, -1)
    assert [await outcome(channel, push(resident, f"进展{i}")) for i in range(4)] == [Outcome.RETRY] * 4
    assert [await outcome(channel, push(resident, f"进展{i}")) for i in range(5)] == [Outcome.SENT] * 4 + [Outcome.HOLD]


async def test_an_unknown_openid_fails_for_good(resident, channel, fake_api):
    await resident.say("你好")
    fake_api.fail(CS, 40003)
    assert await outcome(channel, push(resident, "进展")) is Outcome.FAILED


async def test_unreachable_api_is_a_retry(resident, wx_ctx, channel, fake_api):
    await resident.say("你好")
    await fake_api.stop()
    assert await outcome(channel, push(resident, "进展")) is Outcome.RETRY
    await fake_api.start()                                     # (for the fixture's stop)


async def _open_case(resident, wx_ctx) -> Case:
    await resident.say(REPORT)
    await resident.say("确认")
    async with wx_ctx.db.session() as s:
        return await s.scalar(select(Case))


async def _queue(wx_ctx, *pushes: Push) -> None:
    async with wx_ctx.db.session() as s:
        for p in pushes:
            await enqueue(s, p, wx_ctx.clock.now())


async def _drain(wx_ctx) -> None:
    while await wx_ctx.outbox.run_once():
        pass


async def test_held_updates_go_when_the_resident_writes_again_merged_when_short(resident, wx_ctx, fake_api, clock):
    case = await _open_case(resident, wx_ctx)
    await _drain(wx_ctx)
    clock.advance(hours=49)                                      # the window is shut
    before = len(fake_api.calls_to(CS))
    texts = [f"第{i}次进展：调解员已联系" for i in range(6)]
    await _queue(wx_ctx, *(push(resident, t, case=case.number) for t in texts))
    await _drain(wx_ctx)
    async with wx_ctx.db.session() as s:
        assert {i.status for i in (await s.scalars(select(OutboxItem).where(OutboxItem.kind == "update"))).all()
                if i.text in texts} == {"held"}
    assert len(fake_api.calls_to(CS)) == before
    await resident.say("我的案子怎么样了")                          # releases the held pushes
    await _drain(wx_ctx)
    sent = [c.body["text"]["content"] for c in fake_api.calls_to(CS)[before:]]
    assert len(sent) < len(texts)                                # merged: 6 updates, 4 slots for updates
    for t in texts:
        assert sum(t in s for s in sent) == 1                    # each update exactly once
    async with wx_ctx.db.session() as s:
        items = (await s.scalars(select(OutboxItem).where(OutboxItem.case_number == case.number))).all()
        assert all(i.status == "sent" for i in items if i.text in texts)
        notes = (await s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                         CaseEvent.kind == "notification"))).all()
    for t in texts:                                              # every attempt is in the ledger
        outcomes = [n.data["outcome"] for n in notes if n.data.get("text") == t]
        assert outcomes[0] == "hold" and outcomes[-1] == "sent"


async def test_the_same_update_is_never_sent_twice(resident, wx_ctx, fake_api):
    case = await _open_case(resident, wx_ctx)
    await _drain(wx_ctx)
    before = len(fake_api.calls_to(CS))
    p = Push("wechat_mp", resident.openid, "调解员明天上门", case_number=case.number, key="visit-1")
    await _queue(wx_ctx, p, p)
    await _drain(wx_ctx)
    await _drain(wx_ctx)
    assert [c.body["text"]["content"] for c in fake_api.calls_to(CS)[before:]] == ["调解员明天上门"]


async def test_rows_taken_for_merging_hold_a_lease(resident, wx_ctx, channel):
    """A row claimed for a merge is 'sending' under a lease, like the outbox's own claim: another
    worker's look for stuck rows does not take it back (and send it twice) meanwhile."""
    async with wx_ctx.db.session() as s:
        await enqueue(s, push(resident, "进展A"), wx_ctx.clock.now())
    [item] = await wx_ctx.outbox.take_waiting(push(resident, "进展B"), ["update", "final"])
    [claimed] = await wx_ctx.outbox.claim_waiting([item])
    assert await wx_ctx.outbox.requeue_stuck() == 0
    await wx_ctx.outbox.give_back([claimed])
    async with wx_ctx.db.session() as s:
        again = await s.scalar(select(OutboxItem))
    assert again.status == "pending" and again.next_attempt_at == item.next_attempt_at
