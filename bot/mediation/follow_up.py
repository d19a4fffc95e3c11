"""The follow-up visit (回访): a task for the grid worker N working days after the agreement, the
form filled in, a remaining risk reopening the case with its history.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from bot import notify, routing, staffing
from bot.lifecycle import Status
from bot.mediation.common import store_of, tell_staff
from nlp.reading import TYPE_NAMES
from storage.lifecycle import EventKind, Performance, PushKind, Risk
from storage.models import Case, FollowUp
from storage.registry import StaffInfo

if TYPE_CHECKING:
    from bot.case_actions import Actor
    from bot.context import AppContext
    from bot.uow import UnitOfWork


async def follow_up(ctx: "AppContext", uow: "UnitOfWork", actor: "Actor", case: Case, note: str) -> str:
    """回访 N 履行 是/否 满意 是/否 风险 无/说明 (or shorter: 回访 N 已履行 满意 无风险).
    A remaining risk reopens the case (its number and ledger kept)."""
    store = await store_of(uow)
    visit = await store.open_follow_up(case.id)
    if visit is None:
        return f"案件 {case.number} 没有待回访的任务。"
    performed_, satisfied, risk = read_follow_up(note)
    if performed_ is None or satisfied is None or risk is None:
        return (f"请写：回访 {case.number} 已履行/未履行 满意/不满意 无风险（或：风险 说明）\n"
                f"例如：回访 {case.number} 已履行 满意 无风险")
    visit.done_at, visit.performed, visit.satisfied, visit.risk = uow.now, performed_, satisfied, risk[:1000]
    visit.staff_id = visit.staff_id or actor.staff.id
    cases = await uow.cases()
    await cases.event(case, EventKind.FOLLOW_UP_VISIT, actor.key, what="done", visit=visit.id,
                      performed=performed_, satisfied=satisfied, risk=visit.risk)
    # what the visit found is the agreement's performance too (the record said 已履行 while the
    # visit found it not performed, and the dashboard counted it performed on time)
    agreement = await store.latest_agreement(case.id)
    if agreement is not None:
        found = (Performance.PERFORMED if performed_ else
                 Performance.PARTLY if re.search(r"部分履行", note) else Performance.NOT_PERFORMED)
        contradicts = (found == Performance.PERFORMED) != (agreement.performance == Performance.PERFORMED)
        # an overdue or not-performed record found not performed stands as it is
        if contradicts and not (found != Performance.PERFORMED and agreement.performance not in
                                (Performance.PERFORMED, Performance.PENDING)):
            before, agreement.performance = agreement.performance, found
            if found == Performance.PERFORMED:
                agreement.performed_at = agreement.performed_at or uow.now
            await cases.event(case, EventKind.PERFORMANCE, actor.key, agreement=agreement.number, before=before,
                              after=found, on_time=False, text="回访核实")
    if not risk:
        done, pleased = ("已履行" if performed_ else "未履行"), ("满意" if satisfied else "不满意")
        return f"已记录 {case.number} 的回访：{done}，{pleased}，无遗留风险。"
    visit.reopened = True
    await cases.transition(case, Status.MEDIATING, actor.key, reason=f"回访发现遗留风险：{risk}")
    # the risk as the reading reads it: "扬言要去上访" is a red case (it stayed green, nobody alerted)
    reading = await ctx.reader.read(risk) if ctx.reader is not None else None
    if reading is not None and Risk(reading.risk).rank > Risk(case.risk).rank:
        await cases.update(case, actor.key, risk=reading.risk,
                           risk_reasons=sorted({*case.risk_reasons, *(f"回访：{r}" for r in reading.risk_reasons)}))
        if reading.risk == Risk.RED:
            await routing.raised_to_red(ctx, uow, case, actor.key, again=True)
    await tell_staff(ctx, uow, case, f"【回访重新办理】{case.number} 回访发现遗留风险：{notify.inert(risk)}。"
                     "案件已回到调解中，原有记录保留，请继续跟进。", f"reopen:{case.number}:{visit.id}")
    await notify.status_changed(ctx, uow, case, reopened=True)
    return f"已记录回访，发现遗留风险：{risk}。案件 {case.number} 已重新进入调解，经办人已收到通知。"


def read_follow_up(note: str) -> tuple[bool | None, bool | None, str | None]:
    """(performed, satisfied, remaining risk: '' none, None unread)."""
    text = note.strip()
    perf = sat = None
    m = re.search(r"(未履行|没履行|没有履行|部分履行|已履行|履行了|履行完毕)|履行\s*[:：]?\s*(是|否|已|未)", text)
    if m:
        perf = not re.match(r"未|没|部分|否", m.group(1) or m.group(2))
    m = re.search(r"(不满意|满意)|满意\s*[:：]?\s*(是|否)", text)
    if m:
        sat = (m.group(1) or ("满意" if m.group(2) == "是" else "不满意")) == "满意"
    risk: str | None = None
    if re.search(r"无(遗留)?风险|没有风险|风险\s*[:：]?\s*(无|没有|否)\b|风险\s*[:：]?\s*(无|没有|否)$", text):
        risk = ""
    else:
        m = re.search(r"(?:遗留)?风险\s*[:：]?\s*(.+)$", text, re.S)
        if m and m.group(1).strip():
            risk = m.group(1).strip()
    return perf, sat, risk


async def task_follow_up(ctx: "AppContext", uow: "UnitOfWork", case: Case, visit_id: int, due: datetime) -> None:
    visit = await (await uow.session()).get(FollowUp, visit_id)
    if visit is None or visit.done_at is not None:
        return
    people = grid_workers_of(ctx, case)
    visit.staff_id, visit.tasked_at = (people[0].id if people else ""), uow.now
    reg = ctx.registry
    text = (f"【回访任务】{case.number}（{TYPE_NAMES.get(case.type, case.type)}，{reg.full_name(case.place_code)}）"
            f"调解协议已满{ctx.settings.follow_up_days}个工作日，请上门或电话回访：协议是否履行？当事人是否满意？还有没有风险？\n"
            f"回访后回复：回访 {case.number} 已履行 满意 无风险（有风险写：风险 情况说明）")
    await tell_staff(ctx, uow, case, text, f"follow_up:{case.number}:{visit.id}", kind=PushKind.TASK, people=people)
    await (await uow.cases()).event(case, EventKind.FOLLOW_UP_VISIT, "scheduler", what="task", visit=visit.id,
                                    to=[p.id for p in people])


def grid_workers_of(ctx: "AppContext", case: Case) -> list[StaffInfo]:
    """Who visits: the case's grid worker, else the place's, else its first assignee."""
    reg = ctx.registry
    mine = [reg.staff[a] for a in case.assignees or [] if a in reg.staff and reg.staff[a].role == "grid_worker"]
    if mine:
        return mine[:1]
    local = [c.staff for c in staffing.grid_workers(reg, case.place_code)]
    if local:
        return local[:1]
    return [reg.staff[a] for a in case.assignees or [] if a in reg.staff][:1]
