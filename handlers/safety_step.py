"""The safety question's step: an answer makes the report red at once or lets it go on; a
phone or a place sent instead is kept and the question asked once more; one who will not
answer is not asked again; the story going on leaves it unanswered (the centre's attention
list, not the leader's phone)."""
from __future__ import annotations

import re

from bot.conversation import DESCRIBE, PLACE, SAFETY, Safety
from bot.dispatcher import Answer, Router
from bot.filters import StepIs
from bot.privacy import mask_phone
from bot.words import Words, han_count
from handlers import texts
from handlers.intake import Intake
from handlers.safety import REFUSES, SafetyAnswered, said_besides
from nlp.intents import Intent, contact_caution, is_filler
from nlp.reading import Reading

router = Router("safety step", StepIs(SAFETY))


def _tells_anything(reading: Reading) -> bool:
    """Whether words carry a dispute, a danger, or a place, a phone or a sum for the report."""
    return bool(reading.is_dispute or reading.risk != "green" or reading.ask_safety or reading.places
                or reading.phones or reading.money)


def _only_where(words: Words) -> bool:
    """Words that give a place and nothing else of the story ("柳林村", "新华小区8栋")."""
    r = words.reading
    return bool(r.places) and not r.is_dispute and r.risk == "green" and not r.ask_safety \
        and not r.phones and len(words.body) <= 16


# what a bare phone number comes with ("电话：139…", "我的手机是…")
DIGITS_OR_SPACE = re.compile(r"[\d\s\-+－—电话手机号是我的：:，,。]+")


@router.message(SafetyAnswered())
async def on_safety_answer(intake: Intake, in_danger: bool, words: Words) -> Answer:
    rest = said_besides(words.raw or words.text)
    if han_count(rest) >= 2:
        # "没有，但我说到做到": the no answers, the rest is the story's (it was dropped)
        await intake.absorb_said(rest)
    return await intake.safety_answered(in_danger)


def _only_a_phone(words: Words) -> bool:
    """A phone number, alone or with how (not) to use it ("139… 只能发短信 别打电话")."""
    rest = DIGITS_OR_SPACE.sub("", words.body)
    # the caution is looked for as written: with the digits and 我/电话/手机 taken out, "别给我打电话
    # 他会查手机" was "别给打他会查", no caution, and the number went into the story unacknowledged
    return bool(words.reading.phones) and (len(rest) <= 4 or bool(contact_caution(words.body))
                                           and not words.reading.is_dispute
                                           and words.reading.risk == "green" and not words.reading.ask_safety)


@router.message(lambda m, d: _only_a_phone(d["words"]))
async def on_phone_instead_of_answer(intake: Intake, words: Words) -> Answer:
    """A phone number sent to the safety question, with or without a caution: kept, and the
    question asked once more (it was dropped without a word, and the caution pasted into the
    story)."""
    await intake.absorb(intake.raw(words), words.reading, describe=False)
    said = f"好的，电话记下了（{mask_phone(intake.draft.contact)}）。" if intake.draft.contact else ""
    note = intake.draft.contact_note
    if said and note:
        said = said[:-1] + f"，也记下了您的提醒：{note}。"
        if texts.no_calls(note):
            said += texts.NO_CALL_PROMISE
    return [said + texts.safety_question(intake.draft.risk_reasons)]


@router.message(lambda m, d: not d["conversation"].draft.safety_again
                and _only_where(d["words"]))
async def on_place_instead_of_answer(intake: Intake, words: Words) -> Answer:
    """"柳林村" sent to the safety question: the place is kept and the question asked once more
    (it was taken as the story going on, and a pregnant woman pushed by her mother-in-law was
    never asked again)."""
    intake.draft.safety_again = True
    await intake.absorb(intake.raw(words), words.reading, describe=False, step=PLACE)
    return ["好的，地点记下了。" + texts.SAFETY_AGAIN]


@router.message(lambda m, d: bool(REFUSES.search(d["words"].text)) and not _tells_anything(d["words"].reading))
async def on_no_answer_wanted(intake: Intake) -> Answer:
    """"不想说 你们别管我": not asked again; the report goes on, and the centre sees it as unanswered."""
    intake.draft.safety = Safety.UNANSWERED
    intake.conv.step = DESCRIBE
    following = await intake.next_step()
    return [texts.NO_ANSWER_OK + (following[0] if following else ""), *following[1:]]


@router.message(lambda m, d: not d["conversation"].draft.safety_again
                and not _tells_anything(d["words"].reading))
async def on_something_else_instead_of_answer(intake: Intake, words: Words) -> Answer:
    """"我今天去菜市场买了点肉" to the safety question: neither an answer nor more of the story;
    the question once more (it was taken into the story, which then read red as a 消费纠纷)."""
    intake.draft.safety_again = True
    return [texts.SAFETY_AGAIN]


@router.message()
async def on_story_instead_of_answer(intake: Intake, words: Words) -> Answer:
    intake.draft.safety = Safety.UNANSWERED         # they went on with their story: read it as such
    intake.conv.step = DESCRIBE
    if words.has(Intent.CONFIRM) or is_filler(words.text):
        # "要得", "好的", "嗯": heard, not answered, and no part of the story (it was pasted in)
        return await intake.next_step()
    return await intake.take_description(words)
