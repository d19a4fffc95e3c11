"""The safety question through the real channels: the Official Account (encrypted callbacks)
and the web chat (HTTP), as a resident meets it."""
from __future__ import annotations

from sqlalchemy import select

from handlers import texts
from jiefen.gateway import make_app, web_channel
from storage.models import Case
from tests.test_safety_question import VAGUE


def unsure_text(ctx) -> str:
    return next(t for t in VAGUE if ctx.nlp.read(t).ask_safety)


async def only_case(ctx):
    async with ctx.db.session() as s:
        return (await s.scalars(select(Case))).all()


async def test_on_the_official_account(resident, wx_ctx):
    assert texts.SAFETY_QUESTION in await resident.say(unsure_text(wx_ctx))
    answer = await resident.say("有")
    [case] = await only_case(wx_ctx)
    assert case.risk == "red" and case.number in answer and case.channel == "wechat_mp"


async def test_in_the_web_chat(wx_ctx, aiohttp_client):
    client = await aiohttp_client(make_app(wx_ctx, channels=[web_channel(wx_ctx)], run_outbox=False))
    resp = await client.post("/api/messages", json={"text": unsure_text(wx_ctx), "msg_id": "s1"})
    assert texts.SAFETY_QUESTION in (await resp.json())["replies"][0]["text"]
    resp = await client.post("/api/messages", json={"text": "没有", "msg_id": "s2"})
    assert (await resp.json())["replies"][0]["text"].startswith(texts.SAFETY_NOTED)
    assert await only_case(wx_ctx) == []
