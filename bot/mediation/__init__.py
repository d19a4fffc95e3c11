"""The mediation record (卷宗) of a case: the other party, sessions, the agreement, its
performance, judicial confirmation (司法确认) and the follow-up visit (回访).

Staff reach these as case actions (bot/case_actions.perform checks who may act); parties reach
them from their own chat (handlers/party.py). Every change is a ledger event with who did it;
every message to a person is an outbox row in the same transaction. storage/mediation.py
keeps the rows; bot/documents.py makes the documents.
"""
from bot.mediation.agreement import (
    agree,
    agree_orally,
    apply_confirmation,
    case_documents,
    confirmation_decision,
    confirmation_window_end,
    documents_for_staff,
    performed,
)
from bot.mediation.common import ROLE_NAMES, TOKEN_LENGTH, local_time, store_of
from bot.mediation.follow_up import follow_up, read_follow_up
from bot.mediation.parties import add_party, consent_of, invite, join, party_says, set_origin, show_record
from bot.mediation.sessions import record_session, schedule, session_reminder_at
from bot.mediation.timers import run_timers

__all__ = ["ROLE_NAMES", "TOKEN_LENGTH", "add_party", "agree", "agree_orally", "apply_confirmation", "case_documents",
           "confirmation_decision", "confirmation_window_end", "consent_of", "documents_for_staff", "follow_up",
           "invite", "join", "local_time", "party_says", "performed", "read_follow_up", "record_session",
           "run_timers", "schedule", "session_reminder_at", "set_origin", "show_record", "store_of"]
