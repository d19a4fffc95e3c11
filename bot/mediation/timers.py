"""The mediation record's clocks: a job on the scheduler's tick and lock.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot.mediation.agreement import performance_overdue, remind_confirmation, remind_performance
from bot.mediation.common import store_of
from bot.mediation.follow_up import task_follow_up
from bot.mediation.sessions import remind_session
from storage.lifecycle import TimerKind

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.uow import UnitOfWork


TIMER_BATCH = 50


async def run_timers(ctx: "AppContext", uow: "UnitOfWork") -> int:
    """A job on the scheduler's tick and lock: the mediation clocks due now. Each timer is
    claimed (compare-and-set on done_at) in the transaction that acts on it."""
    store = await store_of(uow)
    fired = 0
    for timer in await store.due_timers(TIMER_BATCH):
        if not await store.claim_timer(timer.id):
            continue
        case = await (await uow.cases()).get_by_id(timer.case_id)
        if case is None:
            continue
        await FIRE[TimerKind(timer.kind)](ctx, uow, case, timer.ref_id, timer.due_at)
        fired += 1
    return fired


FIRE = {TimerKind.SESSION_REMINDER: remind_session, TimerKind.PERFORMANCE_REMINDER: remind_performance,
        TimerKind.PERFORMANCE_DUE: performance_overdue, TimerKind.CONFIRMATION_REMINDER: remind_confirmation,
        TimerKind.FOLLOW_UP: task_follow_up}
