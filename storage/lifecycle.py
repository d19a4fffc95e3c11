"""The life of a case and the ledger's vocabulary: statuses and the one table of transitions
every path obeys, the kinds of ledger events, of pushes and of outbox rows, and risk colours.

They are `StrEnum`s: stored and sent as their plain values ("received"), compared with
those values where they come back from the database, and checked by mypy where code names
them. Names for people (已受理 …) are the presentation's, in bot/lifecycle.py.
"""
from __future__ import annotations

from enum import StrEnum


# the dispute types a case may have (DOMAIN.md); the understanding layer reads texts into them
CASE_TYPES: tuple[str, ...] = (
    "marriage_family", "neighbour", "homestead_housing", "land_forest", "land_acquisition",
    "contract", "debt", "business", "damages", "environment", "labour", "medical",
    "traffic", "property_mgmt", "consumer", "other",
)


class Status(StrEnum):
    RECEIVED = "received"        # 受理
    DISPATCHED = "dispatched"    # 分流
    MEDIATING = "mediating"      # 调解中
    RESOLVED = "resolved"        # 化解
    ESCALATED = "escalated"      # 未化解，上报上一级
    CLOSED = "closed"            # 归档


# received → dispatched → mediating → resolved → closed, or escalated one level up and
# dispatched again there. A resident who says "not settled" sends resolved back to
# mediating; a misrouted case goes back from dispatched to received (the centre).
# Settling on the spot (当场化解) goes straight to resolved.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.DISPATCHED, Status.MEDIATING, Status.RESOLVED, Status.ESCALATED,
                                Status.CLOSED}),
    Status.DISPATCHED: frozenset({Status.MEDIATING, Status.RESOLVED, Status.ESCALATED, Status.RECEIVED}),
    Status.MEDIATING: frozenset({Status.RESOLVED, Status.ESCALATED}),
    Status.ESCALATED: frozenset({Status.DISPATCHED, Status.MEDIATING, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.MEDIATING}),
    Status.CLOSED: frozenset(),
}
OPEN_STATUSES: frozenset[Status] = frozenset({Status.RECEIVED, Status.DISPATCHED, Status.MEDIATING,
                                              Status.ESCALATED})


class TransitionRefused(Exception):
    def __init__(self, number: str, current: str, wanted: str):
        super().__init__(f"case {number}: {current} → {wanted} is not allowed")
        self.number, self.current, self.wanted = number, current, wanted


def can_move(current: str, wanted: str) -> bool:
    try:
        return Status(wanted) in TRANSITIONS[Status(current)]
    except ValueError:
        return False


def check_transition(number: str, current: str, wanted: str) -> None:
    if not can_move(current, wanted):
        raise TransitionRefused(number, current, wanted)


class Risk(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def rank(self) -> int:
        return _RISK_RANK[self]


_RISK_RANK = {Risk.GREEN: 0, Risk.YELLOW: 1, Risk.RED: 2}


class EventKind(StrEnum):
    """What a ledger row (case_events) records."""
    CREATED = "created"
    STATUS = "status"                  # a transition: before, after
    UPDATED = "updated"                # descriptive fields changed: before, after
    CORRECTED = "corrected"            # a person corrected the reading: field, before, after, reason
    ASSIGNED = "assigned"              # who has the case, and why
    FOLLOWED_UP = "followed_up"        # an addition to an urgent case reached its people
    MESSAGE_IN = "message_in"
    MESSAGE_OUT = "message_out"
    NOTIFICATION = "notification"      # an outbox delivery attempt
    PROGRESS = "progress"
    APPOINTMENT = "appointment"
    ALERT = "alert"                    # a red alert went out
    ATTENTION = "attention"            # flagged for the centre (an unanswered safety question)
    CLOCK = "clock"                    # a reminder or a notice at a due time
    RED_CARD = "red_card"
    ESCALATED = "escalated"            # escalated again before anyone took it
    LINKED_REPORT = "linked_report"    # another report of the same dispute joined the case
    EVIDENCE = "evidence"              # a photo, recording or location the resident sent
    REFUSED = "refused"                # somebody not allowed to act on it tried
    VIEWED_CONTACT = "viewed_contact"  # a person saw the full contact


class PushKind(StrEnum):
    UPDATE = "update"                  # a case's change, to the resident
    FINAL = "final"                    # the result, to the resident
    REPLY = "reply"                    # replies whose request had gone
    ASSIGNMENT = "assignment"          # a case, to the staff who have it
    ALERT = "alert"                    # red: before any backlog
    REMINDER = "reminder"
    ASK = "ask"                        # a question to a poster, privately
    DIGEST = "digest"                  # a work group's daily digest


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"                # claimed, with a lease
    SENT = "sent"
    HELD = "held"                      # the person cannot be reached now: until they come back
    FAILED = "failed"
