"""The staff side is on when the WeCom app is configured: these contexts have it."""
from __future__ import annotations

import pytest

from bot.testing import make_context

WECOM = dict(wecom_corpid="wx49f0ab532d5d035a", wecom_agentid="1000002", wecom_secret="s3cret",
             wecom_token="123456", wecom_aes_key="kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR")


@pytest.fixture
async def ctx(tmp_path, clock):
    context = await make_context(tmp_path, clock=clock, **WECOM)
    yield context
    await context.close()
