"""The edge of the Official Account callback: signatures, safe-mode crypto, XML in and out.

Everything wechatpy can raise on hostile input becomes `BadCallback` with a short reason and
an HTTP status, so the callback never answers 500 and never logs the body (personal data).
"""
from __future__ import annotations

import binascii
import struct
from dataclasses import dataclass
from typing import Any, Mapping
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException, WeChatException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from adapters.base import BadCallback

# what wechatpy's decrypt / parse raise on malformed input (PROTOCOL.md), plus our own checks
_BAD_INPUT = (ExpatError, ValueError, KeyError, IndexError, TypeError, AttributeError, struct.error,
              binascii.Error, UnicodeError, WeChatException)


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
        encrypted = query.get("encrypt_type", "raw").lower() == "aes"
        if not encrypted:
            self.verify(query)
            xml = body
        elif self.crypto is None:
            raise BadCallback(400, "safe mode is not configured")
        else:
            xml = self._decrypt(query, body)
        try:
            fields = _xml_fields(xml)
            if not isinstance(fields.get("MsgType"), str) or not isinstance(fields.get("FromUserName"), str):
                raise BadCallback(400, "not a message")
            msg = parse_message(xml if isinstance(xml, str) else xml.decode("utf-8"))
        except BadCallback:
            raise
        except _BAD_INPUT:
            raise BadCallback(400, "not a message") from None
        return Inbound(msg, fields, encrypted)

    def _decrypt(self, query: Mapping[str, str], body: bytes) -> str:
        try:
            outer = _xml_fields(body)
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
        except _BAD_INPUT:
            raise BadCallback(400, "cannot decrypt") from None

    def reply(self, inbound: Inbound, text: str, nonce: str, timestamp: str) -> str:
        """A passive text reply, encrypted when the request was."""
        reply = TextReply(source=inbound.msg.target, target=inbound.msg.source, content=text)
        xml = reply.render()
        if inbound.encrypted and self.crypto is not None:
            return self.crypto.encrypt_message(xml, nonce, timestamp)
        return xml


def _xml_fields(xml: bytes | str) -> dict[str, Any]:
    """The children of <xml>; entities and DOCTYPEs are refused by xmltodict's defaults."""
    if not xml:
        raise BadCallback(400, "empty body")
    head = (xml.encode("utf-8", "replace") if isinstance(xml, str) else xml).upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:     # WeChat never sends one; an attack does
        raise BadCallback(400, "DOCTYPE refused")
    try:
        doc = xmltodict.parse(xml, disable_entities=True)
    except _BAD_INPUT:
        raise BadCallback(400, "not XML") from None
    root = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(root, dict):
        raise BadCallback(400, "no <xml> root")
    return root
