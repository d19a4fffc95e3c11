"""The edge of the Official Account callback: signatures, safe-mode crypto, XML in and out.

Everything wechatpy can raise on hostile input becomes `BadCallback` with a short reason and
an HTTP status, so the callback never answers 500 and never logs the body (personal data).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from adapters.base import BadCallback
from adapters.xmlbody import BAD_INPUT, xml_fields


@dataclass(frozen=True)
class Inbound:
    """One decoded callback: wechatpy's message object and the raw fields (for what it leaves unknown)."""
    msg: Any
    fields: dict[str, Any]
    encrypted: bool


class Codec:
    def __init__(self, token: str, appid: str = "", aes_key: str = ""):
        self.token, self.appid = token, appid
        self.crypto = WeChatCrypto(token, aes_key, appid) if aes_key else None

    def verify(self, query: Mapping[str, str]) -> None:
        """The plain signature over token, timestamp and nonce (GET and plain-mode POST)."""
        try:
            check_signature(self.token, query.get("signature", ""), query.get("timestamp", ""), query.get("nonce", ""))
        except InvalidSignatureException:
            raise BadCallback(403, "bad signature") from None

    def decode(self, query: Mapping[str, str], body: bytes) -> Inbound:
        # the query's signature first, before a byte of the body is parsed (WeChat sends it in
        # safe mode too); then safe mode's own signature over the encrypted body
        self.verify(query)
        encrypted = query.get("encrypt_type", "raw").lower() == "aes"
        if not encrypted and self.crypto is not None:
            raise BadCallback(403, "plaintext refused in safe mode")   # its body is signed by nobody
        if encrypted and self.crypto is None:
            raise BadCallback(400, "safe mode is not configured")
        xml = self._decrypt(query, body) if encrypted else body
        try:
            fields = xml_fields(xml)
            if not isinstance(fields.get("MsgType"), str) or not isinstance(fields.get("FromUserName"), str):
                raise BadCallback(400, "not a message")
            msg = parse_message(xml if isinstance(xml, str) else xml.decode("utf-8"))
        except BadCallback:
            raise
        except BAD_INPUT:
            raise BadCallback(400, "not a message") from None
        return Inbound(msg, fields, encrypted)

    def _decrypt(self, query: Mapping[str, str], body: bytes) -> str:
        try:
            outer = xml_fields(body)
            if not isinstance(outer.get("Encrypt"), str):
                raise BadCallback(400, "no Encrypt element")
            return self.crypto.decrypt_message(outer, query.get("msg_signature", ""), query.get("timestamp", ""),
                                               query.get("nonce", ""))
        except BadCallback:
            raise
        except InvalidSignatureException:
            raise BadCallback(403, "bad msg_signature") from None
        except InvalidAppIdException:
            raise BadCallback(403, "wrong appid") from None
        except BAD_INPUT:
            raise BadCallback(400, "cannot decrypt") from None

    def reply(self, inbound: Inbound, text: str, nonce: str, timestamp: str) -> str:
        """A passive text reply, encrypted when the request was."""
        reply = TextReply(source=inbound.msg.target, target=inbound.msg.source, content=text)
        xml = reply.render()
        if inbound.encrypted and self.crypto is not None:
            return self.crypto.encrypt_message(xml, nonce, timestamp)
        return xml
