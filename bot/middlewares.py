"""Middlewares: the onion every message passes through, outermost first:
errors → logging → person lock → unit of work → inbox commit → conversation → ledger.

Deduplication is not here: the inbox (bot/inbox.py) writes each message once, by its
channel's id, before anything else happens, and hands a retry the first copy's answer.
"""
from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.conversation import CONFIRM, CONTACT, PLACE, Conversation
from bot.dispatcher import UNHANDLED, Dispatcher, as_replies
from bot.inbox import SORRY, Claim, Waiter, is_transient, push_replies, replies_json
from bot.message import EventType, Message, Reply
from bot.privacy import redact_secrets
from nlp.intents import is_confirm
from storage.inbox import InboxStore, LostClaim
from storage.lifecycle import EventKind
from storage.outbox import release_held

Next = Callable[[Message, dict[str, Any]], Awaitable[Any]]
log = logging.getLogger("jiefen.dispatch")

LOCK_TTL = 30
LOCK_WAIT = 20


@dataclass
class Turn:
    """What one message did, for the ledger: the cases it concerned."""
    case_numbers: set[str] = field(default_factory=set)
    expired_draft: Any = None


def user_tag(message: Message) -> str:
    """A stable pseudonym for logs: the channel's user id is personal data."""
    return hashlib.sha1(message.conversation_key.encode()).hexdigest()[:10]


async def errors(handler: Next, message: Message, data: dict[str, Any]) -> Any:
    """A bug answers with an apology (the inbox keeps the message and tries again later); an
    outage of the database or the state store is not answered at all: the inbox raises it
    to the channel, which answers non-200 so the message comes back."""
    try:
        return await handler(message, data)
    except Exception as exc:
        if is_transient(exc) or isinstance(exc, LostClaim):   # not a bug: the inbox deals with these
            raise
        log.exception("handling a %s message from %s failed", message.kind.value, user_tag(message))
        data["meta"]["failed"] = exc
        return Reply(SORRY)


async def logging_mw(handler: Next, message: Message, data: dict[str, Any]) -> Any:
    started = time.perf_counter()
    result = await handler(message, data)
    log.info("%s %s from %s: %d chars → %s in %.1f ms", message.channel, message.kind.value, user_tag(message),
             len(message.text), data["meta"].get("handler", "-"), (time.perf_counter() - started) * 1000)
    return result


async def person_lock(handler: Next, message: Message, data: dict[str, Any]) -> Any:
    """One person's messages one at a time, whichever worker holds them. The wait is a third of
    the inbox lease at most: a handling must not outlive its claim on the message."""
    ctx = data["ctx"]
    wait = min(LOCK_WAIT, ctx.settings.inbox_lease / 3)
    async with ctx.state.lock("conv:" + message.conversation_key, ttl=LOCK_TTL, wait=wait):
        return await handler(message, data)


async def unit_of_work(handler: Next, message: Message, data: dict[str, Any]) -> Any:
    async with data["ctx"].uow() as uow:
        data["uow"] = uow
        return await handler(message, data)


async def inbox_commit(handler: Next, message: Message, data: dict[str, Any]) -> Any:
    """The inbox row is marked done in the transaction that holds the handling's effects; the
    replies go to the waiting request, or — when it has gone — through the outbox."""
    result = await handler(message, data)
    claim: Claim | None = data.get("inbox")
    if claim is None:
        return result
    # a message no handler takes (a text of spaces) is done all the same, with no reply: left
    # "handling", it was claimed again every lease for ever, ahead of the person's next words
    replies = [] if result is UNHANDLED else as_replies(result)
    uow = data["uow"]
    waiter: Waiter | None = data.get("waiter")
    answering = waiter is not None and waiter.take_answer()
    if not answering:
        await push_replies(data["ctx"], uow, message, replies, claim.key)
    session = await uow.session()
    await InboxStore.finish(session, claim.id, claim.token, replies_json(replies), uow.now, pushed=not answering)
    if message.event is not EventType.UNFOLLOW:
        # the person spoke, so they can be reached again: what was held for them (a closed
        # WeChat window, a closed web page) is due, in this transaction (no second one per message)
        uow.released += await release_held(await session.connection(), message.channel, message.user, uow.now)
    return result if result is UNHANDLED else replies


# a short answer (a place, a phone), not a new story
_SHORT_ANSWER = 20


async def _answers_the_question(ctx: Any, conv: Conversation, message: Message) -> bool:
    """Whether the message is the answer to the question the draft waits on: a place to "哪个
    村？", a phone to "留个电话", "确认" to the summary: the elder who went to cook and came
    back with it."""
    text = (message.text or "").strip()
    if not text or len(text) > _SHORT_ANSWER:
        return False
    if conv.step == CONFIRM:
        return is_confirm(text)
    if conv.step not in (PLACE, CONTACT) or ctx.reader is None:
        return False
    reading = await ctx.reader.read(text)
    return bool(reading.places) if conv.step == PLACE else bool(reading.phones)


async def conversation(handler: Next, message: Message, data: dict[str, Any]) -> Any:
    """Load the person's conversation in the message's transaction, expire a stale draft, save."""
    ctx, uow = data["ctx"], data["uow"]
    store = await uow.conversations()
    conv = Conversation.from_json(await store.load(message.conversation_key))
    turn = Turn()
    now = uow.now
    idle = conv.idle_since()
    if conv.draft and idle and now - idle > timedelta(minutes=ctx.settings.draft_ttl_minutes) \
            and not conv.draft.case_number and not conv.awaits_safety \
            and not (now - idle <= timedelta(hours=ctx.settings.draft_resume_hours)
                     and await _answers_the_question(ctx, conv, message)):
        # those waiting on the safety question become cases (handlers/attention); a draft whose
        # pending question is answered now ("桃源村" an hour after "哪个村？") goes on
        turn.expired_draft = conv.draft
        conv.finish()
    data.update(conversation=conv, turn=turn)
    result = await handler(message, data)
    conv.updated_at = now.isoformat()
    await store.save(message.conversation_key, None if conv.is_empty else conv.to_json(), now,
                     attention=conv.awaits_safety)
    return result


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
    # an invitation's or a document link's token never reaches the ledger (bot/privacy.py)
    incoming = {"channel": message.channel, "kind": message.kind.value, "text": redact_secrets(message.text),
                "msg_id": message.msg_id, "media_id": message.media_id}
    if message.event:
        key = message.event_key[:2] + "…" if message.event is EventType.INVITE else message.event_key
        incoming.update(event=message.event.value, key=key)
    if message.chat:
        incoming.update(chat=message.chat, quoted=message.quoted)
    outgoing = [{"channel": message.channel, "text": redact_secrets(r.text)} for r in replies]
    if conv.draft is not None and not conv.draft.case_number:
        conv.draft.history.append([now, "message_in", incoming])
        conv.draft.history += [[now, "message_out", o] for o in outgoing]
    numbers = set(turn.case_numbers)
    if not numbers and not message.chat and conv.draft is not None and conv.draft.case_number:
        # additions to an urgent case or the answer to a relay's private question; a group post or
        # a forward is about its own case (a pending question took every later post of the poster
        # into the asking case's ledger, other towns' reports and all)
        numbers.add(conv.draft.case_number)
    if numbers:
        store = await data["uow"].cases()
        actor = message.conversation_key
        for number in sorted(numbers):
            case = await store.get(number)
            if case is None:
                continue
            await store.event(case, EventKind.MESSAGE_IN, actor, **incoming)
            for o in outgoing:
                await store.event(case, EventKind.MESSAGE_OUT, "bot", **o)
    return replies


def install(dispatcher: Dispatcher) -> None:
    for mw in (errors, logging_mw, person_lock, unit_of_work, inbox_commit, conversation, ledger):
        dispatcher.middleware(mw)

