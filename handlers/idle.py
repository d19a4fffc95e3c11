"""What a resident says with no report being written: thanks, greetings, words about a case
already open (its people hear them), a question about mediation, and the start of a report.
The resident router (handlers/resident.py) has heard the words once and passes the rest here;
the order of the handlers is the order they are tried."""
from __future__ import annotations

import re
from typing import Any

from bot.clocks import add_working_days
from bot.context import AppContext
from bot.conversation import DESCRIBE, Conversation
from bot.dispatcher import UNHANDLED, Answer, Router
from bot.filters import Drafting, IntentIs, Spoken
from bot.message import Message
from bot.middlewares import Turn
from bot.uow import UnitOfWork
from bot.words import Words, han_count
from handlers import faq, texts
from handlers.intake import Intake
from handlers.open_cases import OpenCases
from handlers.progress import progress_reply
from nlp.field_edits import field_edit
from nlp.intents import (
    Intent,
    another_matter,
    asks_question,
    asks_to_reschedule,
    chases,
    contact_caution,
    says_settled,
    talks_of_withdrawing,
    withdraws,
)
from storage.lifecycle import Status
from storage.models import Case

router = Router("idle", ~Drafting(), Spoken())

# the words of wanting to report, and the fillers around them
REPORT_WORDS = re.compile(r"我(?:想|要)?|想|要|反映|投诉|举报|一下|个|件|事情?|情况|你们|那个|这个|有|[，,。.!！？?\s]")


def told_danger(message: Message, data: dict[str, Any]) -> bool:
    words: Words | None = data["words"]
    return words is not None and words.reading.risk == "red"


@router.message(IntentIs(Intent.HUMAN), lambda m, d: not (d["words"].reading.is_dispute or told_danger(m, d)))
async def on_wants_a_person(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                            turn: Turn, words: Words) -> Answer:
    """"我要找真人", "能不能让网格员给我打个电话": with a case open, its people are asked to call;
    without one, what to say so that someone will."""
    mine = OpenCases(ctx, uow, conversation, message, turn)
    case = await mine.about(words.reading) if conversation.last_case else None
    return texts.A_PERSON if case is None else await mine.tell(case, words.raw)


@router.message(IntentIs(Intent.THANKS), lambda m, d: bool(d["conversation"].last_case) and says_settled(d["words"].text))
async def on_thanks_it_is_settled(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                                  turn: Turn, words: Words) -> Answer:
    """"谢谢你们 楼上已经修好了" with the case open: the thanks, and the news to the case's people
    (it was only "不客气", and the case went on)."""
    mine = OpenCases(ctx, uow, conversation, message, turn)
    case = await mine.spoken_of(words.reading)
    return UNHANDLED if case is None else await mine.tell(case, words.raw)


@router.message(IntentIs(Intent.THANKS))
async def on_thanks() -> Answer:
    return "不客气，有事随时找我们。"


@router.message(IntentIs(Intent.GREETING, Intent.HELP))
async def on_greeting(ctx: AppContext, conversation: Conversation, uow: UnitOfWork, message: Message,
                      turn: Turn) -> Answer:
    """"在吗", "？": the welcome; with a case open, where that case stands (a re-check's "？" on an
    open case got the menu)."""
    if conversation.last_case:
        mine = OpenCases(ctx, uow, conversation, message, turn)
        case = await mine.current()
        if case is not None:
            return ["在的。", await progress_reply(ctx, uow, message, turn, case.number)]
    return texts.help_text(ctx.registry) if conversation.welcome_again(uow.now) else texts.STILL_HERE


@router.message(lambda m, d: d["words"].has(Intent.CORRECTION, Intent.FIELD_CHANGE, Intent.ADDING)
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
    return withdraws(text) or talks_of_withdrawing(text) or bool(contact_caution(text)) or asks_to_reschedule(text)


@router.message(lambda m, d: _for_the_case(d["words"].text) and bool(d["conversation"].last_case)
              and not told_danger(m, d) and not d["words"].reading.ask_safety and not another_matter(d["words"].text))
async def on_for_the_case(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                          turn: Turn, words: Words) -> Answer:
    """To the people of the case the words are about (a bare "取消案件" is on_cancel's). Words that
    may tell of danger ("不用你们管了 我自己去找他算账") are no withdrawal: on_worry_about_open_case."""
    mine = OpenCases(ctx, uow, conversation, message, turn)
    case = await mine.spoken_of(words.reading)
    return UNHANDLED if case is None else await mine.tell(case, words.raw, withdraw=withdraws(words.text))


@router.message(lambda m, d: chases(d["words"].text) and bool(d["conversation"].last_case) and not told_danger(m, d))
async def on_chase(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message, turn: Turn,
                   words: Words) -> Answer:
    """"我那个工资的事到底有人管没有" with a case open: its status, and the nudge to its people
    (not a second report of the same thing)."""
    mine = OpenCases(ctx, uow, conversation, message, turn)
    case = await mine.spoken_of(words.reading)
    if case is None:
        return UNHANDLED
    # "快来人啊 等了好几天了": a cry the reading is unsure of; whom to call if it is one
    return await _chased(ctx, uow, message, turn, mine, case, words, call_110=words.reading.ask_safety)


async def _chased(ctx: AppContext, uow: UnitOfWork, message: Message, turn: Turn, mine: OpenCases, case: Case,
                  words: Words, *, call_110: bool) -> Answer:
    """A chase of an open case: where it stands, the nudge to its people, and whom to call."""
    status = await progress_reply(ctx, uow, message, turn, case.number)
    days = ctx.settings.dispatch_days
    if case.status == Status.RECEIVED and ctx.clock.now() > add_working_days(case.created_at, days, ctx.settings.timezone):
        # "都四天了": the promise made at opening was missed, and the resident hears it said
        status += f"\n已超过承诺的{days}个工作日分派时限，已催综治中心尽快分派。"
    return [status, *await mine.tell(case, words.raw, chase=True), *([texts.CALL_110_IF_DANGER] if call_110 else [])]


_WANTS_TO_TELL = re.compile(r"反映|投诉|举报|报案|求助|帮帮|帮忙|主持公道|评评理")


def _only_asks_about_mediation(message: Message, data: dict[str, Any]) -> bool:
    """A short question about mediation itself ("调解要收费吗", "调解协议有法律效力吗") with a
    case open, or with nothing to report: no grievance in it (the reading may still see a
    contract in 协议), no danger."""
    words: Words = data["words"]
    if told_danger(message, data) or faq.answer(words.text) is None or not faq.is_question(words.text):
        return False
    if han_count(words.text) > 16:
        return False
    # "我要反映 调解要交钱吗" wants to report too; "调解完了对方不认账怎么办" only asks (调解 is its
    # subject, and the reading took it for a dispute); "请问调解中心在哪里？调解要交钱吗" is answered
    # with where to report and asked what happened (on_wants_to_report)
    if data["conversation"].last_case:
        return True
    return not _WANTS_TO_TELL.search(words.text) and (words.reading.is_dispute or not words.has(Intent.REPORT))


@router.message(_only_asks_about_mediation)
async def on_only_a_question(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                             turn: Turn, words: Words) -> Answer:
    """The answer, and where the resident's case stands (it was passed on to the case's staff,
    or began a report with the place question)."""
    return await on_question_about_mediation(ctx, uow, conversation, message, turn, words)


@router.message(lambda m, d: bool(d["conversation"].last_case)
              and (d["words"].reading.is_dispute or d["words"].reading.risk == "red"))
async def on_more_about_open_case(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                                  turn: Turn, words: Words) -> Answer:
    """"快点来人啊 他在砸门" after an urgent report, "他今天又来了，举着锄头要打我" about an open
    case: more of that case (danger turns it red), not a second case without a place."""
    mine = OpenCases(ctx, uow, conversation, message, turn)
    # a resident whose report joined a case telling of danger now ("他现在拿着棍子在我家门口")
    # or more of that matter ("而且他们晚上往河里排粪水") is telling of that case too (a second,
    # placeless red case was opened; the news began a draft nobody saw)
    case = await mine.about(words.reading) or await mine.joined()
    if case is None or not mine.same_matter(case, words.reading):
        return UNHANDLED
    if words.reading.risk == "red" and case.risk != "red" and texts.only_a_cry(words.reading.risk_reasons):
        # "快点来人啊" on an ordinary case: where it stands and whom to call, not the leader woken
        # (a re-check's chases each raised a case to red)
        return await _chased(ctx, uow, message, turn, mine, case, words, call_110=True)
    return await mine.tell(case, words.raw, reading=words.reading)


@router.message(lambda m, d: bool(d["conversation"].last_case) and d["words"].reading.ask_safety
              and not d["words"].reading.is_dispute and not told_danger(m, d) and not another_matter(d["words"].text))
async def on_worry_about_open_case(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                                   turn: Turn, words: Words) -> Answer:
    """"快來人啊 等好久了" with a case open: not a new report with its safety question (which then
    swallowed the chases after it and opened a second, placeless red case on "快来人呐"); the
    words go to the case's people, and the resident hears where it stands and whom to call. A
    threat told ("他威胁我说不撤案就打我") is no chase: it is added to the case, which it makes
    yellow at least, and the resident is told whom to call."""
    if chases(words.text):
        return await on_chase(ctx, uow, conversation, message, turn, words)
    mine = OpenCases(ctx, uow, conversation, message, turn)
    case = await mine.spoken_of(words.reading)
    if case is None:
        return UNHANDLED
    return await mine.tell(case, words.raw, reading=words.reading)


@router.message(lambda m, d: d["words"].reading.is_dispute or d["words"].reading.ask_safety)
async def on_report(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message, turn: Turn,
                    words: Words) -> Answer:
    """A dispute, or a worry about someone's safety, is heard out (a question about
    mediation in it, "签了字他不认怎么办", answered first)."""
    said = faq.answer(words.text, ctx.settings.dispatch_days)
    heard = await Intake(ctx, uow, conversation, message, turn).begin(words)
    return [said, *heard] if said else heard


@router.message(IntentIs(Intent.REPORT))
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


@router.message(lambda m, d: not d["words"].reading.is_dispute and faq.answer(d["words"].text) is not None)
async def on_question_about_mediation(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                                      turn: Turn, words: Words) -> Answer:
    """"签了字他不认怎么办": what the law says, then where to begin (or, with a case open,
    "接下来会怎么样": where that case stands now, who has it, when they meet)."""
    said = faq.answer(words.text, ctx.settings.dispatch_days) or ""
    if conversation.last_case:
        return [said, await progress_reply(ctx, uow, message, turn, conversation.last_case)]
    return [said, texts.TELL_US]


@router.message(IntentIs(Intent.CONFIRM, Intent.SKIP), lambda m, d: bool(d["conversation"].last_case))
async def on_acknowledged(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                          turn: Turn) -> Answer:
    """"好的" after a case was opened: acknowledged, nobody bothered."""
    mine = OpenCases(ctx, uow, conversation, message, turn)
    case = await mine.current()
    return UNHANDLED if case is None else f"好的，案件 {case.number} 有进展会通知您。"


@router.message(lambda m, d: not d["words"].reading.is_dispute and bool(d["conversation"].last_case))
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


@router.message(lambda m, d: _tells_something(d["words"]))
async def on_told_something(ctx: AppContext, uow: UnitOfWork, conversation: Conversation, message: Message,
                            turn: Turn, words: Words) -> Answer:
    """A report begins: what was said is kept and the resident is asked what happened,
    rather than sent the welcome text (which would make them type it all again)."""
    return await Intake(ctx, uow, conversation, message, turn).begin(words)


# a feeling in a word or two ("累了", "烦死了", "好委屈"): someone who has not found the words yet,
# not one to be sent the menu
_FEELING = re.compile(r"^\s*(?:好|真|太|心|有点|我)?(?:累|烦|难受|委屈|憋屈|崩溃|想哭|伤心|难过|郁闷|心烦|头疼|受不了)"
                      r"(?:了|死了|啊|呀|得很|哦)*[！!。，,~～…\s]*$")


# a story that breaks off as it begins ("我说一下啊 就是我们那个", "就是我们家", voice input while
# thinking): asked to go on, not told what the assistant cannot do
_BREAKS_OFF = re.compile(r"^\s*(?:我|俺)?(?:说一下|说个事|想说|跟你们?说|是这样|就是|那个|我们|我家|俺家|咱家|我们家)"
                         r"[^。！？!?]{0,10}?(?:啊|呀|嘛|吧|哈|那个|这个)?[，,。…\s]*$")


@router.message(lambda m, d: bool(_FEELING.match(d["words"].text) or _BREAKS_OFF.match(d["words"].text)))
async def on_a_feeling() -> Answer:
    return texts.GO_ON


@router.message()
async def on_anything_else(ctx: AppContext, words: Words, conversation: Conversation, uow: UnitOfWork) -> Answer:
    if not words.text.strip("，。！？、 "):
        return texts.GO_ON          # only emoji ("😭😭😭", "🙏"): someone who has not found the words yet
    if LATIN_ONLY.match(words.text):
        return texts.CHINESE_ONLY
    return texts.help_text(ctx.registry) if conversation.welcome_again(uow.now) else texts.ONLY_DISPUTES


LATIN_ONLY = re.compile(r"^[^\u4e00-\u9fff]*[a-z]{2}[^\u4e00-\u9fff]*$", re.IGNORECASE)
