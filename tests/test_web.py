"""The web chat over real HTTP: page, messages, and pushes over the WebSocket."""
from __future__ import annotations

import asyncio

import pytest

from bot.message import Push
from jiefen.gateway import make_app, web_channel


@pytest.fixture
async def client(ctx, aiohttp_client):
    return await aiohttp_client(make_app(ctx, channels=[web_channel(ctx)], run_outbox=False))


async def say(client, text, **extra):
    resp = await client.post("/api/messages", json={"text": text, **extra})
    assert resp.status == 200, await resp.text()
    return "\n".join(r["text"] for r in (await resp.json())["replies"])


async def test_the_page_and_its_cookie(client):
    resp = await client.get("/")
    body = await resp.text()
    assert resp.status == 200 and "青山县" in body and "/api/messages" in body
    assert "jiefen_uid" in resp.cookies


async def test_a_dispute_code_url_names_the_place(client):
    resp = await client.get("/?place=DX02")
    assert "东溪镇桃源村" in await resp.text()
    resp = await client.post("/api/messages", json={"place": "DX02"})
    assert "桃源村" in (await resp.json())["replies"][0]["text"]


async def test_a_whole_report_over_http(client, ctx):
    await client.get("/")
    summary = await say(client, "我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678")
    assert "请核对" in summary and "邻里纠纷" in summary
    assert "JF261123-001" in await say(client, "确认")
    assert "已受理" in await say(client, "查询 JF261123-001")


async def test_a_web_page_is_asked_for_the_phone_each_time(client, ctx):
    """A browser may be a village office's shared computer: a phone given in one report is not
    offered for the next one from the same page (a WeChat account is one person, a cookie not)."""
    await client.get("/")
    await say(client, "我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678")
    await say(client, "确认")
    await say(client, "我家隔壁装修天天早上七点就开始电钻")
    reply = await say(client, "南湖社区")
    assert "电话" in reply and "138" not in reply, reply


async def test_the_same_msg_id_twice_is_one_case(client, ctx):
    await client.get("/")
    await say(client, "我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678")
    first = await say(client, "确认", msg_id="abc123")
    second = await say(client, "确认", msg_id="abc123")
    assert first == second and "JF261123-001" in first
    from storage.cases import CaseStore
    async with ctx.db.session() as s:
        assert await CaseStore(s, now=ctx.clock.now()).count() == 1


@pytest.mark.parametrize("body, status", [
    (b"not json", 400), (b"[1,2]", 400), (b'{"text": 5}', 400), (b'{"text": "   "}', 400),
    (b'{"text": "' + "长" .encode() * 3000 + b'"}', 413),
])
async def test_bad_requests_are_refused_without_a_500(client, body, status):
    resp = await client.post("/api/messages", data=body, headers={"Content-Type": "application/json"})
    assert resp.status == status
    assert "error" in await resp.json()


async def test_a_body_over_one_mebibyte_is_refused(client):
    resp = await client.post("/api/messages", data=b"x" * (1024 * 1024 + 10))
    assert resp.status == 413


async def test_progress_pushes_reach_an_open_page_without_a_reload(client, ctx):
    await client.get("/")
    uid = client.session.cookie_jar.filter_cookies(client.make_url("/"))["jiefen_uid"].value
    ws = await client.ws_connect("/api/ws")
    async with ctx.uow() as uow:
        await uow.push(Push("web", uid, "案件 JF261123-001 已分派给柳林村网格员", "JF261123-001"))
    await ctx.outbox.run_once()
    got = await asyncio.wait_for(ws.receive_json(), 5)
    assert "已分派" in got["text"] and got["case"] == "JF261123-001"
    await ws.close()


async def test_a_push_to_a_closed_page_waits_for_the_next_visit(client, ctx):
    await client.get("/")
    uid = client.session.cookie_jar.filter_cookies(client.make_url("/"))["jiefen_uid"].value
    async with ctx.uow() as uow:
        await uow.push(Push("web", uid, "调解员约您明天上午面谈", "JF261123-001", key="p1"))
    await ctx.outbox.run_once()                       # nobody is there: held, not lost
    ws = await client.ws_connect("/api/ws")          # the page opens: the push is released
    got = None
    for _ in range(50):                               # the server releases it once its socket is up
        await ctx.outbox.run_once()
        try:
            got = await asyncio.wait_for(ws.receive_json(), 0.1)
            break
        except TimeoutError:
            pass
    assert got is not None
    assert "面谈" in got["text"]
    await ctx.outbox.run_once()                       # and never delivered twice
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(ws.receive_json(), 0.3)
    await ws.close()


async def test_health(client):
    resp = await client.get("/healthz")
    assert (await resp.json())["places"] == 18


async def test_opening_a_dispute_code_url_is_counted_once_per_open(client, ctx):
    from storage.scans import code_counts
    await client.post("/api/messages", json={"place": "DX02", "msg_id": "open-1"})
    await client.post("/api/messages", json={"place": "DX02", "msg_id": "open-1"})     # the page retried
    await client.post("/api/messages", json={"place": "DX02", "msg_id": "open-2"})     # opened again later
    await client.post("/api/messages", json={"place": "NOSUCH", "msg_id": "open-3"})   # not a code of ours
    rows = {r["code"]: r for r in await code_counts(ctx.db, ctx.registry)}
    assert rows["DX02"]["scans"] == 2 and rows["DX02"]["place"] == "东溪镇桃源村" and "NOSUCH" not in rows
    async with ctx.db.session() as s:
        from sqlalchemy import select

        from storage.models import CodeScan
        assert {r.channel for r in (await s.scalars(select(CodeScan))).all()} == {"web"}
