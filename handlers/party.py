"""A party to a mediation in their own chat (the respondent, invited by the mediator): redeeming
the invitation (a link's token, or "邀请码 XXXXXXXXXX" typed in any resident channel), then
their side of the story and their consent, which go to the ledger and to the case's staff.

A party never reads the other side's contact or words: this router answers from the party's
own record only, and the resident router's progress view stays the reporter's.
"""
from __future__ import annotations

import re
from typing import Any

from bot import mediation
from bot.context import AppContext
from bot.conversation import Conversation
from bot.dispatcher import Answer, Router
from bot.filters import EventIs, KindIs
from bot.lifecycle import case_status_name
from bot.message import EventType, Kind, Message
from bot.middlewares import Turn
from bot.uow import UnitOfWork
from nlp import normalize
from nlp.intents import asks_progress, is_cancel
from storage.cases import canonical_number

router = Router("party", lambda m, d: m.channel != d["ctx"].staff_channel and not m.chat)
_CODE = re.compile(rf"邀请码\s*[:：]?\s*([A-Za-z0-9]{{{mediation.TOKEN_LENGTH}}})\b")
_TOKEN = re.compile(rf"^[A-Za-z0-9]{{{mediation.TOKEN_LENGTH}}}$")


async def _join(ctx: AppContext, uow: UnitOfWork, conv: Conversation, message: Message, turn: Turn,
                token: str) -> str:
    if not _TOKEN.match(token):
        return "这个邀请链接不完整，请从调解员发来的链接重新打开，或发送：邀请码 加上10位邀请码。"
    text, case = await mediation.join(ctx, uow, token, message.channel, message.user)
    if case is not None:
        if conv.draft is not None and not conv.draft.case_number:
            text += "\n（您之前正在填写的反映已放下，需要时可以重新反映。）"
        conv.finish()
        parties = await (await mediation.store_of(uow)).parties_of_chat(message.channel, message.user)
        conv.party_case, conv.party_id = case.number, next(p.id for p in parties if p.case_id == case.id)
        turn.case_numbers.add(case.number)
    return text


@router.message(EventIs(EventType.INVITE))
async def on_invite(message: Message, ctx: AppContext, conversation: Conversation, uow: UnitOfWork, turn: Turn) -> Answer:
    return await _join(ctx, uow, conversation, message, turn, message.event_key.strip())


@router.message(KindIs(Kind.TEXT), lambda m: bool(_CODE.search(m.text or "")))
async def on_code(message: Message, ctx: AppContext, conversation: Conversation, uow: UnitOfWork, turn: Turn) -> Answer:
    found = _CODE.search(message.text)
    return await _join(ctx, uow, conversation, message, turn, found.group(1).upper() if found else "")


def _speaking_as_party(message: Message, data: dict[str, Any]) -> bool:
    conv: Conversation | None = data.get("conversation")
    return bool(conv and conv.party_case and conv.party_id and (conv.draft is None) and message.text.strip())


@router.message(KindIs(Kind.TEXT, Kind.VOICE), _speaking_as_party)
async def on_party_words(message: Message, ctx: AppContext, conversation: Conversation, uow: UnitOfWork,
                         turn: Turn) -> Answer:
    store = await mediation.store_of(uow)
    party = await store.party(conversation.party_id or 0)
    cases = await uow.cases()
    case = await cases.get(conversation.party_case or "")
    if party is None or case is None or (party.channel, party.user) != (message.channel, message.user):
        conversation.party_case = conversation.party_id = None      # the binding is gone: an ordinary chat again
        return "这个对话已不再关联调解案件。如需参加调解，请联系调解员重新邀请。"
    turn.case_numbers.add(case.number)
    text = normalize(message.text)
    if is_cancel(text) or text.strip() in ("退出", "退出调解对话"):
        conversation.party_case = conversation.party_id = None
        return (f"好的，已退出案件 {case.number} 的调解对话。调解的通知仍会发到这里；"
                "要再对调解员说话，请重新打开邀请链接或联系调解员。")
    if canonical_number(text, ctx.settings.case_number_prefix) or asks_progress(text):
        sessions = [s for s in await store.sessions(case.id) if s.starts_at and s.starts_at > uow.now]
        nxt = (f"下次调解会：{mediation.local_time(ctx, sessions[0].starts_at)}，"
               f"{sessions[0].video_url or sessions[0].place}。") if sessions else "调解会时间确定后会在这里通知您。"
        status = case_status_name(case)
        return f"案件 {case.number}（您是{mediation.ROLE_NAMES.get(party.role)}）：{status}。{nxt}"
    return await mediation.party_says(ctx, uow, party, case, message.text, message.conversation_key)
