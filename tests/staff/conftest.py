"""The staff side is on when the WeCom app is configured: these contexts have it."""
from __future__ import annotations

import pytest

from jiefen.testing import make_context
from tests.fakes.wecom_api import FakeWeComAPI

WECOM = dict(wecom_corpid="wx49f0ab532d5d035a", wecom_agentid="1000002", wecom_secret="s3cret",
             wecom_token="123456", wecom_aes_key="kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR")


@pytest.fixture
async def ctx(tmp_path, clock):
    context = await make_context(tmp_path, clock=clock, **WECOM)
    yield context
    await context.close()


@pytest.fixture
async def fake_wecom():
    api = await FakeWeComAPI(corpid=WECOM["wecom_corpid"], secret=WECOM["wecom_secret"]).start()
    yield api
    await api.stop()


@pytest.fixture
async def wired_ctx(tmp_path, clock, fake_wecom):
    """A staff-side context whose WeCom API is the fake on loopback."""
    context = await make_context(tmp_path, clock=clock, wecom_api_base=fake_wecom.url, **WECOM)
    yield context
    await context.close()


@pytest.fixture
async def client(aiohttp_client, ctx):
    from jiefen.gateway import make_app
    return await aiohttp_client(make_app(ctx, run_outbox=False))
