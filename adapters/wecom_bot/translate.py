"""A smart-robot callback's JSON → bot.message.Message. Nothing past this module sees it."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.message import Kind, Message

CHANNEL = "wecom_bot"
_MENTION = re.compile(r"^\s*(?:@\S+\s*)+")


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object where one is expected; anything else reads as empty (a hostile payload)."""
    return value if isinstance(value, dict) else {}


def _items(part: dict[str, Any]) -> list[dict[str, Any]]:
    items = _obj(part.get("mixed")).get("msg_item")
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _text_of(part: dict[str, Any], depth: int = 0) -> str:
    """Text of a text / mixed / voice payload part."""
    kind = part.get("msgtype")
    if kind == "text":
        return _str(_obj(part.get("text")).get("content"))
    if kind == "voice":
        return _str(_obj(part.get("voice")).get("content"))     # WeCom sends the transcript
    if kind == "mixed" and depth == 0:
        return "".join(_text_of(i, depth + 1) for i in _items(part))
    return ""


def _str(value: Any) -> str:
    return value if isinstance(value, str) else str(value) if isinstance(value, (int, float)) else ""


def _images_of(part: dict[str, Any]) -> list[str]:
    if part.get("msgtype") == "image":
        return [_str(_obj(part.get("image")).get("url"))]
    if part.get("msgtype") == "mixed":
        return [_str(_obj(i.get("image")).get("url")) for i in _items(part) if i.get("msgtype") == "image"]
    return []


def to_message(payload: dict[str, Any], now: datetime) -> Message | None:
    """None for what is not a person's message (stream refreshes, events, unknown types)."""
    kind = payload.get("msgtype")
    user = _str(_obj(payload.get("from")).get("userid"))
    if kind not in ("text", "mixed", "voice", "image") or not user:
        return None
    group = payload.get("chattype") == "group"
    text = _text_of(payload)
    if group:
        text = _MENTION.sub("", text)          # the @-mention of the robot itself
    quoted = _text_of(_obj(payload.get("quote")))
    images = _images_of(payload)
    return Message(channel=CHANNEL, user=user, kind=Kind.IMAGE if kind == "image" else Kind.TEXT,
                   text=text.strip(), msg_id=_str(payload.get("msgid"))[:64], created_at=now,
                   url=images[0] if images else "", chat=_str(payload.get("chatid"))[:128] if group else "",
                   mentioned=group, quoted=quoted.strip(), raw=payload)
