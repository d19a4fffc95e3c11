"""WeCom callback crypto and parsing (wechatpy), at the edge: the core sees a Message.

GET verification checks msg_signature over token, timestamp, nonce and echostr, and answers
the decrypted echostr as plain text. POST bodies are encrypted XML with the corpid as the
receive id. wechatpy raises many kinds of error on malformed input: all become BadCallback."""
from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from wechatpy.enterprise import parse_message
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.enterprise.replies import TextReply
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from adapters.base import BadCallback
from adapters.xmlbody import BAD_INPUT, xml_fields
from bot.message import Kind, Message

# a wrong corpid raises InvalidCorpIdException (a WeChatException, like the rest of wechatpy's)
_BAD_INPUT = (InvalidSignatureException, InvalidAppIdException, InvalidCorpIdException) + BAD_INPUT


@dataclass(frozen=True)
class Inbound:
    message: Message | None          # None: an event we do not act on (enter_agent, …)
    parsed: object


class Codec:
    def __init__(self, token: str, aes_key: str, corpid: str):
        self.crypto = WeChatCrypto(token, aes_key, corpid)

    def verify(self, query: Mapping[str, str]) -> str:
        try:
            return self.crypto.check_signature(query["msg_signature"], query["timestamp"], query["nonce"],
                                               query["echostr"])
        except InvalidSignatureException as exc:
            raise BadCallback(403, "bad signature") from exc
        except _BAD_INPUT as exc:
            raise BadCallback(400, f"bad verification: {type(exc).__name__}") from exc

    def decode(self, query: Mapping[str, str], body: bytes) -> Inbound:
        outer = xml_fields(body)            # the signature covers the Encrypt element inside it
        if not isinstance(outer.get("Encrypt"), str):
            raise BadCallback(400, "no Encrypt element")
        try:
            xml = self.crypto.decrypt_message(outer, query.get("msg_signature", ""), query.get("timestamp", ""),
                                              query.get("nonce", ""))
        except InvalidSignatureException as exc:
            raise BadCallback(403, "bad signature") from exc
        except InvalidCorpIdException as exc:
            raise BadCallback(403, "wrong corpid") from exc
        except _BAD_INPUT as exc:
            raise BadCallback(400, f"cannot decrypt: {type(exc).__name__}") from exc
        try:
            msg = parse_message(xml)
        except _BAD_INPUT as exc:
            raise BadCallback(400, f"cannot parse: {type(exc).__name__}") from exc
        try:   # wechatpy converts fields when read: a non-numeric MsgId raises here
            if getattr(msg, "type", "") != "text" or not getattr(msg, "source", ""):
                return Inbound(None, msg)      # staff act by text; events and media need no answer
            _ = (msg.agent, msg.target, msg.time)      # what the passive reply will read
            return Inbound(Message(channel="wecom_app", user=msg.source, kind=Kind.TEXT, text=msg.content or "",
                                   msg_id=str(msg.id), raw=msg), msg)
        except _BAD_INPUT as exc:
            raise BadCallback(400, f"not a message: {type(exc).__name__}") from exc

    def reply(self, inbound: Inbound, text: str, nonce: str | None = None) -> str:
        """An encrypted passive reply: the staff member sees the answer in the same chat."""
        xml = TextReply(content=text, message=inbound.parsed).render()
        return self.crypto.encrypt_message(xml, nonce or uuid.uuid4().hex[:10], str(int(time.time())))
