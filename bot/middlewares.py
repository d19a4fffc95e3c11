"""Middlewares: the onion every message passes through, outermost first:
errors → logging → dedupe → conversation (lock, state, expiry) → unit of work → ledger."""
from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Awaitable, Callable

from bot.conversation import Conversation
from bot.dispatcher import UNHANDLED, as_replies
from bot.message import Message, Reply

Next = Callable[[Message, dict[str, Any]], Awaitable[Any]]
log = logging.getLogger("jiefen.dispatch")

SORRY = "抱歉，系统刚才出了点问题。您的消息已经记下，工作人员会跟进；也可以稍后再发一次。"
CONVERSATION_TTL = 7 * 24 * 3600      # remember a conversation a week after its last message
DEDUPE_TTL = 24 * 3600


@dataclass
class Turn:
    """What one message did, for the ledger: the cases it concerned."""
    case_numbers: set[str] = field(default_factory=set)
    expired_draft: Any = None


def user_tag(message: Message) -> str:
    """A stable pseudonym for logs: the channel's user id is personal data."""
    return hashlib.sha1(message.conversation_key.encode()).hexdigest()[:10]


async def errors(handler: Next, message: Message, data: dict[str, Any]) -> Any:
    try:
        return await handler(message, data)
    except Exception:
        log.exception("handling a %s message from %s failed", message.kind.value, user_tag(message))
        ctx = data["ctx"]
        try:   # keep the message: a person's words are never dropped because of our bug
            await ctx.state.push("failed_messages", {"channel": message.channel, "user": message.user,
                                                     "kind": message.kind.value, "text": message.text,
                                                     "msg_id": message.msg_id,
                                                     "at": ctx.clock.now().isoformat()})
        except Exception:
            log.exception("could not keep the failed message")
        return Reply(SORRY)


async def logging_mw(handler: Next, message: Message, data: dict[str, Any]) -> Any:
    started = time.perf_counter()
    result = await handler(message, data)
    log.info("%s %s from %s: %d chars → %s in %.1f ms", message.channel, message.kind.value, user_tag(message),
             len(message.text), data["meta"].get("handler", "-"), (time.perf_counter() - started) * 1000)
    return result


async def dedupe(handler: Next, message: Message, data: dict[str, Any]) -> Any:
    """A message seen before (a channel's retry) is handled once; a retry after the answer
    gets the same answer; a retry while the first copy is still being handled waits for it."""
    if not message.msg_id:
        return await handler(message, data)
    state = data["ctx"].state
    key = f"seen:{message.channel}:{message.msg_id}"
    if await state.add(key, {"done": False}, ttl=DEDUPE_TTL):
        try:
            result = await handler(message, data)
        except BaseException:
            await state.delete(key)
            raise
        replies = as_replies(result)
        await state.set(key, {"done": True, "replies": [r.text for r in replies]}, ttl=DEDUPE_TTL)
        return replies
    data["duplicate"] = True
    deadline = time.monotonic() + data.get("dedupe_wait", 10.0)
    while time.monotonic() < deadline:
        seen = await state.get(key)
        if seen is None:                      # the first copy failed: handle this one
            return await dedupe(handler, message, data)
        if seen.get("done"):
            return [Reply(t) for t in seen["replies"]]
        await asyncio.sleep(0.02)
    return []


async def conversation(handler: Next, message: Message, data: dict[str, Any]) -> Any:
    """Serialise one person's messages, load their conversation, expire a stale draft, save."""
    ctx = data["ctx"]
    key = "conv:" + message.conversation_key
    async with ctx.state.lock(key, ttl=30, wait=20):
        conv = Conversation.from_json(await ctx.state.get(key))
        turn = Turn()
        now = ctx.clock.now()
        idle = conv.idle_since()
        if conv.draft and idle and now - idle > timedelta(minutes=ctx.settings.draft_ttl_minutes) \
                and not conv.draft.case_number:
            turn.expired_draft = conv.draft
            conv.finish()
        data.update(conversation=conv, turn=turn)
        result = await handler(message, data)
        conv.updated_at = now.isoformat()
        await ctx.state.set(key, conv.to_json(), ttl=CONVERSATION_TTL)
        return result


async def unit_of_work(handler: Next, message: Message, data: dict[str, Any]) -> Any:
    async with data["ctx"].uow() as uow:
        data["uow"] = uow
        return await handler(message, data)


async def ledger(handler: Next, message: Message, data: dict[str, Any]) -> Any:
    """Every message in and out goes to the ledger: the open draft's history, or the cases the
    message concerned."""
    result = await handler(message, data)
    if result is UNHANDLED:
        return result
    replies = as_replies(result)
    conv: Conversation = data["conversation"]
    turn: Turn = data["turn"]
    now = data["uow"].now.isoformat()
    incoming = {"channel": message.channel, "kind": message.kind.value, "text": message.text,
                "msg_id": message.msg_id, "media_id": message.media_id}
    if message.event:
        incoming.update(event=message.event.value, key=message.event_key)
    if message.chat:
        incoming.update(chat=message.chat, quoted=message.quoted)
    outgoing = [{"channel": message.channel, "text": r.text} for r in replies]
    if conv.draft is not None and not conv.draft.case_number:
        conv.draft.history.append([now, "message_in", incoming])
        conv.draft.history += [[now, "message_out", o] for o in outgoing]
    numbers = set(turn.case_numbers) | ({conv.draft.case_number} if conv.draft and conv.draft.case_number else set())
    if numbers:
        store = await data["uow"].cases()
        actor = message.conversation_key
        for number in sorted(numbers):
            case = await store.get(number)
            if case is None:
                continue
            await store.event(case, "message_in", actor, **incoming)
            for o in outgoing:
                await store.event(case, "message_out", "bot", **o)
    return replies


def install(dispatcher) -> None:
    for mw in (errors, logging_mw, dedupe, conversation, unit_of_work, ledger):
        dispatcher.middleware(mw)

