"""The resident's router. Its middlewares hear the words once (`words`) and tell of a draft
that expired; then the control words (rating, cancel, progress, help), the intake while a
report is drafted (handlers/drafting.py), and what an idle resident says (handlers/idle.py)."""
from __future__ import annotations

import re
from typing import Any

from bot import rating
from bot.context import AppContext
from bot.conversation import CONFIRM, CONTACT, DESCRIBE, PARTY, PLACE, RATE, SAFETY, Conversation
from bot.dispatcher import UNHANDLED, Answer, Router
from bot.filters import Drafting, EventIs, IntentIs, Spoken, StepIs
from bot.message import EventType, Kind, Message
from bot.middlewares import Next, Turn
from bot.uow import UnitOfWork
from bot.words import Words, emoji_as_words, han_count, words_of
from handlers import drafting, faq, idle, relays, texts
from handlers.idle import told_danger
from handlers.intake import Intake
from handlers.open_cases import OpenCases, other_party
from handlers.progress import progress_reply
from nlp import find_phones
from nlp.duplicates import aboutness
from nlp.intents import (
    Intent,
    looks_like_news,
    says_settled,
    settled_plainly,
    strip_correction,
)
from storage.cases import canonical_number
from storage.lifecycle import Risk

router = Router("resident")
PENDING_QUESTION = {SAFETY: texts.SAFETY_QUESTION, DESCRIBE: texts.ASK_DESCRIBE, PLACE: texts.ASK_PLACE,
                    PARTY: texts.ASK_PARTY,
                    CONTACT: texts.ASK_CONTACT, CONFIRM: "上面的内容没问题请回复“确认”提交。"}
SPOKEN_KINDS = frozenset({Kind.TEXT, Kind.VOICE, Kind.LINK})


@router.middleware
async def hear(handler: Next, message: Message, data: dict[str, Any]) -> Any:
    """Normalise and read the words once; every resident handler gets them as `words`."""
    data["words"] = None
    if message.kind in SPOKEN_KINDS and message.text.strip():
        ctx: AppContext = data["ctx"]
        text = ctx.nlp.normalize(emoji_as_words(message.text))
        _, body = strip_correction(text)
        reading = await ctx.reader.read(body)
        is_number = bool(canonical_number(text, ctx.settings.case_number_prefix))
        data["words"] = words_of(message.text, text, reading, is_number)
    return await handler(message, data)


@router.middleware
async def tell_expired(handler: Next, message: Message, data: dict[str, Any]) -> Any:
    """A draft left too long was dropped: say so before the answer."""
    result = await handler(message, data)
    turn: Turn = data["turn"]
    if turn.expired_draft is None or result is UNHANDLED or message.kind is Kind.EVENT \
            and message.event not in (EventType.SCAN, EventType.OPEN, EventType.FOLLOW):
        return result
    notice = texts.EXPIRED.format(minutes=int(data["ctx"].settings.draft_ttl_minutes))
    return [notice, *(result if isinstance(result, list) else [result] if result else [])]


IDLE = ~Drafting()


@router.message(Spoken(), StepIs(RATE), IDLE)
async def on_rating(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                    turn: Turn, words: Words) -> Answer:
    """Asked to rate a result (bot/rating.py); anything that is not a rating goes on below."""
    number = conversation.rating_case
    answer = await rating.answer(ctx, uow, conversation, message.conversation_key, words.text)
    if not answer:
        return UNHANDLED
    if number:
        turn.case_numbers.add(number)
    return answer


@router.message(Spoken(), IDLE, lambda m, d: not d["words"].reading.is_dispute
                and isinstance(rating.read(d["words"].text), int))
async def on_late_rating(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                         turn: Turn, words: Words) -> Answer:
    """"4分" after the rating question was passed by ("谢谢你们" first): it rates the account's
    result still waiting for one."""
    case = await rating.last_unrated(uow, message.channel, message.user)
    if case is None:
        return UNHANDLED
    conversation.rating_case = case.number
    answer = await rating.answer(ctx, uow, conversation, message.conversation_key, words.text)
    if not answer:
        return UNHANDLED
    turn.case_numbers.add(case.number)
    return answer


def _cancels(message: Message, data: dict[str, Any]) -> bool:
    """"算了" / "取消" end the report; "不用了" to the phone or party question declines that
    question only (the drafting router takes it as a skip)."""
    words: Words | None = data["words"]
    if words is not None and _settled_before_submitting(data["conversation"], words):
        return True
    if words is None or not words.has(Intent.CANCEL):
        return False
    return not (data["conversation"].step in (CONTACT, PARTY) and SOFT_NO.match(words.text))


def _settled_before_submitting(conversation: Conversation, words: Words) -> bool:
    """"已经解决了 谢谢" at the summary: the matter settled itself, nothing to submit (a trial's
    was pasted into the story and the summary shown again)."""
    draft = conversation.draft
    return (conversation.step == CONFIRM and draft is not None and not draft.case_number
            and settled_plainly(words.text) and han_count(words.text) <= 16)


SOFT_NO = re.compile(r"^\s*(?:不用了?|不要了?|不用不用)(?:吧|啊)?[。.!！，,\s]*$")


@router.message(_cancels)
async def on_cancel(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message, turn: Turn,
                    words: Words) -> Answer:
    draft = conversation.draft
    conversation.finish()
    mine = OpenCases(ctx, uow, conversation, message, turn)
    if draft is not None and draft.case_number:
        if draft.risk == Risk.RED:
            # "算了 说了也没用" after an urgent report: its people hear it, and the person hears help
            case = await (await uow.cases()).get(draft.case_number)
            if case is not None:
                await mine.tell(case, words.raw)
            return texts.still_here(draft.case_number, draft.risk_reasons)
        return f"好的。案件 {draft.case_number} 仍在办理中，有进展会通知您。"
    if draft is not None:
        return texts.SETTLED_NOT_SUBMITTED if says_settled(words.text) else texts.CANCELLED
    # nothing being written: "取消案件" / "撤回" is about the case they reported, or the one their
    # report joined (their wish goes to its people as theirs; the case is not theirs to close)
    case = await mine.current()
    if case is not None:
        told = await mine.tell(case, words.raw, withdraw=True)
        return [*told, texts.help_now(case.risk_reasons)] if case.risk == Risk.RED else told
    return texts.NOTHING_TO_CANCEL


# "我没有纠纷 就是问问", "不是纠纷 我就想查社保", "这是新闻 转给你们看看的": nothing to report
NOTHING_TO_REPORT = re.compile(r"(?:没有|不是|没啥|没什么)(?:什么)?纠纷|(?:就|只|只是|随便|就是)(?:想)?问问|我就想问|只是想问|就想查|"
                               r"这是(?:条|个)?新闻|转(?:个|发|了|一下)?(?:的|条)?新闻|新闻(?:转|分享)|转给你们看|转发给你们看|只是转发")


@router.message(lambda m, d: d["words"] is not None and bool(NOTHING_TO_REPORT.search(d["words"].text))
                and d["words"].reading.risk != "red"
                and not (d["conversation"].draft is not None and d["conversation"].draft.case_number))
async def on_nothing_to_report(conversation: Conversation) -> Answer:
    """Said mid-report or not: no report is made of it (a check round's "对方：就问问" case)."""
    if conversation.draft is not None:
        conversation.finish()
    return texts.JUST_ASKING


@router.message(lambda m, d: d["words"] is not None and looks_like_news(d["words"].text)
                and not d["words"].reading.is_dispute and d["words"].reading.risk != "red"
                and d["conversation"].draft is None)
async def on_news(conversation: Conversation) -> Answer:
    """A news item passed on ("【青山新闻】…召开…推进会"): thanked for, not begun as a report."""
    return texts.NEWS_RECEIVED


def _phone_with_a_number(message: Message, data: dict[str, Any]) -> bool:
    words: Words | None = data["words"]
    return words is not None and bool(find_phones(words.text)) \
        and canonical_number(words.text, data["ctx"].settings.case_number_prefix) is not None


@router.message(_phone_with_a_number)
async def on_phone_for_a_relay(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                               turn: Turn, words: Words) -> Answer:
    """"JF… 李师傅电话136…" from the worker who relayed that case from a group: the resident's
    phone onto it (it was only shown the status)."""
    number = canonical_number(words.text, ctx.settings.case_number_prefix)
    case = next((c for c in await relays.waiting(ctx, uow, message) if c.number == number), None)
    if case is None:
        return UNHANDLED
    turn.case_numbers.add(case.number)
    return await relays.give_phone(ctx, uow, conversation, message, case, find_phones(words.text)[0])


# words about a report still being told: a subject word in common ("工资" in "我那个工资的事怎么样了"
# against a wage story scores 0.67; "我的案子怎么样了" scores 0 against it, 0.15 against a neighbour's case)
_FITS_THE_DRAFT = 0.2


def pending_question(conversation: Conversation) -> str | None:
    """The question a report still to submit waits on (a draft with a case number is an open
    case's additions, not a report to submit), or None."""
    draft, step = conversation.draft, conversation.step
    if draft is None or draft.case_number or step is None or step not in PENDING_QUESTION:
        return None
    return texts.safety_question(draft.risk_reasons) if step == SAFETY else PENDING_QUESTION[step]


# "留电话的话对方会知道是我反映的吗" asks about us, not about a case ("我反映的" is no 查询)
@router.message(IntentIs(Intent.PROGRESS), lambda m, d: not told_danger(m, d) and faq.answer(d["words"].text) is None)
async def on_progress(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                      turn: Turn, words: Words) -> Answer:
    # of several open cases, the one the words name ("我那个工资的事怎么样了") answers alone
    numbered = canonical_number(words.text, ctx.settings.case_number_prefix)
    mine = OpenCases(ctx, uow, conversation, message, turn)
    named = None if numbered else await mine.named(words.reading)
    draft = conversation.draft
    pending = pending_question(conversation)
    if pending and not numbered and draft is not None and draft.texts:
        # the matter still being told is the one asked about ("我那个工资的事怎么样了" while the
        # wage report waits for its place): not another case's status
        about_draft = aboutness(words.reading, draft.description, draft.type or "", draft.party)
        case = named or await mine.last()
        if about_draft > _FITS_THE_DRAFT and (case is None or about_draft > aboutness(words.reading, case.description, case.type,
                                                                          other_party(case))):
            return "您说的这件事还没提交，提交后才有案件编号和进度。" + pending
    out = [await progress_reply(ctx, uow, message, turn, named.number if named else words.text)]
    if pending:
        out.append("（您正在填写的反映还没提交。）" + pending)
    return out


@router.message(Drafting(), StepIs(*PENDING_QUESTION), IntentIs(Intent.GREETING, Intent.HELP))
async def on_help_midway(ctx: AppContext, conversation: Conversation) -> Answer:
    assert conversation.step is not None
    pending = pending_question(conversation) or PENDING_QUESTION[conversation.step]
    return [texts.help_text(ctx.registry), "（您正在填写的反映还没提交。）" + pending]


router.include_router(drafting.router)
router.include_router(idle.router)


@router.message(lambda m: m.kind is Kind.TEXT and not m.text.strip())
async def on_blank(conversation: Conversation) -> Answer:
    """Only spaces (a re-check's got no answer at all): the question pending, or what to say."""
    pending = pending_question(conversation)
    return "这条消息是空白的。" + pending if pending else texts.TELL_US


@router.message(EventIs(EventType.SCAN, EventType.OPEN, EventType.FOLLOW), lambda m: bool(m.event_key))
async def on_code(message: Message, ctx: AppContext, conversation: Conversation, uow: UnitOfWork, turn: Turn) -> Answer:
    code = message.event_key        # the scan itself is counted by the channel (storage/scans.py)
    intake = Intake(ctx, uow, conversation, message, turn)
    if conversation.draft is not None and not conversation.draft.case_number:
        # already telling us something: the code only fills the place
        if code in ctx.registry.places and not conversation.draft.place_code:
            conversation.draft.place_code = code
            conversation.draft.source = code
            return await intake.next_step()
        # another place's code, or one we do not know: the report under way keeps its place,
        # and the resident hears so (the scan was answered with nothing)
        where = ctx.registry.full_name(conversation.draft.place_code)
        held = f"您正在反映的情况还没提交（地点：{where}）。" if where else "您正在反映的情况还没提交。"
        return [held + "如果地点不对，直接告诉我正确的村（社区）。", *await intake.next_step()]
    return await intake.begin_from_code(code)


@router.message(EventIs(EventType.FOLLOW, EventType.OPEN))
async def on_follow(ctx: AppContext, conversation: Conversation, uow: UnitOfWork) -> Answer:
    conversation.welcome_again(uow.now)         # the page's or the follow's welcome counts
    return texts.help_text(ctx.registry)


@router.message(EventIs(EventType.MENU))
async def on_menu(message: Message, ctx: AppContext, conversation: Conversation, uow: UnitOfWork, turn: Turn) -> Answer:
    if message.event_key in ("my_cases", "MY_CASES", "progress"):
        return await progress_reply(ctx, uow, message, turn, "我的案子")
    if message.event_key in ("report", "REPORT"):
        if conversation.draft is None:
            conversation.start(uow.now)
            conversation.step = DESCRIBE
        return texts.ASK_DESCRIBE
    return texts.help_text(ctx.registry)
