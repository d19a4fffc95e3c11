"""The events of following and consent (what they mean is kept in bot/subscriptions.py), and
a voice message whose words were recognised: read as words, the recording kept with the report."""
from __future__ import annotations

from typing import Any

from bot import subscriptions
from bot.context import AppContext
from bot.dispatcher import UNHANDLED, Router
from bot.filters import EventIs, KindIs
from bot.message import EventType, Kind, Message
from handlers import media, resident

router = Router("subscriptions")


@router.message(EventIs(EventType.UNFOLLOW))
async def on_unfollow(message: Message, ctx: AppContext):
    await subscriptions.mark_unfollowed(ctx, message.channel, message.user)
    return []                     # nobody to answer: the resident has left


def parse_consent(text: str) -> tuple[list[str], list[str]]:
    """"accept:A,B;reject:C" → (["A", "B"], ["C"])."""
    parts = dict(p.split(":", 1) for p in text.split(";") if ":" in p)
    split = lambda v: [t for t in v.split(",") if t]  # noqa: E731
    return split(parts.get("accept", "")), split(parts.get("reject", ""))


@router.message(EventIs(EventType.CONSENT))
async def on_consent(message: Message, ctx: AppContext):
    accepted, rejected = parse_consent(message.text)
    for template in accepted:
        await subscriptions.add_consent(ctx, message.channel, message.user, template)
    for template in rejected:          # the resident withdrew: none of this template any more
        await subscriptions.withdraw_consent(ctx, message.channel, message.user, template)
    return "好的，案件有进展时会通过服务通知告诉您。" if accepted else []


@router.message(KindIs(Kind.VOICE), lambda m: bool(m.text.strip() and m.media_id and not m.chat))
async def on_recognised_voice(message: Message, **data: Any):
    """The recognition text goes through the resident's router like typed words; the recording
    itself is evidence of the draft or case those words went to (recognition can be wrong)."""
    replies = await resident.router.propagate(message, data)
    await media._attach(data["ctx"], data["uow"], data["conversation"], message, data["turn"])
    return [] if replies is UNHANDLED else replies
