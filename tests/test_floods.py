"""Floods (issue 11): limits per person and per address with a friendly answer, one bounded
Redis pool per process, and visitors who cost nothing until they say something. And the red
reply's promise: it names who was alerted only when an alert was queued."""
from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile

import aiohttp
import pytest
from sqlalchemy import func, select

from adapters.web import TOO_FAST
from handlers import texts
from jiefen.gateway import make_app, web_channel
from jiefen.testing import TestBot, make_context
from storage.models import ConversationRow, InboxItem
from storage.state import RedisStateStore
from tests.servers import _free_port, _wait_port


async def count(ctx, model) -> int:
    async with ctx.db.session() as s:
        return await s.scalar(select(func.count()).select_from(model))


@pytest.fixture
async def web(ctx, aiohttp_client):
    return await aiohttp_client(make_app(ctx, channels=[web_channel(ctx)], run_outbox=False))


async def test_one_address_is_told_to_slow_down(ctx, web, clock):
    # the minute is the context's clock's (the wall clock made this flaky across a minute's turn)
    ctx.settings = ctx.settings.replace(ip_rate_per_minute=5)
    answers = [await web.post("/api/messages", json={"text": "你好", "msg_id": str(i)}) for i in range(7)]
    assert [a.status for a in answers] == [200] * 5 + [429, 429]
    assert (await answers[-1].json())["error"] == TOO_FAST
    clock.advance(minutes=1)
    assert (await web.post("/api/messages", json={"text": "你好", "msg_id": "next"})).status == 200


async def test_visitors_without_a_cookie_cost_nothing_until_they_speak(ctx, web):
    ctx.settings = ctx.settings.replace(ip_rate_per_minute=0)
    for i in range(300):
        resp = await web.post("/api/messages", json={"open": True, "msg_id": str(i)})       # a page opened
        assert resp.status == 200 and "解纷" in (await resp.json())["replies"][0]["text"]
    assert await count(ctx, InboxItem) == 0 and await count(ctx, ConversationRow) == 0
    assert ctx.state._data == {}, list(ctx.state._data)[:5]


@pytest.fixture
def small_redis():
    """A Redis that takes at most 20 clients, as a crowded production one would."""
    binary = shutil.which("redis-server")
    folder = tempfile.mkdtemp(prefix="jiefen-redis-")
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder, "--save", "",
                             "--appendonly", "no", "--maxclients", "20"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_port(port, proc)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)
    shutil.rmtree(folder, ignore_errors=True)


async def test_a_burst_waits_for_the_bounded_pool_instead_of_exhausting_redis(small_redis):
    store = RedisStateStore(small_redis, "burst:", max_connections=10)
    try:
        await asyncio.gather(*(store.incr(f"k{i % 7}") for i in range(500)))       # 500 at once
        assert sum([int(await store.get(f"k{i}")) for i in range(7)]) == 500
    finally:
        await store.close()


async def test_the_red_reply_promises_an_alert_only_when_one_was_sent(tmp_path, clock):
    """Without WeCom nobody can be alerted: the resident is told to call 110 and that the centre
    will see it. With it, the leader on duty and the centre are alerted, and the reply says so."""
    for wecom, expected in ((False, texts.URGENT_UNSENT), (True, texts.URGENT)):
        extra = dict(wecom_corpid="wx49f0ab532d5d035a", wecom_agentid="1", wecom_secret="s",
                     wecom_token="t", wecom_aes_key="kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR") if wecom else {}
        ctx = await make_context(tmp_path / str(wecom), clock=clock, **extra)
        try:
            reply = await TestBot(ctx).last("柳林村有人拿着刀说要砍人")
            assert reply.startswith(expected), reply
            assert ("已立即通知值班领导" in reply) is wecom
        finally:
            await ctx.close()


async def test_behind_a_trusted_proxy_each_client_has_its_own_limit(ctx, aiohttp_client, clock):
    """Behind the county's proxy every client had the proxy's address: one abuser's flood made the
    web chat answer 429 to every resident. X-Forwarded-For is believed from a trusted proxy only."""
    ctx.settings = ctx.settings.replace(ip_rate_per_minute=3, trusted_proxies="127.0.0.1")
    web = await aiohttp_client(make_app(ctx, channels=[web_channel(ctx)], run_outbox=False))
    abuser = {"X-Forwarded-For": "203.0.113.7"}
    answers = [await web.post("/api/messages", json={"text": "你好", "msg_id": f"a{i}"}, headers=abuser)
               for i in range(5)]
    assert [a.status for a in answers] == [200] * 3 + [429, 429]
    resident = {"X-Forwarded-For": "198.51.100.20, 203.0.113.7"}     # a hop the client added is not believed
    assert (await web.post("/api/messages", json={"text": "你好", "msg_id": "r1"}, headers=resident)).status == 429
    resident = {"X-Forwarded-For": "198.51.100.20"}
    assert (await web.post("/api/messages", json={"text": "你好", "msg_id": "r2"}, headers=resident)).status == 200


async def test_without_a_trusted_proxy_the_header_is_not_believed(ctx, web):
    ctx.settings = ctx.settings.replace(ip_rate_per_minute=3)
    statuses = [(await web.post("/api/messages", json={"text": "你好", "msg_id": f"x{i}"},
                                headers={"X-Forwarded-For": f"198.51.100.{i}"})).status for i in range(5)]
    assert statuses == [200] * 3 + [429, 429]


async def test_a_closed_page_leaves_nothing_behind_and_connects_are_limited(ctx, web):
    """Every web socket opened with a new cookie left an entry for good (40,000: +47 MB)."""
    channel = ctx.channels["web"]
    for i in range(5):
        web.session.cookie_jar.update_cookies({"jiefen_uid": f"visitor{i:04d}abcd"})
        ws = await web.ws_connect("/api/ws")
        await ws.close()
    for _ in range(50):
        if not channel.sockets:
            break
        await asyncio.sleep(0.01)
    assert channel.sockets == {} or not any(channel.sockets.values()), channel.sockets
    assert not channel.sockets
    ctx.settings = ctx.settings.replace(ip_rate_per_minute=2)
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        for _ in range(3):
            ws = await web.ws_connect("/api/ws")
            await ws.close()
    assert refused.value.status == 429


async def test_the_web_chat_cookie_is_secure_behind_https(ctx, web):
    r = await web.post("/api/messages", json={"open": True, "msg_id": "o1"}, headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in r.headers["Set-Cookie"], r.headers["Set-Cookie"]


async def test_health_says_whether_the_state_store_answers(tmp_path, clock, aiohttp_client):
    """/healthz said ok with the database or Redis stopped."""
    from tests.servers import start_redis
    proc, folder, server = start_redis()
    ctx = await make_context(tmp_path, clock=clock, state=RedisStateStore(server.url))
    try:
        client = await aiohttp_client(make_app(ctx, run_outbox=False))
        r = await client.get("/healthz")
        assert r.status == 200 and (await r.json())["database"] == "ok"
        proc.terminate()
        proc.wait(10)
        r = await client.get("/healthz")
        body = await r.json()
        assert r.status == 503 and body["state"] != "ok" and body["database"] == "ok", body
    finally:
        await ctx.close()
        shutil.rmtree(folder, ignore_errors=True)
