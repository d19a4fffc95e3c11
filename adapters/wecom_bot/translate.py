"""A smart-robot callback's JSON → bot.message.Message. Nothing past this module sees it."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.message import Kind, Message

CHANNEL = "wecom_bot"
_MENTION = re.compile(r"^\s*(?:@\S+\s*)+")


def _text_of(part: dict[str, Any]) -> str:
    """Text of a text / mixed / voice payload part."""
    kind = part.get("msgtype")
    if kind == "text":
        return str((part.get("text") or {}).get("content") or "")
    if kind == "voice":
        return str((part.get("voice") or {}).get("content") or "")     # WeCom sends the transcript
    if kind == "mixed":
        items = (part.get("mixed") or {}).get("msg_item") or []
        return "".join(_text_of(i) for i in items if isinstance(i, dict))
    return ""


def _images_of(part: dict[str, Any]) -> list[str]:
    if part.get("msgtype") == "image":
        return [str((part.get("image") or {}).get("url") or "")]
    if part.get("msgtype") == "mixed":
        items = (part.get("mixed") or {}).get("msg_item") or []
        return [str((i.get("image") or {}).get("url") or "") for i in items
                if isinstance(i, dict) and i.get("msgtype") == "image"]
    return []


def to_message(payload: dict[str, Any], now: datetime) -> Message | None:
    """None for what is not a person's message (stream refreshes, events, unknown types)."""
    kind = payload.get("msgtype")
    sender = payload.get("from") or {}
    user = str(sender.get("userid") or "") if isinstance(sender, dict) else ""
    if kind not in ("text", "mixed", "voice", "image") or not user:
        return None
    group = payload.get("chattype") == "group"
    text = _text_of(payload)
    if group:
        text = _MENTION.sub("", text)          # the @-mention of the robot itself
    quote = payload.get("quote")
    quoted = _text_of(quote) if isinstance(quote, dict) else ""
    images = _images_of(payload)
    return Message(channel=CHANNEL, user=user, kind=Kind.IMAGE if kind == "image" else Kind.TEXT,
                   text=text.strip(), msg_id=str(payload.get("msgid") or ""), created_at=now,
                   url=images[0] if images else "", chat=str(payload.get("chatid") or "") if group else "",
                   mentioned=group, quoted=quoted.strip(), raw=payload)
