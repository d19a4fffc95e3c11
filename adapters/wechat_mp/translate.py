"""WeChat's messages and events → the channel-neutral `Message`, with a small type registry
(after wechatpy's own `@register_message`). A type we do not know becomes None: the callback
answers `success` and nothing is handled."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.message import EventType, Kind, Location, Message

CHANNEL = "wechat_mp"
Builder = Callable[[Any, dict[str, Any]], dict[str, Any] | None]
_BUILDERS: dict[str, Builder] = {}


def builds(*types: str) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        for t in types:
            _BUILDERS[t] = fn
        return fn
    return register


def translate(msg: Any, fields: dict[str, Any]) -> Message | None:
    kind = msg.type if msg.type != "event" else "event:" + str(getattr(msg, "event", "")).lower()
    if msg.type == "unknown":          # wechatpy leaves these unparsed; read them from the XML
        kind = "event:" + str(fields.get("Event", "")).lower() if fields.get("MsgType") == "event" \
            else str(fields.get("MsgType", "")).lower()
    build = _BUILDERS.get(kind)
    parts = build(msg, fields) if build else None
    if parts is None:
        return None
    user = str(fields.get("FromUserName", ""))
    created = _created(fields.get("CreateTime"))
    # messages carry MsgId; events do not (wechatpy gives 0): FromUserName + CreateTime names them
    msg_id = str(fields.get("MsgId") or fields.get("MsgID") or "") if parts.get("kind") is not Kind.EVENT else ""
    if not msg_id:
        # (plus the event and its key: two different clicks within one second are two events)
        event = parts.get("event")
        msg_id = f"ev:{user}:{fields.get('CreateTime', '')}:{event.value if event else ''}:{parts.get('event_key', '')}"
    return Message(channel=CHANNEL, user=user, msg_id=msg_id, created_at=created, raw=fields, **parts)


def _created(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


@builds("text")
def _text_msg(msg, fields):
    return {"kind": Kind.TEXT, "text": _text(msg.content)}


@builds("voice")
def _voice(msg, fields):
    # recognition is being retired and mostly arrives empty: the media id is kept either way
    return {"kind": Kind.VOICE, "text": _text(msg.recognition).strip(), "media_id": _text(msg.media_id)}


@builds("image")
def _image(msg, fields):
    return {"kind": Kind.IMAGE, "media_id": _text(msg.media_id), "url": _text(msg.image)}


@builds("video", "shortvideo")
def _video(msg, fields):
    return {"kind": Kind.VIDEO, "media_id": _text(msg.media_id)}


@builds("location")
def _location(msg, fields):
    try:
        loc = Location(lat=float(msg.location_x), lng=float(msg.location_y), label=_text(msg.label))
    except (TypeError, ValueError):
        return None
    return {"kind": Kind.LOCATION, "location": loc, "text": loc.label}


@builds("link")
def _link(msg, fields):
    words = " ".join(t for t in (_text(msg.title), _text(msg.description)) if t)
    return {"kind": Kind.LINK, "text": words, "url": _text(msg.url)}


def _event(event: EventType, key: str = "", **more: Any) -> dict[str, Any]:
    return {"kind": Kind.EVENT, "event": event, "event_key": key[:64], **more}


@builds("event:subscribe")
def _subscribe(msg, fields):
    return _event(EventType.FOLLOW)


@builds("event:subscribe_scan")
def _subscribe_scan(msg, fields):
    # a new follower scanned a dispute code: wechatpy has already stripped "qrscene_"
    return _event(EventType.FOLLOW, _text(msg.scene_id))


@builds("event:scan")
def _scan(msg, fields):
    return _event(EventType.SCAN, _text(msg.scene_id))


@builds("event:unsubscribe")
def _unsubscribe(msg, fields):
    return _event(EventType.UNFOLLOW)


@builds("event:click")
def _click(msg, fields):
    return _event(EventType.MENU, _text(msg.key))


@builds("event:location")
def _location_event(msg, fields):
    try:
        loc = Location(lat=float(msg.latitude), lng=float(msg.longitude))
    except (TypeError, ValueError):
        return None
    return _event(EventType.LOCATION_REPORT, location=loc)


@builds("event:subscribe_msg_popup_event", "event:subscribe_msg_change_event")
def _consent(msg, fields):
    """Consent to subscription messages. event_key: "accept:ID1,ID2;reject:ID3"."""
    box = fields.get("SubscribeMsgPopupEvent") or fields.get("SubscribeMsgChangeEvent") or {}
    items = box.get("List") if isinstance(box, dict) else None
    items = items if isinstance(items, list) else [items] if isinstance(items, dict) else []
    accepted, rejected = [], []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("TemplateId"), str):
            continue
        status = item.get("SubscribeStatusString")
        (accepted if status == "accept" else rejected).append(item["TemplateId"][:64])
    if not accepted and not rejected:
        return None
    key = "accept:" + ",".join(accepted) + ";reject:" + ",".join(rejected)
    return {"kind": Kind.EVENT, "event": EventType.CONSENT, "event_key": "", "text": key}
