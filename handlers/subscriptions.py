"""Following and consent, for any channel that has them: an unfollow stops pushes (the cases
stay and go on), consent to subscription messages is counted per template (each "accept" is
one message WeChat lets us send outside the customer-service window). Also: a voice message
whose words were recognised is read as words, and the recording is kept with the report."""
from __future__ import annotations

from bot.context import AppContext
from bot.dispatcher import Router
from bot.conversation import Conversation
from bot.filters import EventIs, KindIs
from bot.message import EventType, Kind, Message
from bot.middlewares import Turn
from bot.uow import UnitOfWork
from handlers import media, resident

router = Router("subscriptions")
FLAG_TTL = 400 * 24 * 3600


def _unfollowed_key(channel: str, user: str) -> str:
    return f"unfollowed:{channel}:{user}"


def _consent_key(channel: str, user: str, template: str) -> str:
    return f"consent:{channel}:{user}:{template}"


async def is_unfollowed(ctx: AppContext, channel: str, user: str) -> bool:
    return bool(await ctx.state.get(_unfollowed_key(channel, user)))


async def mark_following(ctx: AppContext, channel: str, user: str) -> None:
    """Anyone who writes to us follows us (again)."""
    await ctx.state.delete(_unfollowed_key(channel, user))


async def consents(ctx: AppContext, channel: str, user: str, template: str) -> int:
    return int(await ctx.state.get(_consent_key(channel, user, template)) or 0)


async def take_consent(ctx: AppContext, channel: str, user: str, template: str) -> bool:
    """Use one consent; False when none is left (a concurrent sender took the last one)."""
    left = await ctx.state.incr(_consent_key(channel, user, template), -1)
    if left < 0:
        await ctx.state.incr(_consent_key(channel, user, template), 1)
        return False
    return True


async def give_back_consent(ctx: AppContext, channel: str, user: str, template: str) -> None:
    await ctx.state.incr(_consent_key(channel, user, template), 1)


@router.message(EventIs(EventType.UNFOLLOW))
async def on_unfollow(message: Message, ctx: AppContext):
    await ctx.state.set(_unfollowed_key(message.channel, message.user), True, ttl=FLAG_TTL)
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
        await ctx.state.incr(_consent_key(message.channel, message.user, template), 1, ttl=FLAG_TTL)
    for template in rejected:          # the resident withdrew: none of this template any more
        await ctx.state.delete(_consent_key(message.channel, message.user, template))
    return "好的，案件有进展时会通过服务通知告诉您。" if accepted else []


@router.message(KindIs(Kind.VOICE), lambda m: bool(m.text.strip() and m.media_id and not m.chat))
async def on_recognised_voice(message: Message, ctx: AppContext, conversation: Conversation, uow: UnitOfWork,
                              turn: Turn):
    """The recognition text goes through the intake like typed words; the recording itself is
    evidence of the draft or case those words went to (recognition can be wrong)."""
    replies = await resident.on_words(message=message, ctx=ctx, conversation=conversation, uow=uow, turn=turn)
    await media._attach(ctx, uow, conversation, message, turn)
    return replies
