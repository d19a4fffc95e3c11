"""The 5-second rule and WeChat's retries: a passive reply when quick, `success` and
customer-service messages when slow, and one handling however many copies arrive."""
from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage.models import Case, CaseEvent
from tests.wechat.conftest import Resident

REPORT = "我是柳林村的，楼上邻居天天半夜吵闹，说了好几次都不听，电话13912345678"


def slow_down(ctx, seconds: float):
    """Make every handling take a while, as a busy database would (a real middleware, not a mock)."""
    async def slow(handler, message, data):
        await asyncio.sleep(seconds)
        return await handler(message, data)
    ctx.dispatcher.middlewares.insert(0, slow)


async def _settle(channel) -> None:
    while channel.handlings.tasks:
        await asyncio.wait(set(channel.handlings.tasks), timeout=10)


async def test_four_concurrent_copies_make_one_case_recorded_once(resident, wx_ctx, channel):
    assert "确认" in await resident.say(REPORT)
    slow_down(wx_ctx, 0.2)                       # the copies overlap while the first is handled
    answers = await asyncio.gather(*(resident.say("确认", msg_id=777) for _ in range(4)))
    assert all("已受理" in a for a in answers), answers        # a retry gets the same answer
    async with wx_ctx.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Case)) == 1
        events = (await s.scalars(select(CaseEvent).where(CaseEvent.kind == "message_in"))).all()
    assert [e.data.get("msg_id") for e in events].count("777") == 1


async def test_concurrent_copies_of_the_first_message_make_one_draft(resident, wx_ctx):
    slow_down(wx_ctx, 0.1)
    answers = await asyncio.gather(*(resident.say(REPORT, msg_id=4242) for _ in range(4)))
    assert len(set(answers)) == 1
    assert "已受理" in await resident.say("确认")
    async with wx_ctx.db.session() as s:
        case = await s.scalar(select(Case))
    assert case.description.count("楼上邻居") == 1


async def test_a_slow_answer_goes_as_customer_service_message(resident, wx_ctx, channel, fake_api):
    await resident.say(REPORT)
    wx_ctx.settings = wx_ctx.settings.replace(wechat_passive_timeout=0.05)
    slow_down(wx_ctx, 0.3)
    started = asyncio.get_running_loop().time()
    assert await resident.say("确认", msg_id=9001) == ""          # `success`, at once
    assert asyncio.get_running_loop().time() - started < 0.3
    await _settle(channel)
    await wx_ctx.outbox.run_once()
    sent = [c for c in fake_api.calls_to("/cgi-bin/message/custom/send") if "已受理" in c.body["text"]["content"]]
    assert len(sent) == 1 and sent[0].body["touser"] == resident.openid, fake_api.calls
    # WeChat retries (our `success` was lost): no passive duplicate, nothing sent twice
    assert await resident.say("确认", msg_id=9001) == ""
    await _settle(channel)
    await wx_ctx.outbox.run_once()
    assert [c for c in fake_api.calls_to("/cgi-bin/message/custom/send") if "已受理" in c.body["text"]["content"]] \
        == sent


async def test_handling_goes_on_when_wechat_hangs_up(client, clock, wx_ctx, channel):
    resident = Resident(client, clock)
    await resident.say(REPORT)
    slow_down(wx_ctx, 0.3)
    query, body = resident.request(_confirm_xml(resident, 31337))
    try:
        await client.post("/wechat/mp", params=query, data=body.encode(), timeout=0.05)
    except TimeoutError:
        pass
    await asyncio.sleep(0.4)
    await _settle(channel)
    async with wx_ctx.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Case)) == 1


def _confirm_xml(resident: Resident, msg_id: int) -> str:
    from tests.wechat.conftest import xml_of
    return xml_of(resident.fields("text", Content="确认", MsgId=msg_id))


async def test_a_retry_after_the_passive_answer_gets_the_same_answer(resident, wx_ctx):
    first = await resident.say(REPORT, msg_id=5150)
    again = await resident.say(REPORT, msg_id=5150)             # our answer was lost on the way
    assert first == again and "确认" in first
    assert "已受理" in await resident.say("确认")
