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
    # an archived case reopens only when the follow-up visit (回访) finds a remaining risk; it
    # keeps its number and its whole ledger
    Status.CLOSED: frozenset({Status.MEDIATING}),
}
OPEN_STATUSES: frozenset[Status] = frozenset({Status.RECEIVED, Status.DISPATCHED, Status.MEDIATING,
                                              Status.ESCALATED})


class Result(StrEnum):
    """How a case with a result ended (status resolved or closed): only a settled one counts
    as 化解 in the figures. A mediation that failed or was refused (人民调解法 Art. 26: the
    parties are told of other routes) and a report the resident withdrew are concluded, not
    settled."""
    SETTLED = "settled"          # 化解
    ENDED = "ended"              # 调解终止（未化解）
    WITHDRAWN = "withdrawn"      # 群众撤回


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
    CHASED = "chased"                  # the resident asked after the case (催办) or asked its people for something: their words
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
    # the mediation record (卷宗): storage/mediation.py
    PARTY_ADDED = "party_added"        # a party (applicant, respondent, other) entered on the case
    INVITED = "invited"                # an invitation (link / code) made for a party
    PARTY_JOINED = "party_joined"      # a party redeemed their invitation in their own chat
    PARTY_STATEMENT = "party_statement"  # a party's own words on the dispute
    PARTY_CONSENT = "party_consent"    # a party agreed to or refused mediation
    SESSION_SCHEDULED = "session_scheduled"
    SESSION_RECORDED = "session_recorded"
    AGREEMENT = "agreement"            # 人民调解协议 (written or oral)
    PERFORMANCE = "performance"        # the agreement was (or was not) performed
    CONFIRMATION = "confirmation"      # 司法确认: applied, the court's decision
    FOLLOW_UP_VISIT = "follow_up_visit"  # 回访: the task, and the form filled in
    ORIGIN = "origin"                  # how the case came: applied, own initiative, a referral
    DOCUMENT_LINK = "document_link"    # a staff member was given a link to the case's documents


class PushKind(StrEnum):
    UPDATE = "update"                  # a case's change, to the resident
    FINAL = "final"                    # the result, to the resident
    REPLY = "reply"                    # replies whose request had gone
    ASSIGNMENT = "assignment"          # a case, to the staff who have it
    ALERT = "alert"                    # red: before any backlog
    REMINDER = "reminder"
    RED_CARD = "red_card"              # 红牌警告: supervision, after a live red alert in the queue
    ASK = "ask"                        # a question to a poster, privately
    DIGEST = "digest"                  # a work group's daily digest
    TASK = "task"                      # work for a staff member (a follow-up visit)
    PARTY = "party"                    # to a party of a mediation other than the reporter


class PartyRole(StrEnum):
    APPLICANT = "applicant"            # 申请人
    RESPONDENT = "respondent"          # 被申请人
    OTHER = "other"                    # 第三人 / 其他当事人


class PartyKind(StrEnum):
    PERSON = "person"                  # 自然人
    ORGANISATION = "organisation"      # 法人或其他组织


class Consent(StrEnum):
    PENDING = "pending"
    AGREED = "agreed"                  # 同意调解
    REFUSED = "refused"                # 不同意调解


class CaseOrigin(StrEnum):
    """Where a case came from, as the justice bureau's mediation statistics count it."""
    APPLIED = "applied"                # 当事人申请
    OWN_INITIATIVE = "own_initiative"  # 主动调解
    POLICE = "police"                  # 公安机关移送
    COURT = "court"                    # 人民法院委托移送
    GOVERNMENT = "government"          # 政府及部门（信访、12345等）移送
    OTHER_REFERRAL = "other_referral"  # 其他单位移送


class AgreementForm(StrEnum):
    WRITTEN = "written"                # 书面协议书 (Art. 29)
    ORAL = "oral"                      # 口头协议, recorded by the mediator (Art. 28)


class Performance(StrEnum):
    PENDING = "pending"
    PERFORMED = "performed"            # 已履行
    PARTLY = "partly"                  # 部分履行
    NOT_PERFORMED = "not_performed"    # 未履行 (said so)
    OVERDUE = "overdue"                # the deadline passed with nothing recorded


class Confirmation(StrEnum):
    NONE = "none"
    APPLIED = "applied"                # 已申请
    ACCEPTED = "accepted"              # 法院已受理
    CONFIRMED = "confirmed"            # 裁定确认有效
    REFUSED = "refused"                # 裁定驳回申请


class TimerKind(StrEnum):
    """The mediation record's clocks (storage/mediation.py mediation_timers)."""
    SESSION_REMINDER = "session_reminder"
    PERFORMANCE_REMINDER = "performance_reminder"
    PERFORMANCE_DUE = "performance_due"
    CONFIRMATION_REMINDER = "confirmation_reminder"
    FOLLOW_UP = "follow_up"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"                # claimed, with a lease
    SENT = "sent"
    HELD = "held"                      # the person cannot be reached now: until they come back
    FAILED = "failed"
