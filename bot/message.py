"""The channel-neutral message model. Adapters build these; handlers only ever see these."""
from __future__ import annotations

import enum
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


@dataclass(frozen=True)
class Location:
    lat: float
    lng: float
    label: str = ""


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
