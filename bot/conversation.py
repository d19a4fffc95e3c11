"""A resident's conversation with the bot: where the intake stands and the draft report.

Stored as JSON in the state store under the channel and user, so any worker process can
carry on a conversation that another one started.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from nlp import Reading
from nlp.parties import find_party, own_name
from nlp.slots import own_phones
from storage.lifecycle import Risk


class Step(StrEnum):
    """Where an intake stands: the question the resident was last asked."""
    DESCRIBE = "describe"
    PLACE = "place"
    PARTY = "party"
    CONTACT = "contact"
    CONFIRM = "confirm"
    RATE = "rate"            # asked to rate a result (bot/rating.py)
    SAFETY = "safety"        # asked whether anyone is hurt or in danger now


DESCRIBE, PLACE, PARTY, CONTACT, CONFIRM, RATE, SAFETY = (Step.DESCRIBE, Step.PLACE, Step.PARTY, Step.CONTACT,
                                                          Step.CONFIRM, Step.RATE, Step.SAFETY)


class Safety(StrEnum):
    """The safety question: not asked, asked, answered yes or no, or passed over (the person
    went on with the story; one asked and never answered puts the case on the centre's
    attention list)."""
    NOT_ASKED = ""
    ASKED = "asked"
    YES = "yes"
    NO = "no"
    UNANSWERED = "unanswered"


@dataclass(frozen=True)
class Told:
    """What one message told the intake, worked out before the draft is touched: the words
    as said, their reading, the reading of the whole description with them (when they add
    to it), and the place they name (a code, codes to choose from, or None)."""
    raw: str
    reading: Reading
    whole: Reading | None = None
    place: str | list[str] | None = None
    area: str | None = None              # the town or county the offered places lie in


@dataclass
class Draft:
    id: str = field(default_factory=lambda: uuid.uuid4().hex)   # becomes the case's intake key
    texts: list[str] = field(default_factory=list)
    type: str | None = None
    address_asked: bool = False                                # "都不是" to the places offered: the next answer is the address
    type_told: bool = False                                    # the resident named the type: the reading keeps off it
    confidence: float = 0.0
    evidence: list[str] = field(default_factory=list)
    risk: str = "green"
    risk_reasons: list[str] = field(default_factory=list)
    # the safety question: "" not asked, "asked", "yes", "no", "unanswered" (the person went on
    # without answering); one asked and never answered puts the case on the centre's attention list
    safety: str = ""
    safety_again: bool = False          # the safety question asked a second time (an answer about something else)
    model_version: str = ""                                    # which understanding read it
    place_code: str | None = None
    place_options: list[str] = field(default_factory=list)     # codes offered when the place was unclear
    place_area: str | None = None                              # the town / county those options are in
    place_unknown: bool = False                                # "不知道": opened without one, the centre finds it
    place_tries: int = 0                                       # places named that we did not know
    party: str | None = None
    party_asked: bool = False
    story_asked: bool = False                                  # "what happened?" asked again (a phone and a place told)
    contact: str | None = None                                 # digits, or "" for "this account"
    contact_by_account: bool = False
    contact_tries: int = 0                                     # answers to the phone question that gave none
    digits: str = ""                                           # a phone said in parts so far ("一三八" / "零零零零")
    contact_note: str = ""                                     # how (not) to reach them ("别打这个电话…")
    urgent_asks: dict[str, int] = field(default_factory=dict)  # after an urgent case opened: times asked, by step
    reporter_name: str = ""
    media: list[dict[str, Any]] = field(default_factory=list)
    source: str = ""                                           # dispute code (place) the intake began from
    case_number: str | None = None                             # set once opened (red cases open at once)
    started_at: str = ""
    history: list[list[Any]] = field(default_factory=list)     # [iso time, kind, data] for the ledger

    @property
    def description(self) -> str:
        return _joined(self.texts)

    def description_with(self, raw: str) -> str:
        return _joined((*self.texts, raw))

    def apply(self, told: Told, describe: bool = True, step: Step | None = None) -> bool:
        """Take what a message told into the draft (no I/O); True when it filled or changed a
        slot the question at `step` asked for."""
        changed = False
        reading = told.reading
        if describe and told.raw:
            self.texts.append(told.raw)
            whole = told.whole or reading
            if whole.is_dispute and not self.type_told:
                self.type, self.confidence, self.evidence = whole.type, whole.confidence, list(whole.evidence)
            elif self.type is None and len(self.texts) >= 2:
                self.type = "other"       # described twice and still no known type: a person will sort it
            self.raise_risk(reading)
            if whole is not reading:
                self.raise_risk(whole)
            self.model_version = whole.model_version or reading.model_version
            if (reading.ask_safety or whole.ask_safety) and not self.safety and self.risk != Risk.RED:
                self.safety = Safety.ASKED             # unsure whether someone is in danger: ask, once
        else:
            self.raise_risk(reading)
        place = told.place
        if place is not None:
            if isinstance(place, list):
                self.place_options, self.place_area = place, told.area
                changed = True
            elif place != self.place_code:
                self.place_code, self.place_options = place, []
                changed = True
            elif step == Step.PLACE:
                changed = True
        # the writer's numbers only: "他电话是130…" is the other party's, not one to call back
        phones = reading.phones or (() if reading.other_phones else tuple(own_phones(told.raw)))
        if phones and phones[0] != self.contact:
            if self.contact and not describe:
                # a correction ("电话写错了 是139…"): the story said the old number, staff read it
                said = re.compile(r"[\s\-－—]?".join(map(re.escape, self.contact)))
                self.texts = [said.sub(phones[0], t) for t in self.texts]
            self.contact, self.contact_by_account = phones[0], False
            changed = True
        name = own_name(told.raw)
        if name and not self.reporter_name:
            self.reporter_name = name               # "我叫王大明": the reporter, masked wherever shown
        party = find_party(reading.text or told.raw)
        if party and party != self.party and (step in (Step.PARTY, Step.CONFIRM) or not self.party):
            self.party, self.party_asked = party, True
            changed = changed or step in (Step.PARTY, Step.CONFIRM)
        return changed

    def raise_risk(self, reading: Reading) -> None:
        """A colour only rises while the intake goes on; every reason is kept."""
        if Risk(reading.risk).rank > Risk(self.risk).rank:
            self.risk = reading.risk
        self.risk_reasons = sorted(set(self.risk_reasons) | set(reading.risk_reasons))


def _joined(texts: Iterable[str]) -> str:
    """The messages as one story: "；" between them, not after a full stop ("…没用。；对方…")."""
    parts = [t.strip() for t in texts if t and t.strip()]
    return "".join(t if i == len(parts) - 1 else (t if t[-1] in "。！？；!?;" else t + "；")
                   for i, t in enumerate(parts))


_DRAFT_FIELDS = frozenset(f.name for f in fields(Draft))
_DRAFT_FIELD_ORDER = tuple(f.name for f in fields(Draft))


@dataclass
class Conversation:
    step: Step | None = None
    draft: Draft | None = None
    updated_at: str = ""
    last_case: str | None = None
    rating_case: str | None = None
    party_case: str | None = None       # this chat speaks for a party of that case (handlers/party.py)
    party_id: int | None = None
    welcomed_at: str = ""               # when the welcome text was last sent (not again and again)
    held: str = ""                      # another matter told while one was being written: begun
                                        # when that one is submitted (not mixed into it)

    def to_json(self) -> dict[str, Any]:
        """The stored form. Its lists are the conversation's own, not copies (it is written at
        once; a deep copy of a long draft's history cost more than the message's SQL)."""
        out = {name: getattr(self, name) for name in _CONVERSATION_FIELDS}
        if self.draft is not None:
            out["draft"] = {name: getattr(self.draft, name) for name in _DRAFT_FIELD_ORDER}
        return out

    @property
    def awaits_safety(self) -> bool:
        """A draft whose safety question is unanswered: if the person goes silent, the centre
        looks at it (bot/attention.py) rather than letting it expire unseen."""
        return bool(self.draft and not self.draft.case_number and self.draft.safety in ("asked", "unanswered"))

    @property
    def is_empty(self) -> bool:
        """Nothing worth keeping: no draft, no question pending, no case to come back to."""
        return not (self.step or self.draft or self.rating_case or self.last_case or self.party_case
                    or self.welcomed_at or self.held)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "Conversation":
        if not data:
            return cls()
        # fields this version does not know (written by another version) are left out
        draft = Draft(**{k: v for k, v in data["draft"].items() if k in _DRAFT_FIELDS}) if data.get("draft") else None
        step = str(data.get("step") or "")
        # a step this version does not know (written by another version): ask again from the
        # story rather than fail every message of this person
        known = Step(step) if step in Step._value2member_map_ else (Step.DESCRIBE if step and draft else None)
        return cls(step=known, draft=draft, updated_at=data.get("updated_at", ""),
                   last_case=data.get("last_case"), rating_case=data.get("rating_case"),
                   party_case=data.get("party_case"), party_id=data.get("party_id"),
                   welcomed_at=data.get("welcomed_at", ""), held=str(data.get("held") or ""))

    def welcome_again(self, now: datetime, minutes: float = 30) -> bool:
        """Whether the welcome text is news to this person: not sent within `minutes` (each
        "在吗", "哈哈" and "你好" got its three lines again); noted as sent now when it is."""
        last = datetime.fromisoformat(self.welcomed_at) if self.welcomed_at else None
        if last is not None and now - last < timedelta(minutes=minutes):
            return False
        self.welcomed_at = now.isoformat()
        return True

    def start(self, now: datetime, source: str = "") -> Draft:
        self.draft = Draft(started_at=now.isoformat(), source=source)
        return self.draft

    def finish(self) -> None:
        self.step, self.draft = None, None

    def idle_since(self) -> datetime | None:
        return datetime.fromisoformat(self.updated_at) if self.updated_at else None


_CONVERSATION_FIELDS = tuple(f.name for f in fields(Conversation))
