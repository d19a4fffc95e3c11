"""Voice without recognised text, pictures and shared locations: kept as material of the
report being written, or of the resident's latest open case."""
from __future__ import annotations

import math

from bot.context import AppContext
from bot.conversation import DESCRIBE, Conversation
from bot.dispatcher import Answer, Router
from bot.filters import KindIs
from bot.message import Kind, Message
from bot.middlewares import Turn
from bot.uow import UnitOfWork
from handlers import texts
from handlers.intake import Intake
from storage.lifecycle import EventKind
from storage.registry import Registry

router = Router("media")
WHAT = {Kind.VOICE: "语音", Kind.IMAGE: "图片", Kind.VIDEO: "视频"}


async def _attach(ctx: AppContext, uow: UnitOfWork, conv: Conversation, message: Message, turn: Turn) -> str:
    item = {"kind": message.kind.value, "media_id": message.media_id, "url": message.url,
            "at": uow.now.isoformat()}
    if conv.draft is not None and not conv.draft.case_number:
        conv.draft.media.append(item)
        return "正在填写的反映"
    store = await uow.cases()
    number = conv.draft.case_number if conv.draft else None
    case = await store.get(number) if number else None
    if case is None:
        open_cases = await store.by_reporter(message.channel, message.user, open_only=True, limit=1)
        case = open_cases[0] if open_cases else None
    if case is None:
        return ""
    case.media = [*case.media, item]
    await store.event(case, EventKind.EVIDENCE, message.conversation_key, **item)
    turn.case_numbers.add(case.number)
    return f"案件 {case.number}"


@router.message(KindIs(Kind.VOICE, Kind.IMAGE, Kind.VIDEO), lambda m: not m.text.strip())
async def on_media(message: Message, ctx: AppContext, conversation: Conversation, uow: UnitOfWork, turn: Turn) -> Answer:
    if message.kind is Kind.VOICE and conversation.draft is None:
        conversation.start(uow.now)       # a voice message is the start of a report
        conversation.step = DESCRIBE
    target = await _attach(ctx, uow, conversation, message, turn)
    if message.kind is Kind.VOICE:
        return texts.VOICE_NO_TEXT
    if not target:
        return f"收到{WHAT[message.kind]}。请先用文字说说遇到了什么纠纷，图片会作为材料附上。"
    return texts.MEDIA_SAVED.format(what=WHAT[message.kind], target=target)


def nearest_place(registry: Registry, lat: float, lng: float, max_km: float = 5.0) -> str | None:
    best, best_km = None, max_km
    for p in registry.places.values():
        if p.lat is None or p.lng is None:
            continue
        km = _haversine(lat, lng, p.lat, p.lng)
        if km < best_km:
            best, best_km = p.code, km
    return best


def _haversine(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


@router.message(KindIs(Kind.LOCATION))
async def on_location(message: Message, ctx: AppContext, conversation: Conversation, uow: UnitOfWork, turn: Turn) -> Answer:
    loc = message.location
    code = nearest_place(ctx.registry, loc.lat, loc.lng) if loc else None
    if code is None and loc and loc.label:
        matches = ctx.nlp.match_places(loc.label)
        code = matches[0].code if matches and matches[0].score >= 60 else None
    if code is None:
        return "收到位置，但没能对应到本县的村（社区）。请直接说一下村（社区）名。"
    where = f"收到位置：{ctx.registry.full_name(code)}。"
    if conversation.draft is None:
        conversation.start(uow.now).place_code = code
        conversation.step = DESCRIBE
        return where + texts.ASK_DESCRIBE
    conversation.draft.place_code = code
    conversation.draft.place_options = []
    replies = await Intake(ctx, uow, conversation, message, turn).next_step()
    return [where] + replies
