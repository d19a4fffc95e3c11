"""The channel-neutral message model. Adapters build these; handlers only ever see these."""
from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Kind(str, enum.Enum):
    TEXT = "text"
    VOICE = "voice"
    IMAGE = "image"
    VIDEO = "video"
    LOCATION = "location"
    LINK = "link"
    EVENT = "event"


class EventType(str, enum.Enum):
    FOLLOW = "follow"                # subscribed to the account
    UNFOLLOW = "unfollow"
    SCAN = "scan"                    # a dispute code: event_key holds the place code
    MENU = "menu"                    # a menu click: event_key holds the menu key
    CONSENT = "consent"              # agreed to subscription messages
    LOCATION_REPORT = "location_report"
    OPEN = "open"                    # the web chat was opened
    INVITE = "invite"                # a party opened their mediation invitation: event_key holds the token


_ID_FIELDS = {"user": 128, "msg_id": 128, "chat": 128, "event_key": 64, "media_id": 256, "url": 1024,
              "sender_name": 64}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """What every store can keep: no NUL or other control characters, no lone surrogates
    (PostgreSQL refuses both, and a refused message would be a lost one)."""
    if not value:
        return value
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return _CONTROL.sub("", value)


@dataclass(frozen=True)
class Location:
    lat: float
    lng: float
    label: str = ""

    def __post_init__(self) -> None:
        # a point on the globe or no location at all (nan and inf passed float() at the edge)
        if not (math.isfinite(self.lat) and math.isfinite(self.lng) and -90 <= self.lat <= 90
                and -180 <= self.lng <= 180):
            raise ValueError("coordinates off the globe")


@dataclass(frozen=True)
class Message:
    """Something a person sent to the bot, on any channel."""
    channel: str                      # "console", "web", "wechat_mp", "wecom_app", ...
    user: str                         # the channel's id of the sender
    kind: Kind = Kind.TEXT
    text: str = ""                    # text, or voice recognition, or link title
    msg_id: str = ""                  # the channel's id, for dedupe and the ledger
    created_at: datetime | None = None
    media_id: str = ""                # voice / image / video
    url: str = ""                     # image or link URL
    location: Location | None = None
    event: EventType | None = None
    event_key: str = ""
    chat: str = ""                    # a group chat id; empty for a private chat
    mentioned: bool = False           # the bot was @-mentioned in a group
    quoted: str = ""                  # words the sender quoted or forwarded (a group post relayed)
    sender_name: str = ""             # the sender's display name, where the channel gives it
    raw: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        # cleaned once, here, whichever adapter built the message; ids bounded (only a hostile
        # sender has longer ones)
        for name in ("user", "text", "msg_id", "media_id", "url", "event_key", "chat", "quoted", "sender_name"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise TypeError(f"Message.{name} must be a string, not {type(value).__name__}")
            cleaned = clean_text(value)
            if name in _ID_FIELDS:
                cleaned = cleaned[:_ID_FIELDS[name]]
            if cleaned is not value:
                object.__setattr__(self, name, cleaned)

    @property
    def conversation_key(self) -> str:
        return f"{self.channel}:{self.user}"

    @property
    def is_event(self) -> bool:
        return self.kind is Kind.EVENT


@dataclass(frozen=True)
class Reply:
    """What the bot says back. `options` are suggested quick answers (buttons where the channel has them)."""
    text: str
    options: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Push:
    """A message the bot starts: a case update to a resident, an assignment to staff."""
    channel: str
    user: str
    text: str
    case_number: str = ""
    kind: str = "update"              # update | final | assignment | alert | reminder
    key: str = ""                     # idempotency key: the same key is delivered once


def message_to_json(message: Message) -> dict[str, Any]:
    """A message as the inbox keeps it: every field but the channel's raw payload."""
    return {"channel": message.channel, "user": message.user, "kind": message.kind.value, "text": message.text,
            "msg_id": message.msg_id, "created_at": message.created_at.isoformat() if message.created_at else None,
            "media_id": message.media_id, "url": message.url,
            "location": ({"lat": message.location.lat, "lng": message.location.lng, "label": message.location.label}
                         if message.location else None),
            "event": message.event.value if message.event else None, "event_key": message.event_key,
            "chat": message.chat, "mentioned": message.mentioned, "quoted": message.quoted,
            "sender_name": message.sender_name}


def message_from_json(data: dict[str, Any]) -> Message:
    loc = data.get("location")
    created = data.get("created_at")
    return Message(channel=data["channel"], user=data["user"], kind=Kind(data.get("kind", "text")),
                   text=data.get("text", ""), msg_id=data.get("msg_id", ""),
                   created_at=datetime.fromisoformat(created) if created else None,
                   media_id=data.get("media_id", ""), url=data.get("url", ""),
                   location=Location(loc["lat"], loc["lng"], loc.get("label", "")) if loc else None,
                   event=EventType(data["event"]) if data.get("event") else None,
                   event_key=data.get("event_key", ""), chat=data.get("chat", ""),
                   mentioned=bool(data.get("mentioned")), quoted=data.get("quoted", ""),
                   sender_name=data.get("sender_name", ""))
