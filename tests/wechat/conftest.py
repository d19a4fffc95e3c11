"""Fixtures for the Official Account channel: the fake WeChat API on loopback, an app with the
channel mounted, and residents who send callbacks exactly as WeChat's servers do."""
from __future__ import annotations

import hashlib
import itertools
import secrets
import time
from typing import Any

import pytest
import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto

from adapters.wechat_mp import WeChatMPChannel
from jiefen.gateway import make_app
from jiefen.testing import make_context
from tests.fakes.wechat_api import TEXT_LIMIT, FakeWeChatAPI

TOKEN = "spamtest"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx2c2769f8efd9abc2"
ACCOUNT = "gh_10f6c3c3ac5a"


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def xml_of(fields: dict[str, Any]) -> str:
    inner = "".join(f"<{k}>{v}</{k}>" if isinstance(v, (int, float)) or str(v).startswith("<")
                    else f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
    return f"<xml>{inner}</xml>"


class Resident:
    """A WeChat user: builds the callback WeChat's servers would send and reads the reply."""
    _ids = itertools.count(6054768590064713728)

    def __init__(self, client, clock, openid: str = "oResident0000000000000001", safe: bool = True):
        self.client, self.clock, self.openid, self.safe = client, clock, openid, safe
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)

    def fields(self, msg_type: str, **more: Any) -> dict[str, Any]:
        return {"ToUserName": ACCOUNT, "FromUserName": self.openid,
                "CreateTime": int(self.clock.now().timestamp()), "MsgType": msg_type, **more}

    def request(self, xml: str, nonce: str | None = None) -> tuple[dict[str, str], str]:
        nonce = nonce or secrets.token_hex(5)      # WeChat's nonce differs for every callback
        ts = str(int(time.time()))
        query = {"signature": signature(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": self.openid}
        if not self.safe:
            return query, xml
        enc = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, ts))["xml"]
        query.update(encrypt_type="aes", msg_signature=enc["MsgSignature"])
        return query, f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{enc['Encrypt']}]]></Encrypt></xml>"

    async def post(self, xml: str):
        query, body = self.request(xml)
        return await self.client.post("/wechat/mp", params=query, data=body.encode())

    async def send(self, fields: dict[str, Any]) -> list[str]:
        """Post a callback; the passive reply's text as a list ([] for `success`)."""
        resp = await self.post(xml_of(fields))
        assert resp.status == 200, await resp.text()
        return self.read(await resp.text())

    def read(self, text: str) -> list[str]:
        if text in ("success", ""):
            return []
        if self.safe:
            outer = xmltodict.parse(text)["xml"]
            text = self.crypto.decrypt_message(text, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
        reply = xmltodict.parse(text)["xml"]
        assert reply["ToUserName"] == self.openid and reply["FromUserName"] == ACCOUNT
        # WeChat shows nothing for a passive text over 2048 bytes
        assert len((reply["Content"] or "").encode("utf-8")) <= TEXT_LIMIT, "passive reply over 2048 bytes"
        return [reply["Content"]]

    async def say(self, text: str, msg_id: int | None = None) -> str:
        replies = await self.send(self.fields("text", Content=text, MsgId=msg_id or next(self._ids)))
        return "\n".join(replies)

    async def event(self, event: str, key: str = "", **more: Any) -> str:
        extra = {"EventKey": key} if key else {}
        return "\n".join(await self.send(self.fields("event", Event=event, **extra, **more)))


@pytest.fixture
async def fake_api():
    api = await FakeWeChatAPI(appid=APPID).start()
    yield api
    await api.stop()


@pytest.fixture
async def wx_ctx(tmp_path, clock, fake_api):
    ctx = await make_context(tmp_path, clock=clock, wechat_token=TOKEN, wechat_appid=APPID,
                             wechat_secret=fake_api.secret, wechat_aes_key=AES_KEY, wechat_api_base=fake_api.url,
                             wechat_passive_timeout=5.0)
    yield ctx
    await ctx.close()


@pytest.fixture
def channel(wx_ctx):
    return WeChatMPChannel(wx_ctx)


@pytest.fixture
async def client(aiohttp_client, wx_ctx, channel):
    return await aiohttp_client(make_app(wx_ctx, channels=[channel], run_outbox=False))


@pytest.fixture
def resident(client, clock):
    return Resident(client, clock)


@pytest.fixture
async def plain_ctx(tmp_path, clock, fake_api):
    """An account in plain mode (no EncodingAESKey): bodies are signed by the query alone."""
    ctx = await make_context(tmp_path / "plain", clock=clock, wechat_token=TOKEN, wechat_appid=APPID,
                             wechat_secret=fake_api.secret, wechat_api_base=fake_api.url)
    yield ctx
    await ctx.close()


@pytest.fixture
async def plain_client(aiohttp_client, plain_ctx):
    return await aiohttp_client(make_app(plain_ctx, channels=[WeChatMPChannel(plain_ctx)], run_outbox=False))


@pytest.fixture
def plain_resident(plain_client, clock):
    return Resident(plain_client, clock, safe=False)


__all__ = ["Resident", "signature", "xml_of", "parse_message"]
