"""Following and consent, for any channel that has them: an unfollow stops pushes (the cases
stay and go on), consent to subscription messages is counted per template (each "accept" is
one message WeChat lets us send outside the customer-service window). The handlers record
them (handlers/subscriptions.py); channels read them when they push."""
from __future__ import annotations

from bot.context import AppContext

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


async def mark_unfollowed(ctx: AppContext, channel: str, user: str) -> None:
    await ctx.state.set(_unfollowed_key(channel, user), True, ttl=FLAG_TTL)


async def add_consent(ctx: AppContext, channel: str, user: str, template: str) -> None:
    await ctx.state.incr(_consent_key(channel, user, template), 1, ttl=FLAG_TTL)


async def withdraw_consent(ctx: AppContext, channel: str, user: str, template: str) -> None:
    await ctx.state.delete(_consent_key(channel, user, template))
