"""The resident's router: control words first (cancel, progress, help), then the intake."""
from __future__ import annotations

from bot.context import AppContext
from bot import rating
from bot.conversation import CONFIRM, CONTACT, DESCRIBE, PARTY, PLACE, RATE, Conversation
from bot.dispatcher import Router
from bot.filters import EventIs, KindIs
from bot.message import EventType, Kind, Message
from bot.middlewares import Turn
from bot.uow import UnitOfWork
from handlers import texts
from handlers.intake import Intake
from handlers.progress import progress_reply
from nlp import normalize
from nlp.intents import asks_help, asks_progress, is_cancel, is_greeting, is_thanks, wants_to_report
from storage.cases import canonical_number

router = Router("resident")
PENDING_QUESTION = {DESCRIBE: texts.ASK_DESCRIBE, PLACE: texts.ASK_PLACE, PARTY: texts.ASK_PARTY,
                    CONTACT: texts.ASK_CONTACT, CONFIRM: "上面的内容没问题请回复“确认”提交。"}


def _expired(ctx: AppContext, turn: Turn) -> list[str]:
    return [texts.EXPIRED.format(minutes=int(ctx.settings.draft_ttl_minutes))] if turn.expired_draft else []


@router.message(KindIs(Kind.TEXT, Kind.VOICE, Kind.LINK), lambda m: bool(m.text.strip()))
async def on_words(message: Message, ctx: AppContext, conversation: Conversation, uow: UnitOfWork, turn: Turn):
    text = normalize(message.text)
    out = _expired(ctx, turn)
    conv = conversation
    intake = Intake(ctx, uow, conv, message, turn)
    drafting = conv.draft is not None

    if conv.step == RATE and not drafting:      # asked to rate a result (bot/rating.py)
        number = conv.rating_case
        answer = await rating.answer(ctx, uow, conv, message.conversation_key, text)
        if answer:
            turn.case_numbers.add(number)
            return out + [answer]
    if is_cancel(text):
        if drafting and conv.draft.case_number:
            number = conv.draft.case_number
            conv.finish()
            return out + [f"好的。案件 {number} 仍在办理中，有进展会通知您。"]
        conv.finish()
        return out + [texts.CANCELLED if drafting else texts.NOTHING_TO_CANCEL]
    if canonical_number(text, ctx.settings.case_number_prefix) or (asks_progress(text) and not await _is_report(ctx, text)):
        out.append(await progress_reply(ctx, uow, message, turn, text))
        if drafting and conv.step in PENDING_QUESTION:
            out.append("（您正在填写的反映还没提交。）" + PENDING_QUESTION[conv.step])
        return out
    if drafting and conv.step in PENDING_QUESTION and (is_greeting(text) or asks_help(text)):
        return out + [texts.help_text(ctx.registry), "（您正在填写的反映还没提交。）" + PENDING_QUESTION[conv.step]]
    if drafting:
        return out + await intake.answer(text)
    if is_greeting(text) or is_thanks(text) or asks_help(text):
        return out + [("不客气，有事随时找我们。" if is_thanks(text) else texts.help_text(ctx.registry))]
    reading = await ctx.reader.read(text)
    if reading.is_dispute:
        return out + await intake.begin(text, reading)
    if wants_to_report(text):
        conv.start(uow.now)
        conv.step = DESCRIBE
        return out + [texts.ASK_DESCRIBE]
    return out + [texts.help_text(ctx.registry)]


async def _is_report(ctx: AppContext, text: str) -> bool:
    """"查一下楼上为什么天天漏水" is a report, not a progress question."""
    return len(text) > 12 and (await ctx.reader.read(text)).is_dispute


@router.message(EventIs(EventType.SCAN, EventType.OPEN, EventType.FOLLOW), lambda m: bool(m.event_key))
async def on_code(message: Message, ctx: AppContext, conversation: Conversation, uow: UnitOfWork, turn: Turn):
    code = message.event_key        # the scan itself is counted by the channel (storage/scans.py)
    if conversation.draft is not None and not conversation.draft.case_number:
        # already telling us something: the code only fills the place
        if code in ctx.registry.places and not conversation.draft.place_code:
            conversation.draft.place_code = code
            conversation.draft.source = code
            return await Intake(ctx, uow, conversation, message, turn).next_step()
        return []
    return _expired(ctx, turn) + await Intake(ctx, uow, conversation, message, turn).begin_from_code(code)


@router.message(EventIs(EventType.FOLLOW, EventType.OPEN))
async def on_follow(ctx: AppContext):
    return texts.help_text(ctx.registry)


@router.message(EventIs(EventType.MENU))
async def on_menu(message: Message, ctx: AppContext, conversation: Conversation, uow: UnitOfWork, turn: Turn):
    if message.event_key in ("my_cases", "MY_CASES", "progress"):
        return await progress_reply(ctx, uow, message, turn, "我的案子")
    if message.event_key in ("report", "REPORT"):
        if conversation.draft is None:
            conversation.start(uow.now)
            conversation.step = DESCRIBE
        return texts.ASK_DESCRIBE
    return texts.help_text(ctx.registry)
