"""The intake as a state machine: one handler per (step, intent) while a report is drafted.

The resident router (handlers/resident.py) has heard the words once (`words`: normalised
text, reading, intents) and handled the control words (cancel, progress, help). Here the
handlers are tried in order and the first whose filters match answers; `Intake`
(handlers/intake.py) does the work, `Draft.apply` (bot/conversation.py) takes the words
into the draft.

    SAFETY   + an answer            → red at once (yes) or on with the intake (no) (handlers/safety_step.py)
    SAFETY   + anything else        → the story goes on (question left unanswered)
    CONFIRM  + yes / no             → open the case / ask what to change
    any      + bare "不对"           → ask what to change
    opened urgent case + "没有"      → done, the case goes on
    PLACE    + choice, area, "不知道", a place we do not know (handlers/place_step.py)
    CONTACT  + "this account", skip, bad digits
    PARTY    + skip, a short name
    DESCRIBE + anything             → more of the story
    any step + an answer that fills its slot → the next question; else more of the story
"""
from __future__ import annotations

import re
from typing import Any

from bot.conversation import CONFIRM, CONTACT, DESCRIBE, PARTY, PLACE
from bot.dispatcher import UNHANDLED, Answer, Router
from bot.filters import Corrected, Drafting, IntentIs, Spoken, StepIs
from bot.message import Message
from bot.privacy import mask_phone
from bot.words import Words, han_count
from handlers import faq, place_step, relays, safety_step, texts
from handlers.intake import DIGITS_RUN, Intake
from handlers.progress import progress_reply
from handlers.spoken_phone import phone_part, take_phone_part
from nlp import find_phones
from nlp.field_edits import field_edit, said_after_type
from nlp.intents import (
    Intent,
    another_matter,
    chases,
    contact_caution,
    contacted_through,
    declines_phone,
    points_back,
    settled_plainly,
    tells_how_it_stands,
)
from nlp.parties import answered_party
from nlp.reading import TYPE_NAMES
from nlp.slots import digits_only, spoken_digits


def _intake(message: Message, data: dict[str, Any]) -> dict[str, Any]:
    return {"intake": Intake(data["ctx"], data["uow"], data["conversation"], message, data["turn"])}


router = Router("drafting", Drafting(), Spoken(), _intake)
router.include_router(safety_step.router)        # the safety question first, whatever else is said
steps = router.include_router(Router("steps"))
NOT_CORRECTED = ~Corrected()


@steps.message(lambda m, d: not d["words"].text.strip(_NO_WORDS) and not d["conversation"].draft.case_number)
async def on_no_words(intake: Intake) -> Answer:
    """"😭" or "。。。" to a question: no answer and no part of the story (the emoji was pasted in,
    the dots taken as "no phone"); the question again, gently."""
    return [texts.TAKE_YOUR_TIME, *await intake.next_step()]


_NO_WORDS = "，,。.！!？?、…~～ \t\n"


@steps.message(lambda m, d: another_matter(d["words"].text))
async def on_another_matter(intake: Intake, words: Words) -> Answer:
    """"另外一件事…" while an urgent case takes additions: that case goes on, this is a report
    of its own. Before a report is submitted: one matter at a time, so the two are not mixed
    in one case (the words would change this one's party or story)."""
    if intake.draft.case_number:
        intake.conv.finish()
        return await intake.begin(words)
    if not intake.draft.texts:
        # nothing told yet (a question began it: "之前谁反映过 他电话多少"): this is the report (a
        # trial's was refused with "one at a time" and lost)
        intake.conv.finish()
        return await intake.begin(words)
    return await _hold(intake, words)


async def _hold(intake: Intake, words: Words) -> Answer:
    """Kept for after this report is submitted (asking to say it again lost it)."""
    conv = intake.conv
    conv.held = f"{conv.held}；{words.raw}" if conv.held else words.raw
    return [texts.HELD_FOR_LATER, *await intake.next_step()]


def _second_matter(message: Message, data: dict[str, Any]) -> bool:
    """A dispute of another type told at the summary or the phone question, not pointing back
    at this one ("我老婆在镇上饭店打工 老板两个月没发工资了" during a 低保 report): another
    matter ("他还欠我两千" is more of this one)."""
    words: Words = data["words"]
    draft = data["conversation"].draft
    reading = words.reading
    return (data["conversation"].step in (CONFIRM, CONTACT) and bool(draft.texts) and not draft.case_number
            and reading.is_dispute and draft.type is not None and reading.type != draft.type
            and not words.corrected and not reading.phones and not reading.places
            and han_count(_NUMERALS.sub("", words.text)) >= 8 and not points_back(words.text)
            and not tells_how_it_stands(words.text))


# a number said aloud ("幺三八一二三四…") is no story
_NUMERALS = re.compile(r"[零〇幺一二两三四五六七八九十百千万]")


@steps.message(_second_matter)
async def on_second_matter(intake: Intake, words: Words) -> Answer:
    return await _hold(intake, words)


@steps.message(phone_part)
async def on_phone_part(intake: Intake, words: Words) -> Answer:
    return await take_phone_part(intake, digits_only(words.body) or "")


@steps.message(StepIs(DESCRIBE), NOT_CORRECTED, IntentIs(Intent.CONFIRM, Intent.SKIP),
                lambda m, d: bool(d["conversation"].draft.texts) and not d["conversation"].draft.case_number)
async def on_thats_all(intake: Intake) -> Answer:
    """"确认" / "就这些" when asked for more of the story: it is told; a type the reading did
    not find is 其他 (staff correct it), and on to what is missing."""
    intake.draft.type = intake.draft.type or "other"
    return await intake.next_step()


@steps.message(StepIs(CONFIRM), NOT_CORRECTED, IntentIs(Intent.CONFIRM))
async def on_confirm(intake: Intake) -> Answer:
    opened = await intake.open_case()
    held, conv = intake.conv.held, intake.conv
    if held and conv.draft is None:
        conv.held = ""
        return [*opened, texts.now_the_other_matter(held), *await intake.begin(await intake.hear(held))]
    return opened


@steps.message(StepIs(CONFIRM), lambda m, d: settled_plainly(d["words"].text) and han_count(d["words"].text) <= 40)
async def on_settled_at_the_summary() -> Answer:
    """"哦 刚刚他家来人道歉了 已经解决了 谢谢" (longer than a plain "已经解决了" the resident
    router takes as the end): asked, not pasted into the story nor dropped."""
    return texts.SETTLED_ASK


@steps.message(StepIs(CONFIRM), NOT_CORRECTED, IntentIs(Intent.DENY))
async def on_deny(intake: Intake) -> Answer:
    return texts.ASK_WHAT_TO_CHANGE


@steps.message(StepIs(CONFIRM), NOT_CORRECTED, IntentIs(Intent.SKIP))
async def on_skip_at_the_summary(intake: Intake) -> Answer:
    """"跳过" at the summary: nothing to add to the story; the summary's question again."""
    return texts.CONFIRM_OR_CHANGE


@steps.message(Corrected(), lambda m, d: not d["words"].body)
async def on_bare_correction() -> Answer:
    return texts.ASK_WHAT_TO_CHANGE


@steps.message(lambda m, d: bool(d["words"].reading.phones or d["words"].reading.other_phones)
                and contacted_through(d["words"].text) is not None and not d["conversation"].draft.case_number)
async def on_contact_through_a_relative(intake: Intake, words: Words) -> Answer:
    """"你们联系我爸吧 他电话136… 他耳朵不好 最好上门" (a report for a parent): the number is the
    one to call, and who it is and how to reach him go with it (they were kept nowhere)."""
    draft = intake.draft
    phone = (words.reading.phones or words.reading.other_phones)[0]
    who = contacted_through(words.text)
    # what else was said of how to reach them ("他耳朵不好 最好上门"), without the number's clauses
    rest = " ".join(c for c in re.split(r"[，,。；;！!\s]+", DIGITS_RUN.sub(" ", words.text))
                    if c and not re.search(r"联系|电话|手机|号码", c))
    draft.contact, draft.contact_by_account = phone, False
    draft.contact_note = f"请联系{who}" + (f"：{rest}" if rest else "")
    following = await intake.next_step()
    return [f"好的，联系电话记为{mask_phone(phone)}（{who}）" + (f"，已记下：{rest}。" if rest else "。"), *following]


@steps.message(lambda m, d: chases(d["words"].text) and d["words"].reading.is_dispute
                and bool(d["conversation"].last_case) and d["words"].reading.type != d["conversation"].draft.type)
async def on_chase_of_an_open_case(intake: Intake, words: Words) -> Answer:
    """"我那个工资的事到底有人管没有" while a noise report is drafted: the wage case answers
    (status, and the nudge to its people), then the question pending is asked again."""
    case = await intake.open_cases.about(words.reading)
    if case is None or case.type != words.reading.type:
        return UNHANDLED
    status = await progress_reply(intake.ctx, intake.uow, intake.message, intake.turn, case.number)
    return [status, *await intake.open_cases.tell(case, words.raw, chase=True), *await intake.next_step()]


@steps.message(lambda m, d: not d["words"].reading.places and faq.answer(d["words"].text) is not None)
async def on_question_about_mediation(intake: Intake, words: Words) -> Answer:
    """"调解协议有法律效力吗" mid-report: answered, then the question pending asked again."""
    said = faq.answer(words.text, intake.ctx.settings.dispatch_days)
    assert said is not None
    return [said, *await intake.next_step()]


@steps.message(IntentIs(Intent.HUMAN), lambda m, d: not d["words"].reading.is_dispute and not d["words"].reading.places
                and not d["words"].reading.phones)
async def on_wants_a_person_midway(intake: Intake) -> Answer:
    """"我要找真人" at the phone question (it was taken as no phone): answered honestly, then
    the question pending asked again."""
    return [texts.A_PERSON_MIDWAY, *await intake.next_step()]


@steps.message(lambda m, d: field_edit(d["words"].body) is not None)
async def on_field_edit(intake: Intake, words: Words) -> Answer:
    """"对方是合伙人陈刚", "类型不对 应该是债务": the field named takes the value given (the
    story is not added to), then on as before (the summary again, at the end)."""
    edit = field_edit(words.body)
    assert edit is not None
    field, value = edit
    draft = intake.draft
    step = intake.conv.step
    if field == "surname":              # "对方姓刘": the party already named, with their surname
        field, value = "party", f"{_PARTY_TAIL.sub('', draft.party or '') or '对方'}（姓{value}）"
    if field == "last_digit":
        if not draft.contact or not draft.contact[-1:].isdigit():
            return [texts.WHOLE_NUMBER_PLEASE]
        draft.contact = draft.contact[:-1] + value
        said = f"联系电话改为{mask_phone(draft.contact)}"
    elif field == "party":
        draft.party, draft.party_asked = value, True
        said = f"对方记为{value}"
    else:
        draft.type, draft.type_told = value, True
        said = f"类型改为{TYPE_NAMES.get(value, value)}"
        rest = said_after_type(words.body)
        if rest:            # "…应该是婚姻家庭 他是我前夫": the story's (it was dropped)
            await intake.absorb_said(rest)
    following = await intake.next_step()
    if intake.conv.step == step and following and step != CONFIRM:    # the same question again: say what was taken
        return [f"好的，{said}。{following[0]}", *following[1:]]
    return following


@steps.message(lambda m, d: bool(d["conversation"].draft.case_number), IntentIs(Intent.SKIP))
async def on_nothing_to_add(intake: Intake) -> Answer:
    draft = intake.draft
    number = draft.case_number          # additions to an urgent case are optional
    intake.conv.finish()
    if texts.writer_in_distress(draft.risk_reasons, draft.description):
        # someone who said they do not want to live, and does not want to say more: not
        # "照常办理" (a case going its usual way), but that someone is coming and help is a call away
        return texts.DISTRESS_NOTHING_MORE.format(number=number)
    if draft.risk == "red":
        return f"好的。案件 {number} 已按紧急情况办理，工作人员会尽快联系您；有危险请马上拨打110。"
    return f"好的，案件 {number} 照常办理。"


# "没有", "好的谢谢" to "what happened?": nothing to tell
_NOTHING_HAPPENED = re.compile(r"(?:没有|没|没事|没啥|没什么|没了|不用|不需要|算了|好的|好|嗯|谢谢|好的谢谢|谢谢你们?|没别的)"
                               r"(?:了|啊|呀|吧|哈|谢谢|谢谢你们?)*[。！!~～.\s]*")


@steps.message(StepIs(DESCRIBE), lambda m, d: not d["conversation"].draft.case_number
               and bool(_NOTHING_HAPPENED.fullmatch(d["words"].text.strip())))
async def on_nothing_happened(intake: Intake) -> Answer:
    """Asked what happened after a question and a film ("…电影里面有人跳楼…调解要收费吗"), a
    "没有" with no story told ends it: no report (a re-check's went on to the place question
    and took "好的谢谢" for a place)."""
    if intake.told_what_happened():
        return UNHANDLED
    intake.conv.finish()
    return texts.JUST_ASKING


@steps.message(StepIs(DESCRIBE))
async def on_description(intake: Intake, words: Words) -> Answer:
    if words.has(Intent.SKIP) and intake.draft.case_number:
        return await on_nothing_to_add(intake)
    return await intake.take_description(words)


_PARTY_TAIL = re.compile(r"（姓.）$")       # a surname told before, replaced by the one told now


def _no_phone(message: Message, data: dict[str, Any]) -> bool:
    words: Words = data["words"]
    if words.reading.phones:        # "135… 只能发微信联系我": the number, and how to use it (a caution)
        return False
    # "不方便 你们别打电话": no calls at all is no phone to give (the question was asked again)
    return words.has(Intent.THIS_ACCOUNT, Intent.SKIP) or declines_phone(words.body) \
        or texts.no_calls(contact_caution(words.body))


@steps.message(StepIs(CONTACT), NOT_CORRECTED, _no_phone)
async def on_contact_by_account(intake: Intake, words: Words) -> Answer:
    draft = intake.draft
    caution = contact_caution(words.body)
    if caution:
        draft.contact_note = caution
    if intake.account_reaches:
        # no phone given on an account staff can write to: the account it is (the summary says so)
        draft.contact, draft.contact_by_account = "", True
    else:
        draft.contact, draft.contact_by_account = "", False     # the web: a phone is optional
    return await intake.next_step()


@steps.message(StepIs(CONTACT), lambda m, d: bool(d["conversation"].draft.case_number) and bool(find_phones(d["words"].text)))
async def on_phone_for_one_of_several_relays(intake: Intake, words: Words) -> Answer:
    """A bare number while two or more of this worker's relays wait for one: which is it for
    (it went to the newest, though the worker meant the first)."""
    pending = await relays.waiting(intake.ctx, intake.uow, intake.message)
    if len(pending) < 2:
        return UNHANDLED
    return relays.which_one(intake.ctx, pending, find_phones(words.text)[0])


@steps.message(StepIs(CONTACT), lambda m, d: bool(d["words"].reading.other_phones) and not d["words"].reading.phones
                and not d["conversation"].draft.case_number)
async def on_someone_elses_phone(intake: Intake, words: Words) -> Answer:
    """"刘家的电话是133…" / "他电话是133…" at the phone question: someone else's number is kept
    in the story for the staff (it was taken as the resident's own, or refused as "不是有效的
    电话号码"), and the resident's own is asked for."""
    await intake.absorb(intake.raw(words), words.reading)
    shown = "、".join(mask_phone(p) for p in words.reading.other_phones)
    return texts.OTHERS_PHONE_KEPT.format(phones=shown) + (
        texts.ASK_OWN_PHONE if intake.account_reaches else texts.ASK_OWN_PHONE_WEB)


@steps.message(StepIs(CONTACT))
async def on_contact(intake: Intake, words: Words) -> Answer:
    answered = await intake.take_answer(words, CONTACT)
    if answered is not None:
        return answered
    bad = DIGITS_RUN.search(spoken_digits(words.body))        # "幺三八一二三四五六七八九": one digit too many
    if bad:
        return (texts.BAD_PHONE if intake.account_reaches else texts.BAD_PHONE_WEB).format(digits=bad.group(0))
    if words.has(Intent.SKIP):
        return intake.ask_contact
    draft = intake.draft
    draft.contact_tries += 1
    if words.has(Intent.CONFIRM) and not words.reading.is_dispute:
        # "确认", "好的": no phone, and no part of the story either
        return intake.ask_contact if draft.contact_tries < 2 else await on_contact_by_account(intake, words)
    if draft.contact_tries >= 2:
        # asked twice and no phone given: not a third time (the summary shows what was settled);
        # more of the story is still kept
        if words.reading.is_dispute:
            await intake.absorb(intake.raw(words), words.reading)
        return await on_contact_by_account(intake, words)
    return await intake.take_description(words)


@steps.message(StepIs(PARTY), NOT_CORRECTED, IntentIs(Intent.SKIP))
async def on_no_party(intake: Intake) -> Answer:
    intake.draft.party, intake.draft.party_asked = None, True
    return await intake.next_step()


@steps.message(StepIs(PARTY), NOT_CORRECTED, IntentIs(Intent.CONFIRM, Intent.DENY))
async def on_party_not_named(intake: Intake) -> Answer:
    """"确认", "好的" to "对方是谁？": nobody named, and not asked again."""
    return await on_no_party(intake)


@steps.message(StepIs(PARTY))
async def on_party(intake: Intake, words: Words) -> Answer:
    named = answered_party(words.body)
    if named is not None:
        # as the resident named them ("村主任", "养猪场老板姓孙"), not cut to a word of a list
        draft = intake.draft
        draft.party, draft.party_asked = named[0], True
        if named[1]:
            await intake.absorb(named[1], words.reading)
        return await intake.next_step()
    answered = await intake.take_answer(words, PARTY)
    if answered is not None:
        return answered
    return await intake.take_description(words)


@steps.message(~StepIs(PLACE))      # the place step is handlers/place_step.py
async def on_answer(intake: Intake, words: Words) -> Answer:
    """CONFIRM with more words, or no step at all (an urgent case's additions)."""
    step = intake.conv.step
    answered = await intake.take_answer(words, step) if step else None
    if answered is not None:
        return answered
    if step == CONFIRM and words.corrected:
        return texts.ASK_WHAT_TO_CHANGE
    return await intake.take_description(words)


# tried after every handler above (a second matter, a field edit, a question…), as when it stood among them
steps.include_router(place_step.router)
