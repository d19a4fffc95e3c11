"""A phone number said in parts. Voice input sends what was said as soon as the speaker
pauses: "一三八" / "零零零零" / "一二一二" arrive as three messages. At the phone question (or at
the summary while no number was given) the parts are put together until they make a number."""
from __future__ import annotations

from typing import Any

from bot.conversation import CONFIRM, CONTACT
from bot.message import Message
from bot.privacy import mask_phone
from handlers import texts
from handlers.intake import Intake
from nlp import find_phones
from nlp.slots import digits_only

LONGEST = 12          # a landline with its area code: 0 + 3 + 8
FIRST_PART = 6


def phone_part(message: Message, data: dict[str, Any]) -> bool:
    """The words are digits only, and part of a number still being said."""
    conv, words = data["conversation"], data["words"]
    draft = conv.draft
    if draft.case_number or conv.step not in (CONTACT, CONFIRM) or (conv.step == CONFIRM and draft.contact):
        return False
    part = digits_only(words.body)
    if part is None or words.reading.phones:
        return False
    # a number is said 3-4-4 (or 5-6): a longer first run is a number typed wrong, refused as such,
    # and a digit or two alone is no start of one ("1" at the summary)
    return bool(draft.digits) or 3 <= len(part) <= FIRST_PART


async def take_phone_part(intake: Intake, part: str) -> list[str]:
    draft = intake.draft
    said = draft.digits + part
    phones = find_phones(said)
    if phones:
        draft.digits = ""
        draft.contact, draft.contact_by_account = phones[0], False
        return [f"好的，电话记下了（{mask_phone(phones[0])}）。", *await intake.next_step()]
    if len(said) >= LONGEST:
        draft.digits = ""
        bad = texts.BAD_PHONE if intake.account_reaches else texts.BAD_PHONE_WEB
        return [bad.format(digits=said)]
    draft.digits = said
    return [texts.PHONE_SO_FAR.format(digits=said)]
