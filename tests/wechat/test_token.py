"""One access token per deployment: concurrent callers and several workers cause one fetch;
refreshed ahead of expiry; a refused token is replaced once."""
from __future__ import annotations

import asyncio

import pytest

from adapters.wechat_mp.api import APIError, WeChatAPI


@pytest.fixture
async def api(wx_ctx):
    client = WeChatAPI(wx_ctx)
    yield client
    await client.close()


async def test_concurrent_callers_fetch_once(api, fake_api):
    fake_api.token_delay = 0.2
    tokens = await asyncio.gather(*(api.token() for _ in range(20)))
    assert set(tokens) == {"TOKEN-1"}
    [call] = fake_api.calls_to("/cgi-bin/stable_token")
    assert call.body == {"grant_type": "client_credential", "appid": fake_api.appid, "secret": fake_api.secret,
                         "force_refresh": False}


async def test_two_workers_share_one_token(wx_ctx, fake_api):
    fake_api.token_delay = 0.1
    workers = [WeChatAPI(wx_ctx), WeChatAPI(wx_ctx)]         # one state store: one holder
    try:
        tokens = await asyncio.gather(*(w.token() for w in workers for _ in range(5)))
    finally:
        for w in workers:
            await w.close()
    assert set(tokens) == {"TOKEN-1"} and len(fake_api.calls_to("/cgi-bin/stable_token")) == 1


async def test_refreshed_before_it_expires(api, fake_api, clock):
    assert await api.token() == "TOKEN-1"
    clock.advance(seconds=7200 - 400)
    assert await api.token() == "TOKEN-1"
    clock.advance(seconds=200)                                 # inside the last 5 minutes
    assert await api.token() == "TOKEN-2"
    assert len(fake_api.calls_to("/cgi-bin/stable_token")) == 2


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
async def test_a_refused_token_is_refreshed_once_and_the_call_retried(api, fake_api, errcode):
    fake_api.fail("/cgi-bin/message/custom/send", errcode)
    await api.call("/cgi-bin/message/custom/send", {"touser": "o1", "msgtype": "text", "text": {"content": "hi"}})
    calls = fake_api.calls_to("/cgi-bin/message/custom/send")
    assert [c.query["access_token"] for c in calls] == ["TOKEN-1", "TOKEN-2"]
    assert fake_api.calls_to("/cgi-bin/stable_token")[-1].body["force_refresh"] is True


async def test_refused_twice_gives_up(api, fake_api):
    fake_api.fail("/cgi-bin/message/custom/send", 40001, 40001)
    with pytest.raises(APIError) as err:
        await api.call("/cgi-bin/message/custom/send", {"touser": "o1"})
    assert err.value.errcode == 40001 and len(fake_api.calls_to("/cgi-bin/stable_token")) == 2


async def test_concurrent_refusals_refresh_once(api, fake_api):
    await api.token()
    fake_api.expire_tokens()                                   # WeChat no longer takes TOKEN-1
    await asyncio.gather(*(api.call("/cgi-bin/message/custom/send", {"touser": f"o{i}"}) for i in range(6)))
    assert len(fake_api.calls_to("/cgi-bin/stable_token")) == 2


async def test_token_errors_are_reported(api, fake_api):
    fake_api.fail("/cgi-bin/stable_token", 45009)
    with pytest.raises(APIError) as err:
        await api.token()
    assert err.value.errcode == 45009
