"""A resident's conversation with the bot: where the intake stands and the draft report.

Stored as JSON in the state store under the channel and user, so any worker process can
carry on a conversation that another one started.
"""
from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

# The steps of an intake. None: nothing open.
DESCRIBE, PLACE, PARTY, CONTACT, CONFIRM, RATE = "describe", "place", "party", "contact", "confirm", "rate"
SAFETY = "safety"           # asked whether anyone is hurt or in danger now


@dataclass
class Draft:
    id: str = field(default_factory=lambda: uuid.uuid4().hex)   # becomes the case's intake key
    texts: list[str] = field(default_factory=list)
    type: str | None = None
    confidence: float = 0.0
    evidence: list[str] = field(default_factory=list)
    risk: str = "green"
    risk_reasons: list[str] = field(default_factory=list)
    # the safety question: "" not asked, "asked", "yes", "no", "unanswered" (the person went on
    # without answering); one asked and never answered puts the case on the centre's attention list
    safety: str = ""
    model_version: str = ""                                    # which understanding read it
    place_code: str | None = None
    place_options: list[str] = field(default_factory=list)     # codes offered when the place was unclear
    place_area: str | None = None                              # the town / county those options are in
    place_unknown: bool = False                                # "不知道": opened without one, the centre finds it
    place_tries: int = 0                                       # places named that we did not know
    party: str | None = None
    party_asked: bool = False
    contact: str | None = None                                 # digits, or "" for "this account"
    contact_by_account: bool = False
    reporter_name: str = ""
    media: list[dict[str, Any]] = field(default_factory=list)
    source: str = ""                                           # dispute code (place) the intake began from
    case_number: str | None = None                             # set once opened (red cases open at once)
    started_at: str = ""
    history: list[list[Any]] = field(default_factory=list)     # [iso time, kind, data] for the ledger

    @property
    def description(self) -> str:
        return "；".join(t for t in self.texts if t)


@dataclass
class Conversation:
    step: str | None = None
    draft: Draft | None = None
    updated_at: str = ""
    last_case: str | None = None
    rating_case: str | None = None
    party_case: str | None = None       # this chat speaks for a party of that case (handlers/party.py)
    party_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def awaits_safety(self) -> bool:
        """A draft whose safety question is unanswered: if the person goes silent, the centre
        looks at it (bot/attention.py) rather than letting it expire unseen."""
        return bool(self.draft and not self.draft.case_number and self.draft.safety in ("asked", "unanswered"))

    @property
    def is_empty(self) -> bool:
        """Nothing worth keeping: no draft, no question pending, no case to come back to."""
        return not (self.step or self.draft or self.rating_case or self.last_case or self.party_case)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "Conversation":
        if not data:
            return cls()
        draft = Draft(**data["draft"]) if data.get("draft") else None
        return cls(step=data.get("step"), draft=draft, updated_at=data.get("updated_at", ""),
                   last_case=data.get("last_case"), rating_case=data.get("rating_case"),
                   party_case=data.get("party_case"), party_id=data.get("party_id"))

    def start(self, now: datetime, source: str = "") -> Draft:
        self.draft = Draft(started_at=now.isoformat(), source=source)
        return self.draft

    def finish(self) -> None:
        self.step, self.draft = None, None

    def idle_since(self) -> datetime | None:
        return datetime.fromisoformat(self.updated_at) if self.updated_at else None
