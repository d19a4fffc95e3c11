"""The resident's router. Its middlewares hear the words once (`words`) and tell of a draft
that expired; then the control words (rating, cancel, progress, help), the intake while a
report is drafted (handlers/drafting.py), and what an idle resident says."""
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
from handlers import drafting, faq, relays, texts
from handlers.intake import Intake
from handlers.open_cases import OpenCases
from handlers.progress import progress_reply
from nlp import find_phones
from nlp.intents import (
    Intent,
    another_matter,
    asks_question,
    asks_to_reschedule,
    chases,
    contact_caution,
    field_edit,
    looks_like_news,
    says_settled,
    settled_plainly,
    strip_correction,
    withdraws,
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


# the words of wanting to report, and the fillers around them
REPORT_WORDS = re.compile(r"我(?:想|要)?|想|要|反映|投诉|举报|一下|个|件|事情?|情况|你们|那个|这个|有|[，,。.!！？?\s]")
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
    case = await mine.last() or await mine.joined()
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


def _danger(message: Message, data: dict[str, Any]) -> bool:
    words: Words | None = data["words"]
    return words is not None and words.reading.risk == "red"


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


# "留电话的话对方会知道是我反映的吗" asks about us, not about a case ("我反映的" is no 查询)
@router.message(IntentIs(Intent.PROGRESS), lambda m, d: not _danger(m, d) and faq.answer(d["words"].text) is None)
async def on_progress(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                      turn: Turn, words: Words) -> Answer:
    # of several open cases, the one the words name ("我那个工资的事怎么样了") answers alone
    named = None if canonical_number(words.text, ctx.settings.case_number_prefix) else \
        await OpenCases(ctx, uow, conversation, message, turn).named(words.reading)
    out = [await progress_reply(ctx, uow, message, turn, named.number if named else words.text)]
    if conversation.draft is not None and conversation.step in PENDING_QUESTION and not conversation.draft.case_number:
        # (a draft with a case number is an open case's question, not a report still to submit)
        out.append("（您正在填写的反映还没提交。）" + PENDING_QUESTION[conversation.step])
    return out


@router.message(Drafting(), StepIs(*PENDING_QUESTION), IntentIs(Intent.GREETING, Intent.HELP))
async def on_help_midway(ctx: AppContext, conversation: Conversation) -> Answer:
    assert conversation.step is not None
    return [texts.help_text(ctx.registry), "（您正在填写的反映还没提交。）" + PENDING_QUESTION[conversation.step]]


router.include_router(drafting.router)
idle = router.include_router(Router("idle", IDLE, Spoken()))


@idle.message(IntentIs(Intent.HUMAN), lambda m, d: not (d["words"].reading.is_dispute or _danger(m, d)))
async def on_wants_a_person(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                            turn: Turn, words: Words) -> Answer:
    """"我要找真人", "能不能让网格员给我打个电话": with a case open, its people are asked to call;
    without one, what to say so that someone will."""
    mine = OpenCases(ctx, uow, conversation, message, turn)
    case = await mine.about(words.reading) if conversation.last_case else None
    return texts.A_PERSON if case is None else await mine.tell(case, words.raw)


@idle.message(IntentIs(Intent.THANKS), lambda m, d: bool(d["conversation"].last_case) and says_settled(d["words"].text))
async def on_thanks_it_is_settled(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                                  turn: Turn, words: Words) -> Answer:
    """"谢谢你们 楼上已经修好了" with the case open: the thanks, and the news to the case's people
    (it was only "不客气", and the case went on)."""
    mine = OpenCases(ctx, uow, conversation, message, turn)
    case = await mine.spoken_of(words.reading)
    return UNHANDLED if case is None else await mine.tell(case, words.raw)


@idle.message(IntentIs(Intent.THANKS))
async def on_thanks() -> Answer:
    return "不客气，有事随时找我们。"


@idle.message(IntentIs(Intent.GREETING, Intent.HELP))
async def on_greeting(ctx: AppContext, conversation: Conversation, uow: UnitOfWork) -> Answer:
    return texts.help_text(ctx.registry) if conversation.welcome_again(uow.now) else texts.STILL_HERE


@idle.message(lambda m, d: d["words"].has(Intent.CORRECTION, Intent.FIELD_CHANGE, Intent.ADDING)
              or field_edit(d["words"].text) is not None, lambda m, d: not another_matter(d["words"].text))
async def on_amend(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message, turn: Turn,
                   words: Words) -> Answer:
    """"不对，是石桥村" after the case was opened: the resident's own open case takes it."""
    amended = await OpenCases(ctx, uow, conversation, message, turn).amend(words.text, words.reading)
    return UNHANDLED if amended is None else amended


def _for_the_case(text: str) -> bool:
    """Words that only make sense about a case already open: withdrawing it ("押金那个事我不想弄了
    取消案件"), how (not) to be called ("别打这个电话 有事发微信"), moving a meeting ("那天我要去医院
    能不能改到下午"); read as a new report, they began one or were lost in the story."""
    return withdraws(text) or bool(contact_caution(text)) or asks_to_reschedule(text)


@idle.message(lambda m, d: _for_the_case(d["words"].text) and bool(d["conversation"].last_case)
              and not _danger(m, d) and not another_matter(d["words"].text))
async def on_for_the_case(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                          turn: Turn, words: Words) -> Answer:
    """To the people of the case the words are about (a bare "取消案件" is on_cancel's)."""
    mine = OpenCases(ctx, uow, conversation, message, turn)
    case = await mine.spoken_of(words.reading)
    return UNHANDLED if case is None else await mine.tell(case, words.raw, withdraw=withdraws(words.text))


@idle.message(lambda m, d: chases(d["words"].text) and bool(d["conversation"].last_case) and not _danger(m, d))
async def on_chase(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message, turn: Turn,
                   words: Words) -> Answer:
    """"我那个工资的事到底有人管没有" with a case open: its status, and the nudge to its people
    (not a second report of the same thing)."""
    mine = OpenCases(ctx, uow, conversation, message, turn)
    case = await mine.spoken_of(words.reading)
    if case is None:
        return UNHANDLED
    status = await progress_reply(ctx, uow, message, turn, case.number)
    # "快来人啊 等了好几天了": a cry the reading is unsure of; whom to call if it is one
    extra = [texts.CALL_110_IF_DANGER] if words.reading.ask_safety else []
    return [status, *await mine.tell(case, words.raw, chase=True), *extra]


_WANTS_TO_TELL = re.compile(r"反映|投诉|举报|报案|求助|帮帮|帮忙|主持公道|评评理")


def _only_asks_about_mediation(message: Message, data: dict[str, Any]) -> bool:
    """A short question about mediation itself ("调解要收费吗", "调解协议有法律效力吗") with a
    case open, or with nothing to report: no grievance in it (the reading may still see a
    contract in 协议), no danger."""
    words: Words = data["words"]
    if _danger(message, data) or faq.answer(words.text) is None or not faq.is_question(words.text):
        return False
    if han_count(words.text) > 16:
        return False
    # "我要反映 调解要交钱吗" wants to report too; "调解完了对方不认账怎么办" only asks (调解 is its
    # subject, and the reading took it for a dispute); "请问调解中心在哪里？调解要交钱吗" is answered
    # with where to report and asked what happened (on_wants_to_report)
    if data["conversation"].last_case:
        return True
    return not _WANTS_TO_TELL.search(words.text) and (words.reading.is_dispute or not words.has(Intent.REPORT))


@idle.message(_only_asks_about_mediation)
async def on_only_a_question(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                             turn: Turn, words: Words) -> Answer:
    """The answer, and where the resident's case stands (it was passed on to the case's staff,
    or began a report with the place question)."""
    return await on_question_about_mediation(ctx, uow, conversation, message, turn, words)


@idle.message(lambda m, d: bool(d["conversation"].last_case)
              and (d["words"].reading.is_dispute or d["words"].reading.risk == "red"))
async def on_more_about_open_case(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                                  turn: Turn, words: Words) -> Answer:
    """"快点来人啊 他在砸门" after an urgent report, "他今天又来了，举着锄头要打我" about an open
    case: more of that case (danger turns it red), not a second case without a place."""
    mine = OpenCases(ctx, uow, conversation, message, turn)
    case = await mine.about(words.reading)
    if case is None or not mine.same_matter(case, words.reading):
        return UNHANDLED
    return await mine.tell(case, words.raw, reading=words.reading)


@idle.message(lambda m, d: bool(d["conversation"].last_case) and d["words"].reading.ask_safety
              and not d["words"].reading.is_dispute and not _danger(m, d) and not another_matter(d["words"].text))
async def on_worry_about_open_case(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                                   turn: Turn, words: Words) -> Answer:
    """"快來人啊 等好久了" with a case open: not a new report with its safety question (which then
    swallowed the chases after it and opened a second, placeless red case on "快来人呐"); the
    words go to the case's people, and the resident hears where it stands and whom to call."""
    return await on_chase(ctx, uow, conversation, message, turn, words)


@idle.message(lambda m, d: d["words"].reading.is_dispute or d["words"].reading.ask_safety)
async def on_report(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message, turn: Turn,
                    words: Words) -> Answer:
    """A dispute, or a worry about someone's safety, is heard out (a question about
    mediation in it, "签了字他不认怎么办", answered first)."""
    said = faq.answer(words.text, ctx.settings.dispatch_days)
    heard = await Intake(ctx, uow, conversation, message, turn).begin(words)
    return [said, *heard] if said else heard


@idle.message(IntentIs(Intent.REPORT))
async def on_wants_to_report(ctx: AppContext, conversation: Conversation, uow: UnitOfWork, message: Message,
                             turn: Turn, words: Words) -> Answer:
    """"我要反映" and the questions around it ("调解中心在哪里", "调解要交钱吗"): a question
    is answered first (here is where to report; people's mediation is free), then the story
    is asked for."""
    told = REPORT_WORDS.sub("", words.text)
    if conversation.last_case and han_count(told) >= 4 and not another_matter(words.text):
        # "派出所说要等24小时才立案 你们能帮忙找吗": help asked with the case open is about it
        mine = OpenCases(ctx, uow, conversation, message, turn)
        case = await mine.about(words.reading)
        if case is not None:
            return await mine.tell(case, words.raw)
    if conversation.last_case and han_count(told) < 4 and not another_matter(words.text) \
            and not asks_question(words.text):
        # "我要投诉" with a case open: no empty report to swallow what comes next ("你们是不是不管
        # 老百姓死活", "下午我不在家"); what they say next goes to that case, or begins a new one
        return texts.ask_what_with_case_open(conversation.last_case)
    intake = Intake(ctx, uow, conversation, message, turn)
    conversation.start(uow.now)
    await intake.known_contact()
    if han_count(told) >= 12 and not asks_question(words.text):
        # "我要投诉 你们那个网格员…天天不在岗…": the complaint itself, heard out (a complaint
        # the reading gives no type is still one: 其他)
        await intake.absorb(words.raw, words.reading)
        intake.draft.type = intake.draft.type or "other"
        return await intake.next_step()
    conversation.step = DESCRIBE
    await intake.absorb(words.raw, words.reading, describe=False)      # "我是柳林村的 想反映个事": the place
    if asks_question(words.text):
        return [texts.REPORT_HERE + (faq.answer(words.text, ctx.settings.dispatch_days) or ""), texts.ASK_DESCRIBE]
    return texts.ASK_DESCRIBE


@idle.message(lambda m, d: not d["words"].reading.is_dispute and faq.answer(d["words"].text) is not None)
async def on_question_about_mediation(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                                      turn: Turn, words: Words) -> Answer:
    """"签了字他不认怎么办": what the law says, then where to begin (or, with a case open,
    "接下来会怎么样": where that case stands now, who has it, when they meet)."""
    said = faq.answer(words.text, ctx.settings.dispatch_days) or ""
    if conversation.last_case:
        return [said, await progress_reply(ctx, uow, message, turn, conversation.last_case)]
    return [said, texts.TELL_US]


@idle.message(IntentIs(Intent.CONFIRM, Intent.SKIP), lambda m, d: bool(d["conversation"].last_case))
async def on_acknowledged(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                          turn: Turn) -> Answer:
    """"好的" after a case was opened: acknowledged, nobody bothered."""
    mine = OpenCases(ctx, uow, conversation, message, turn)
    case = await mine.last() or await mine.joined()
    return UNHANDLED if case is None else f"好的，案件 {case.number} 有进展会通知您。"


@idle.message(lambda m, d: not d["words"].reading.is_dispute and bool(d["conversation"].last_case))
async def on_about_open_case(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                             turn: Turn, words: Words) -> Answer:
    """Words that tell no new dispute while the resident's case is open ("你们到底来不来啊",
    "没事了，他睡着了，不用来了") are about that case: they go to its people and its ledger
    rather than being answered with the welcome text."""
    mine = OpenCases(ctx, uow, conversation, message, turn)
    # "漏水那个呢": the case it names, else the last; else the case their report joined
    case = await mine.spoken_of(words.reading)
    return UNHANDLED if case is None else await mine.tell(case, words.raw)


def _tells_something(words: Words) -> bool:
    """Words the reading cannot call a dispute that still read as the start of one: they say
    where or how to reach the writer ("我是柳林村的，电线乱拉在我家窗户底下，电话…"), or the
    disputes together are more probable than `none` although no one type is (P(none) < 0.5:
    "老王家那个儿子又在那边闹"). A question ("柳林村的网格员电话多少") is not a report."""
    reading = words.reading
    return (bool(reading.places or reading.phones) or reading.confidence < 0.5 or bool(_ONE_WORD_GRIEVANCE.match(words.text))) \
        and not asks_question(words.text)


# a grievance in a word ("吵", "太臭了", "被骗了"): the start of a report, not chit-chat (a trial's
# "吵" was told "我是调解平台的助手，只能帮您反映纠纷")
_ONE_WORD_GRIEVANCE = re.compile(r"^\s*(?:好|太|真|很|天天|又)?(?:吵|闹|臭|脏|漏水?|堵|噪音|欠钱|欠工资|打人|骂人|被打了?|被骗了?|"
                                 r"占地|乱收费|扰民)(?:死了|得很|死人|啊|呀|了)?[！!。，,~～\s]*$")


@idle.message(lambda m, d: _tells_something(d["words"]))
async def on_told_something(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                            turn: Turn, words: Words) -> Answer:
    """A report begins: what was said is kept and the resident is asked what happened,
    rather than sent the welcome text (which would make them type it all again)."""
    return await Intake(ctx, uow, conversation, message, turn).begin(words)


# a feeling in a word or two ("累了", "烦死了", "好委屈"): someone who has not found the words yet,
# not one to be sent the menu
_FEELING = re.compile(r"^\s*(?:好|真|太|心|有点|我)?(?:累|烦|难受|委屈|憋屈|崩溃|想哭|伤心|难过|郁闷|心烦|头疼|受不了)"
                      r"(?:了|死了|啊|呀|得很|哦)*[！!。，,~～…\s]*$")


@idle.message(lambda m, d: bool(_FEELING.match(d["words"].text)))
async def on_a_feeling() -> Answer:
    return texts.GO_ON


@idle.message()
async def on_anything_else(ctx: AppContext, words: Words, conversation: Conversation, uow: UnitOfWork) -> Answer:
    if not words.text.strip("，。！？、 "):
        return texts.GO_ON          # only emoji ("😭😭😭", "🙏"): someone who has not found the words yet
    if LATIN_ONLY.match(words.text):
        return texts.CHINESE_ONLY
    return texts.help_text(ctx.registry) if conversation.welcome_again(uow.now) else texts.ONLY_DISPUTES


LATIN_ONLY = re.compile(r"^[^\u4e00-\u9fff]*[a-z]{2}[^\u4e00-\u9fff]*$", re.IGNORECASE)


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
