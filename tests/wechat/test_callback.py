"""The callback as WeChat drives it: URL verification, plain and safe mode, the conformance
vectors of PROTOCOL.md, and a whole report ending in a case number."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from adapters.wechat_mp.codec import BadCallback, Codec
from storage.models import Case
from tests.wechat.conftest import AES_KEY, APPID, TOKEN, Resident, signature

C3_ENCRYPT = ("hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2L"
              "dJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6u"
              "x5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJp"
              "XgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzp"
              "u9GhglF2PE=")
# WeChat sends the plain signature in safe mode too; over the same token, timestamp and nonce it is C1's
C3_QUERY = {"timestamp": "1409735669", "nonce": "1320562132", "encrypt_type": "aes",
            "signature": "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a",
            "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fa"}
C3_BODY = f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[{C3_ENCRYPT}]]></Encrypt></xml>"


# ---- conformance vectors ------------------------------------------------------------------
def test_c1_plain_signature():
    check_signature("spamtest", "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a", "1409735669", "1320562132")
    Codec("spamtest").verify({"signature": "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a",
                              "timestamp": "1409735669", "nonce": "1320562132"})


def test_c2_signature_and_its_near_miss():
    good = {"signature": "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff", "timestamp": "1410685589", "nonce": "test"}
    Codec("test").verify(good)
    with pytest.raises(BadCallback) as err:
        Codec("test").verify({**good, "signature": good["signature"][:-2] + "fe"})
    assert err.value.status == 403
    with pytest.raises(InvalidSignatureException):
        check_signature("test", good["signature"][:-2] + "fe", "1410685589", "test")


def test_c3_tencent_sample_decrypts_to_the_known_message():
    inbound = Codec(TOKEN, APPID, AES_KEY).decode(C3_QUERY, C3_BODY.encode())
    msg = inbound.msg
    assert (msg.type, msg.content, msg.id) == ("text", "abcdteT", 6054768590064713728)
    assert (msg.source, msg.target, msg.time) == ("oyORnuP8q7ou2gfYjqLzSIWZf0rs", "gh_10f6c3c3ac5a", 1409735668)
    assert inbound.encrypted


def test_c3_wrong_appid_and_altered_signature_are_refused():
    with pytest.raises(BadCallback, match="appid"):
        Codec(TOKEN, "wxWRONG", AES_KEY).decode(C3_QUERY, C3_BODY.encode())
    with pytest.raises(InvalidAppIdException):
        WeChatCrypto(TOKEN, AES_KEY, "wxWRONG").decrypt_message(C3_BODY, C3_QUERY["msg_signature"],
                                                                 C3_QUERY["timestamp"], C3_QUERY["nonce"])
    with pytest.raises(BadCallback, match="msg_signature"):
        Codec(TOKEN, APPID, AES_KEY).decode({**C3_QUERY, "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fb"},
                                            C3_BODY.encode())


async def test_c3_through_the_http_callback(client, wx_ctx, aiohttp_client):
    # Tencent's sample is from 2014: outside the timestamp window it is a replay
    resp = await client.post("/wechat/mp", params=C3_QUERY, data=C3_BODY.encode())
    assert (resp.status, await resp.text()) == (403, "stale timestamp")
    # with a window wide enough to reach 2014, the same bytes are a message
    wx_ctx.settings = wx_ctx.settings.replace(callback_max_skew=20 * 365 * 86400.0)
    resp = await client.post("/wechat/mp", params=C3_QUERY, data=C3_BODY.encode())
    assert resp.status == 200
    text = await resp.text()
    assert text != "success"                 # "abcdteT" gets the help text as a passive reply
    resp = await client.post("/wechat/mp", params={**C3_QUERY, "msg_signature": "0" * 40}, data=C3_BODY.encode())
    assert resp.status == 403


# ---- URL verification ------------------------------------------------------------------------
async def test_get_verification_answers_echostr(client):
    now = str(int(time.time()))
    q = {"signature": signature(TOKEN, now, "1320562132"), "timestamp": now,
         "nonce": "1320562132", "echostr": "5927782489442352469"}
    resp = await client.get("/wechat/mp", params=q)
    assert resp.status == 200 and await resp.text() == "5927782489442352469"
    assert resp.headers.get("X-Content-Type-Options") == "nosniff"
    resp = await client.get("/wechat/mp", params={**q, "signature": "0" * 40})
    assert resp.status == 403 and "signature" in await resp.text()
    # a captured verification an hour old is not answered, however well signed
    old = str(int(time.time()) - 3600)
    resp = await client.get("/wechat/mp", params={**q, "timestamp": old, "signature": signature(TOKEN, old, "1320562132")})
    assert resp.status == 403


# ---- a report, in safe mode and in plain mode ---------------------------------------------------
async def _report(resident: Resident) -> str:
    """A report in one message, then the confirmation."""
    summary = await resident.say("我是柳林村的，楼上邻居天天半夜吵闹，说了好几次都不听，电话13912345678")
    assert "柳林村" in summary and "确认" in summary, summary
    return await resident.say("确认")


async def test_a_report_ends_with_the_case_number_in_safe_mode(client, clock, wx_ctx):
    await _report_makes_one_case(Resident(client, clock, safe=True), wx_ctx)


async def test_a_report_ends_with_the_case_number_in_plain_mode(plain_client, clock, plain_ctx):
    await _report_makes_one_case(Resident(plain_client, clock, safe=False), plain_ctx)


async def _report_makes_one_case(resident: Resident, ctx) -> None:
    answer = await _report(resident)
    assert "已受理" in answer and "案件编号：JF" in answer
    async with ctx.db.session() as s:
        case = await s.scalar(select(Case))
        assert await s.scalar(select(func.count()).select_from(Case)) == 1
    assert case.channel == "wechat_mp" and case.reporter == resident.openid and case.number in answer
