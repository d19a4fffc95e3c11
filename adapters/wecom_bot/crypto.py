"""WeCom smart-robot crypto: the enterprise scheme with an empty receive id, carried in JSON.

wechatpy does the signature and the AES work; only the envelope (JSON instead of XML) is ours."""
from __future__ import annotations

import binascii
import json
import secrets
import struct
import time
from typing import Any

from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import WeChatSigner

from adapters.base import BadCallback

RECEIVE_ID = ""      # an enterprise's own smart robot has no receive id


# what wechatpy and the cipher raise on malformed input (PROTOCOL.md)
_CRYPTO_ERRORS = (InvalidSignatureException, ValueError, TypeError, KeyError, IndexError, struct.error,
                  binascii.Error, UnicodeDecodeError)


def signature(*parts: str) -> str:
    """WeCom's msg_signature: SHA-1 of the sorted token, timestamp, nonce and ciphertext."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


class BotCrypto:
    def __init__(self, token: str, aes_key: str):
        self._crypto = WeChatCrypto(token, aes_key, RECEIVE_ID)
        self.token = token

    def verify_url(self, signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        try:
            return self._crypto.check_signature(signature, timestamp, nonce, echostr)
        except InvalidSignatureException as exc:
            raise BadCallback(403, "signature") from exc
        except Exception as exc:          # wechatpy wraps its own errors in various types
            if isinstance(exc, _CRYPTO_ERRORS) or type(exc).__module__.startswith("wechatpy"):
                raise BadCallback(400, "echostr") from exc
            raise

    def decrypt(self, body: bytes, signature: str, timestamp: str, nonce: str) -> dict[str, Any]:
        try:
            envelope = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise BadCallback(400, "body is not JSON") from exc
        if not isinstance(envelope, dict) or not isinstance(envelope.get("encrypt"), str):
            raise BadCallback(400, "no encrypt field")
        try:
            plain = self._crypto.decrypt_message({"Encrypt": envelope["encrypt"]}, signature, timestamp, nonce)
        except InvalidSignatureException as exc:
            raise BadCallback(403, "signature") from exc
        except Exception as exc:
            if isinstance(exc, _CRYPTO_ERRORS) or type(exc).__module__.startswith("wechatpy"):
                raise BadCallback(400, "cannot decrypt") from exc
            raise
        try:
            payload = json.loads(plain)
        except (json.JSONDecodeError, UnicodeDecodeError, TypeError, RecursionError) as exc:
            raise BadCallback(400, "plaintext is not JSON") from exc
        if not isinstance(payload, dict):
            raise BadCallback(400, "plaintext is not an object")
        return payload

    def encrypt(self, payload: dict[str, Any], nonce: str | None = None, timestamp: str | None = None) -> dict[str, Any]:
        nonce = nonce or secrets.token_hex(8)
        timestamp = timestamp or str(int(time.time()))
        text = json.dumps(payload, ensure_ascii=False)
        encrypt = PrpCrypto(self._crypto.key).encrypt(text, RECEIVE_ID)
        encrypt = encrypt.decode() if isinstance(encrypt, bytes) else encrypt
        return {"encrypt": encrypt, "msgsignature": signature(self.token, timestamp, nonce, encrypt),
                "timestamp": int(timestamp), "nonce": nonce}
