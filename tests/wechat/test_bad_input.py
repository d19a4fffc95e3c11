"""Bad input never makes a 500, a case or a log line with personal data (issue item 7)."""
from __future__ import annotations

import base64
import logging
import time

import pytest
import xmltodict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from wechatpy.crypto import WeChatCrypto

from storage.models import Case
from tests.wechat.conftest import ACCOUNT, AES_KEY, TOKEN, signature, xml_of

PHONE = "13912345678"


def text_xml(resident, content: str = f"楼上邻居天天吵，电话{PHONE}") -> str:
    return xml_of(resident.fields("text", Content=content, MsgId=55))


def safe_request(resident, encrypt: str, ts: str | None = None, nonce: str = "42"):
    ts = ts or str(int(time.time()))
    query = {"timestamp": ts, "nonce": nonce, "encrypt_type": "aes", "signature": signature(TOKEN, ts, nonce),
             "msg_signature": signature(TOKEN, ts, nonce, encrypt)}
    body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    return query, body


async def post(client, query, body):
    resp = await client.post("/wechat/mp", params=query, data=body if isinstance(body, bytes) else body.encode())
    return resp.status, await resp.text()


async def no_case(ctx) -> bool:
    async with ctx.db.session() as s:
        return await s.scalar(select(func.count()).select_from(Case)) == 0


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO)
    yield caplog
    assert PHONE not in caplog.text and "oResident" not in caplog.text     # no personal data logged


async def test_forged_signature(plain_client, plain_resident, plain_ctx, logs):
    query, body = plain_resident.request(text_xml(plain_resident))
    status, reason = await post(plain_client, {**query, "signature": "f" * 40}, body)
    assert (status, reason) == (403, "bad signature") and await no_case(plain_ctx)
    assert "callback refused: bad signature" in logs.text


async def test_plaintext_is_refused_in_safe_mode(client, resident, wx_ctx, logs):
    """A captured URL's signature covers no body: in safe mode only an encrypted body counts."""
    resident.safe = False
    query, body = resident.request(text_xml(resident))
    status, reason = await post(client, query, body)
    assert (status, reason) == (403, "plaintext refused in safe mode") and await no_case(wx_ctx)


async def test_forged_msg_signature(client, resident, wx_ctx, logs):
    query, body = resident.request(text_xml(resident))
    status, reason = await post(client, {**query, "msg_signature": "0" * 40}, body)
    assert (status, reason) == (403, "bad msg_signature") and await no_case(wx_ctx)


async def test_wrong_appid(client, resident, wx_ctx, logs):
    other = WeChatCrypto(TOKEN, AES_KEY, "wxWRONG")
    encrypt = xmltodict.parse(other.encrypt_message(text_xml(resident), "42", "1700000000"))["xml"]["Encrypt"]
    status, reason = await post(client, *safe_request(resident, encrypt))
    assert (status, reason) == (403, "wrong appid") and await no_case(wx_ctx)


@pytest.mark.parametrize("body", [b"", b"<xml><ToUserName>gh_", b"not xml at all", b"\xff\xfe\x00<", b"<xml>",
                                  b"<other><MsgType>text</MsgType></other>"], ids=["empty", "truncated", "text",
                                                                                  "binary", "unclosed", "no-root"])
async def test_broken_plain_bodies(plain_client, plain_resident, plain_ctx, body, logs):
    query, _ = plain_resident.request("")
    status, _reason = await post(plain_client, query, body)
    assert status == 400 and await no_case(plain_ctx)


async def test_truncated_encrypt(client, resident, wx_ctx, logs):
    query, body = resident.request(text_xml(resident))
    encrypt = xmltodict.parse(body)["xml"]["Encrypt"]
    status, _ = await post(client, *safe_request(resident, encrypt[: len(encrypt) // 2]))
    assert status == 400 and await no_case(wx_ctx)


@pytest.mark.parametrize("encrypt", ["!!!not base64!!!", "QUJD", base64.b64encode(b"x" * 31).decode(),
                                     base64.b64encode(b"\x00" * 64).decode(), base64.b64encode(b"\xff" * 32).decode()],
                         ids=["not-base64", "short", "not-block-size", "zero-blocks", "bad-padding"])
async def test_invalid_base64_or_padding(client, resident, wx_ctx, encrypt, logs):
    status, _ = await post(client, *safe_request(resident, encrypt))
    assert 400 <= status < 500 and await no_case(wx_ctx)


async def test_truncated_safe_body(client, resident, wx_ctx, logs):
    query, body = resident.request(text_xml(resident))
    status, _ = await post(client, query, body[: len(body) // 2])
    assert status == 400 and await no_case(wx_ctx)


@pytest.mark.parametrize("xml", ["<xml><Foo>1</Foo></xml>", "<xml><MsgType><a>b</a></MsgType></xml>",
                                 "<xml><MsgType>text</MsgType></xml>"], ids=["no-type", "nested", "no-sender"])
async def test_xml_that_is_not_a_message(client, resident, wx_ctx, xml, logs):
    status, reason = await post(client, *resident.request(xml))
    assert (status, reason) == (400, "not a message") and await no_case(wx_ctx)


@pytest.mark.parametrize("xml", [
    '<!DOCTYPE xml [<!ENTITY p "13912345678">]><xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName>'
    '<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&p;</Content><MsgId>9</MsgId></xml>',
    '<!DOCTYPE xml SYSTEM "http://example.invalid/x.dtd"><xml><MsgType>text</MsgType></xml>',
    '<!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><xml><Content>&b;</Content></xml>',
], ids=["entity", "external-dtd", "laughs"])
async def test_doctype_and_entities(client, resident, wx_ctx, plain_client, plain_resident, plain_ctx, xml, logs):
    status, reason = await post(client, *resident.request(xml))
    assert status == 400 and await no_case(wx_ctx)
    status, reason = await post(plain_client, *plain_resident.request(xml))
    assert status == 400 and await no_case(plain_ctx)


async def test_outer_doctype_in_safe_mode(client, resident, wx_ctx, logs):
    query, body = resident.request(text_xml(resident))
    status, reason = await post(client, query, '<!DOCTYPE xml [<!ENTITY e "x">]>' + body)
    assert (status, reason) == (400, "DOCTYPE refused") and await no_case(wx_ctx)


async def test_body_over_one_mib(client, resident, wx_ctx, logs):
    query, _ = resident.request("")
    status, _ = await post(client, query, b"<xml>" + b"a" * (1024 * 1024 + 10) + b"</xml>")
    assert status == 413 and await no_case(wx_ctx)


async def test_safe_mode_request_without_a_key_configured(aiohttp_client, tmp_path, clock, resident):
    from adapters.wechat_mp import WeChatMPChannel
    from jiefen.gateway import make_app
    from jiefen.testing import make_context
    ctx = await make_context(tmp_path / "plain", clock=clock, wechat_token=TOKEN)
    try:
        client = await aiohttp_client(make_app(ctx, channels=[WeChatMPChannel(ctx)], run_outbox=False))
        status, reason = await post(client, *resident.request(text_xml(resident)))
        assert (status, reason) == (400, "safe mode is not configured")
    finally:
        await ctx.close()


# ---- fuzz ------------------------------------------------------------------------------------
fields = st.fixed_dictionaries({}, optional={
    "ToUserName": st.text(max_size=20), "FromUserName": st.text(max_size=30), "CreateTime": st.text(max_size=12),
    "MsgType": st.sampled_from(["text", "event", "voice", "image", "location", "link", "video", "weird", ""]),
    "Event": st.sampled_from(["subscribe", "SCAN", "CLICK", "unsubscribe", "subscribe_msg_popup_event", "x"]),
    "Content": st.text(max_size=50), "MsgId": st.text(max_size=20), "EventKey": st.text(max_size=80),
    "Location_X": st.text(max_size=8), "Recognition": st.text(max_size=20),
})


def _xml(values: dict) -> str:
    return "<xml>" + "".join(f"<{k}><![CDATA[{v.replace(']]>', '')}]]></{k}>" for k, v in values.items()) + "</xml>"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=300), fields.map(_xml).map(str.encode),
                      st.text(max_size=200).map(lambda t: f"<xml><Encrypt>{t}</Encrypt></xml>".encode())),
       safe=st.booleans(), sign=st.booleans())
async def test_fuzz_the_callback(client, resident, body, safe, sign):
    """Anything at all: a 200 (a handled message or `success`) or a 4xx, never a 5xx."""
    resident.safe = safe
    query, wrapped = resident.request(body.decode("utf-8", "replace"))
    if not sign:
        query = {**query, "signature": "0" * 40, "msg_signature": "0" * 40}
    resp = await client.post("/wechat/mp", params=query, data=wrapped.encode() if sign else body)
    assert resp.status < 500, await resp.text()


@pytest.mark.parametrize("x, y", [("nan", "inf"), ("1e400", "-999"), ("91", "120"), ("30", "181")])
async def test_a_location_off_the_globe_is_not_read(client, resident, wx_ctx, caplog, x, y):
    """A signed location message with coordinates no place has (nan, inf, beyond ±90/±180) broke
    the nearest-place search: the handler failed three times and the resident heard an
    apology twice. It is a message without a place: nothing breaks and nothing is said twice."""
    caplog.set_level(logging.ERROR)
    xml = xml_of(resident.fields("location", Location_X=x, Location_Y=y, Scale=15, Label="", MsgId=77))
    status, text = await post(client, *resident.request(xml))
    assert status in (200, 400) and "出了点问题" not in text, text
    assert "Traceback" not in caplog.text and "ERROR" not in caplog.text, caplog.text
