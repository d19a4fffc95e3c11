"""A WeCom staff member: builds the encrypted callbacks WeCom's servers send to /wecom/app
and reads the encrypted passive reply (wechatpy's enterprise crypto, vector C4's keys)."""
from __future__ import annotations

import itertools
import secrets
import time

import xmltodict
from wechatpy.enterprise.crypto import WeChatCrypto

from tests.staff.conftest import WECOM


class StaffMember:
    _ids = itertools.count(7000000000000000001)

    def __init__(self, client, userid: str):
        self.client, self.userid = client, userid
        self.crypto = WeChatCrypto(WECOM["wecom_token"], WECOM["wecom_aes_key"], WECOM["wecom_corpid"])

    def xml(self, text: str, msg_id: int) -> str:
        return ("<xml><ToUserName><![CDATA[{corp}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
                "<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content>"
                "<MsgId>{id}</MsgId><AgentID>1000002</AgentID></xml>").format(
            corp=WECOM["wecom_corpid"], user=self.userid, ts=int(time.time()), text=text, id=msg_id)

    async def post_xml(self, xml: str, nonce: str | None = None):
        nonce = nonce or secrets.token_hex(5)      # WeCom's nonce differs for every callback
        ts = str(int(time.time()))
        enc = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, ts))["xml"]
        body = f"<xml><ToUserName><![CDATA[{WECOM['wecom_corpid']}]]></ToUserName><Encrypt><![CDATA[{enc['Encrypt']}]]></Encrypt><AgentID>1000002</AgentID></xml>"
        return await self.client.post("/wecom/app", params={"msg_signature": enc["MsgSignature"], "timestamp": ts,
                                                             "nonce": nonce}, data=body.encode())

    async def say(self, text: str, msg_id: int | None = None) -> str:
        resp = await self.post_xml(self.xml(text, msg_id or next(self._ids)))
        assert resp.status == 200, await resp.text()
        body = await resp.text()
        if not body:
            return ""
        outer = xmltodict.parse(body)["xml"]
        plain = self.crypto.decrypt_message(body, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
        reply = xmltodict.parse(plain)["xml"]
        assert reply["ToUserName"] == self.userid
        return reply["Content"]
