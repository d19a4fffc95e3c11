"""The case a resident's draft becomes, and the conversation before it for the case's ledger
(the intake's confirmation, and a report the centre opens from its attention list)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.conversation import Draft, Safety
from handlers.safety import UNANSWERED
from storage.cases import NewCase
from storage.registry import Registry


def new_case(draft: Draft, channel: str, user: str, registry: Registry) -> NewCase:
    """The case a draft becomes."""
    place = registry.place(draft.place_code)
    level = place.level if place and place.level in ("town", "county") else "village"
    return NewCase(intake_key=draft.id, type=draft.type or "other", risk=draft.risk,
                   place_code=draft.place_code, channel=channel, reporter=user,
                   description=draft.description, contact=draft.contact or "", contact_note=draft.contact_note,
                   reporter_name=draft.reporter_name,
                   parties=({"role": "other", "name": draft.party},) if draft.party else (),
                   risk_reasons=tuple(draft.risk_reasons), source=draft.source, media=tuple(draft.media),
                   level=level, model_version=draft.model_version,
                   attention=UNANSWERED if draft.safety in (Safety.ASKED, Safety.UNANSWERED) else "")


def draft_history(draft: Draft, actor: str) -> list[tuple[datetime, str, str, dict[str, Any]]]:
    """The conversation before the case existed, for its ledger."""
    return [(datetime.fromisoformat(at), kind, actor if kind == "message_in" else "bot", data)
            for at, kind, data in draft.history]
