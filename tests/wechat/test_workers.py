"""Several workers (processes) agree through Redis: one access token, one window budget per resident."""
from __future__ import annotations

import asyncio
import dataclasses
import uuid

import pytest

from adapters.wechat_mp.api import WeChatAPI
from adapters.wechat_mp.window import Windows
from jiefen.gateway import enabled_channels
from storage.state import RedisStateStore


@pytest.fixture
async def workers(wx_ctx, redis_server):
    prefix = f"w{uuid.uuid4().hex[:8]}:"
    stores = [RedisStateStore(redis_server.url, prefix=prefix) for _ in range(2)]
    yield [dataclasses.replace(wx_ctx, state=s) for s in stores]      # two processes' contexts, one Redis
    for s in stores:
        await s.close()


async def test_one_token_across_workers(workers, fake_api):
    fake_api.token_delay = 0.1
    apis = [WeChatAPI(w) for w in workers]
    try:
        tokens = await asyncio.gather(*(api.token() for api in apis for _ in range(10)))
    finally:
        for api in apis:
            await api.close()
    assert set(tokens) == {"TOKEN-1"} and len(fake_api.calls_to("/cgi-bin/stable_token")) == 1


async def test_one_window_budget_across_workers(workers):
    a, b = (Windows(w) for w in workers)
    await a.opened("oResident", "message")
    claims = await asyncio.gather(*(w.claim("oResident", "update") for w in (a, b) for _ in range(5)))
    assert sum(c is not None for c in claims) == 4               # 5 in 48 h, one kept for the final
    assert await b.claim("oResident", "final") is not None
    assert await a.claim("oResident", "final") is None


async def test_the_channel_is_on_only_with_a_token(wx_ctx):
    assert "wechat_mp" in [c.name for c in enabled_channels(wx_ctx)]
    off = dataclasses.replace(wx_ctx, settings=wx_ctx.settings.replace(wechat_token=""))
    assert "wechat_mp" not in [c.name for c in enabled_channels(off)]
