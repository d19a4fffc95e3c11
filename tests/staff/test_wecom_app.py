"""The WeCom app channel against a fake WeCom API on loopback: callback crypto (vector C4),
staff commands by encrypted text, pushes via message/send, errors and limits."""
from __future__ import annotations

import time

import pytest

from adapters.wecom_app import WeComAppChannel
from bot.message import Push
from tests.staff.helpers import case_of, outbox, report
from tests.staff.wecom import StaffMember

C4 = dict(msg_signature="dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", timestamp="1411443780", nonce="437374425",
          echostr="4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==")


@pytest.fixture
def ctx(wired_ctx):          # these tests reach the fake WeCom API on loopback
    return wired_ctx


async def test_url_verification_decrypts_echostr_vector_c4(client):
    from adapters.wecom_bot.crypto import signature
    now = str(int(time.time()))         # the vector's echostr, signed now (an old check is refused)
    fresh = {**C4, "timestamp": now, "msg_signature": signature("123456", now, C4["nonce"], C4["echostr"])}
    resp = await client.get("/wecom/app", params=fresh)
    assert resp.status == 200 and await resp.text() == "5927782489442352469"
    assert resp.headers.get("X-Content-Type-Options") == "nosniff"
    resp = await client.get("/wecom/app", params={**fresh, "nonce": "437374424"})
    assert resp.status == 403
    resp = await client.get("/wecom/app", params=C4)          # the vector as published: 2014
    assert resp.status == 403


async def test_an_encrypted_command_is_answered_in_the_same_chat(client, bot, ctx):
    number = await report(bot)
    li = StaffMember(client, "LiHongMei")
    assert "已接单" in await li.say(f"接单 {number}")
    assert (await case_of(ctx, number)).status == "mediating"
    assert "不在您的办理范围" in await StaffMember(client, "ChenZhiQiang").say(f"办结 {number} 好了")
    assert (await case_of(ctx, number)).status == "mediating"


async def test_a_retried_callback_is_handled_once(client, bot, ctx):
    number = await report(bot)
    li = StaffMember(client, "LiHongMei")
    first = await li.say(f"进展 {number} 已电话联系双方", msg_id=42)
    again = await li.say(f"进展 {number} 已电话联系双方", msg_id=42)
    assert first == again and "已记录" in first
    assert len([p for p in await outbox(ctx, "test") if "已电话联系双方" in p.text]) == 1


async def test_bad_callbacks_are_refused(client):
    resp = await client.post("/wecom/app", params={"msg_signature": "x", "timestamp": "1", "nonce": "2"},
                             data=b"<xml><Encrypt>abc</Encrypt></xml>")
    assert resp.status == 403
    resp = await client.post("/wecom/app", params={"timestamp": "1"}, data=b"not xml")
    assert resp.status == 400


async def test_assignment_pushes_reach_wecom_with_duplicate_check(client, bot, ctx, fake_wecom):
    number = await report(bot)
    await ctx.outbox.run_once()
    [sent] = fake_wecom.sent()
    assert sent["touser"] == "LiHongMei" and sent["agentid"] == 1000002 and number in sent["text"]["content"]
    assert sent["enable_duplicate_check"] == 1 and sent["duplicate_check_interval"] == 1800
    assert len(fake_wecom.calls_to("/cgi-bin/gettoken")) == 1


async def test_expired_token_is_fetched_again_and_failures_are_retried(client, ctx, fake_wecom, clock):
    channel: WeComAppChannel = ctx.channels["wecom_app"]
    push = Push("wecom_app", "LiHongMei", "测试", key="t1")
    assert (await channel.deliver(push)).outcome.value == "sent"
    fake_wecom.expire_tokens()
    assert (await channel.deliver(push)).outcome.value == "sent"          # 42001 → new token → sent
    assert len(fake_wecom.calls_to("/cgi-bin/gettoken")) == 2
    fake_wecom.fail("/cgi-bin/message/send", 0)                           # HTTP 502
    assert (await channel.deliver(push)).outcome.value == "retry"
    fake_wecom.fail("/cgi-bin/message/send", -1)                          # system busy
    assert (await channel.deliver(push)).outcome.value == "retry"
    fake_wecom.fail("/cgi-bin/message/send", 81013)                       # nobody valid: never works
    assert (await channel.deliver(push)).outcome.value == "failed"


async def test_per_member_limit_holds_pushes_back_without_losing_them(client, ctx, fake_wecom, clock):
    async with ctx.uow() as uow:
        for n in range(35):
            await uow.push(Push("wecom_app", "LiHongMei", f"提醒{n}", key=f"k{n}"))
        await uow.push(Push("wecom_app", "WangJianGuo", "别人的", key="other"))
    while await ctx.outbox.run_once():
        pass
    sent = fake_wecom.sent()
    assert len([s for s in sent if s["touser"] == "LiHongMei"]) == 30
    assert [s for s in sent if s["touser"] == "WangJianGuo"]               # others are not held back
    rows = {r.key: r for r in await outbox(ctx, "wecom_app")}
    assert [rows[f"k{n}"].status for n in range(30, 35)] == ["pending"] * 5
    assert all(rows[f"k{n}"].attempts == 0 for n in range(30, 35))        # held back is not a failed attempt
    clock.advance(minutes=1, seconds=1)
    while await ctx.outbox.run_once():
        pass
    assert len([s for s in fake_wecom.sent() if s["touser"] == "LiHongMei"]) == 35
    assert {s["text"]["content"] for s in fake_wecom.sent()} >= {f"提醒{n}" for n in range(35)}


async def test_hourly_limit(client, ctx, fake_wecom, clock):
    ctx.settings = ctx.settings.replace(wecom_per_minute=1000, wecom_per_hour=3)
    channel = WeComAppChannel(ctx)
    results = [(await channel.deliver(Push("wecom_app", "LiHongMei", f"x{n}"))) for n in range(4)]
    assert [r.outcome.value for r in results] == ["sent", "sent", "sent", "retry"]
    assert 0 < results[-1].retry_after <= 3600.5
