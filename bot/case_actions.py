"""What staff do to a case, whichever way they ask: the WeCom app's commands (handlers/staff.py)
and the centre's console call the same actions, so the rules (who may act, which transitions)
and what the resident is told are one.

Each action takes the staff member acting, the case (loaded for update) and the words that
go with it, and answers with a sentence for the person who acted. `perform` checks that the
person may act on the case first; a refusal is a ledger event and changes nothing.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot import clocks, mediation, notify, rating, routing, staffing
from bot.lifecycle import OPEN_STATUSES, STAGE_NAMES, Status, can_move, case_status_name
from bot.when import read_when
from nlp.reading import DISPUTE_TYPES, TYPE_NAMES
from storage.cases import CORRECTABLE
from storage.lifecycle import EventKind, Result, Risk
from storage.models import Case
from storage.registry import LEVEL_RANK, Registry, StaffInfo

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.uow import UnitOfWork


class Action(StrEnum):
    ACCEPT = "accept"            # 接单
    PROGRESS = "progress"        # 进展
    APPOINTMENT = "appointment"  # 约谈
    RESOLVE = "resolve"          # 办结
    END = "end"                  # 终止 (调解不成，未化解)
    WITHDRAW = "withdraw"        # 撤回 (the resident withdrew the report)
    ESCALATE = "escalate"        # 上报 / 未化解
    TRANSFER = "transfer"        # 转办
    SEND_BACK = "send_back"      # 退回
    CORRECT = "correct"          # 更正
    # the mediation record (bot/mediation.py)
    ADD_PARTY = "add_party"      # 当事人
    INVITE = "invite"            # 邀请
    SCHEDULE = "schedule"        # 会谈
    RECORD = "record"            # 笔录
    AGREE = "agree"              # 协议
    AGREE_ORALLY = "agree_orally"  # 口头协议
    PERFORMED = "performed"      # 履行
    APPLY_CONFIRMATION = "apply_confirmation"  # 申请确认
    CONFIRMATION_DECISION = "confirmation_decision"  # 确认结果
    FOLLOW_UP = "follow_up"      # 回访
    ORIGIN = "origin"            # 来源
    SHOW_RECORD = "show_record"  # 卷宗
    DOCUMENTS = "documents"      # 文书
    ASSIGN = "assign"            # 分派 (the console: staff ids, comma-separated)
    CLOSE = "close"              # 归档 (after the follow-up visit, with or without a rating)


# what each action needs said with it (empty: nothing), as the person is asked for it
NEEDS = {Action.PROGRESS: "进展内容", Action.APPOINTMENT: "约谈时间", Action.RESOLVE: "办理结果",
         Action.END: "终止的原因（如：对方不同意调解）",
         Action.ESCALATE: "上报原因", Action.TRANSFER: "转给谁（姓名或工号）", Action.SEND_BACK: "退回原因",
         Action.CORRECT: "要更正的项目、新值和原因", Action.ADD_PARTY: "当事人身份、姓名和电话",
         Action.INVITE: "对方的姓名和电话", Action.SCHEDULE: "时间和地点", Action.RECORD: "笔录内容",
         Action.AGREE: "协议内容", Action.AGREE_ORALLY: "协议内容", Action.CONFIRMATION_DECISION: "法院的决定",
         Action.FOLLOW_UP: "回访情况", Action.ORIGIN: "案件来源",
         Action.ASSIGN: "分派给谁", Action.CLOSE: "回访情况"}


@dataclass(frozen=True)
class Actor:
    staff: StaffInfo
    via: str = "staff"           # staff (the WeCom app) | console

    @property
    def key(self) -> str:
        return f"{self.via}:{self.staff.id}"


ActionFn = Callable[["AppContext", "UnitOfWork", Actor, Case, str], Awaitable[str]]


async def perform(ctx: "AppContext", uow: "UnitOfWork", actor: Actor, case: Case, action: Action, note: str) -> str:
    """Do `action` on `case` if `actor` may; the sentence to show them."""
    if not staffing.may_act(ctx.registry, actor.staff, case):
        await (await uow.cases()).event(case, EventKind.REFUSED, actor.key, command=action.value)
        return f"案件 {case.number} 不在您的办理范围内，不能办理。如需协助请联系综治中心。"
    if action in NEEDS and not note.strip():
        return f"请写上{NEEDS[action]}。"
    return await ACTIONS[action](ctx, uow, actor, case, note.strip())


def _status(case: Case) -> str:
    return case_status_name(case)


async def accept(ctx: "AppContext", uow: "UnitOfWork", actor: Actor, case: Case, note: str) -> str:
    if case.status == Status.MEDIATING:
        return f"案件 {case.number} 已经在调解中。"
    if case.status not in OPEN_STATUSES or not can_move(case.status, Status.MEDIATING):
        # a settled or archived case is reopened by its follow-up visit or the resident's 没解决, not by 接单
        return f"案件 {case.number} 当前状态是“{_status(case)}”，不能接单。"
    if actor.staff.id not in case.assignees:        # a supervisor takes the case over
        (await uow.cases()).add_assignee(case, actor.staff.id, actor.staff.role)
    await (await uow.cases()).transition(case, Status.MEDIATING, actor.key)
    await notify.status_changed(ctx, uow, case, by=actor.staff.id)
    # accepting is starting: what is due next is the joint meeting (yellow, red) and the result
    zone = ZoneInfo(ctx.settings.timezone)
    due = "；".join(f"{STAGE_NAMES.get(stage.name, stage.label)} {at.astimezone(zone):%m月%d日 %H:%M}前"
                   for stage, _anchor, at in clocks.due(case, ctx.settings))
    return f"已接单：{case.number}，调解开始。" + (f"时限：{due}。" if due else "") + "已推送给群众（送达情况见台账）。"


async def progress(ctx: "AppContext", uow: "UnitOfWork", actor: Actor, case: Case, note: str) -> str:
    await (await uow.cases()).event(case, EventKind.PROGRESS, actor.key, text=note)
    await notify.progress(ctx, uow, case, note)
    return f"进展已记录：{case.number}，已推送给群众（送达情况见台账）。"


async def appointment(ctx: "AppContext", uow: "UnitOfWork", actor: Actor, case: Case, note: str) -> str:
    when = read_when(note, uow.now, ctx.settings.timezone)
    if not when.problem and not when.timed:
        when = replace(when, problem="没有写几点")
    if when.problem:
        # the resident is told the time as written: "随便什么时候", 2月30日 or an hour gone by is no meeting
        return (f"约谈时间{when.problem}，请写将来的日期和时间，如“12月9日上午9点 村委会”"
                "或“明天下午3点 村委会”。")
    if when.date_label:          # "明天" read tomorrow is the day after: the date goes with it
        note = f"{note}（{when.date_label}）"
    await (await uow.cases()).event(case, EventKind.APPOINTMENT, actor.key, text=note)
    await notify.appointment(ctx, uow, case, note, by=actor.staff.id)
    return f"约谈已记录：{case.number}，时间 {note}；已推送给群众（送达情况见台账）。"


async def resolve(ctx: "AppContext", uow: "UnitOfWork", actor: Actor, case: Case, note: str) -> str:
    if not can_move(case.status, Status.RESOLVED):
        return f"案件 {case.number} 当前状态是“{_status(case)}”，不能办结。"
    await (await uow.cases()).transition(case, Status.RESOLVED, actor.key, outcome=note)
    await notify.status_changed(ctx, uow, case, note=note)
    await rating.ask(ctx, uow, case)
    return f"已办结（化解）：{case.number}。已把结果通知群众并请其评价；评价或回访后归档（送达情况见台账）。"


async def end(ctx: "AppContext", uow: "UnitOfWork", actor: Actor, case: Case, note: str) -> str:
    """终止调解: no settlement (a party refused, 《人民调解法》第十七条; no agreement reached, 第二十六条).
    The case is concluded, not settled (not 化解 in the figures); the resident is told of the
    other routes and asked to rate the service."""
    if not can_move(case.status, Status.RESOLVED):
        return f"案件 {case.number} 当前状态是“{_status(case)}”，不能终止。"
    await (await uow.cases()).transition(case, Status.RESOLVED, actor.key, outcome=note, result=Result.ENDED)
    await notify.status_changed(ctx, uow, case, note=note)
    await rating.ask(ctx, uow, case)
    return (f"已终止调解（未化解）：{case.number}。已告知群众可以通过诉讼、仲裁等途径解决，并请其评价"
            "（送达情况见台账）。")


async def withdraw(ctx: "AppContext", uow: "UnitOfWork", actor: Actor, case: Case, note: str) -> str:
    """撤回: the resident withdrew the report (after the staff called back to confirm it). The
    case is concluded and archived, not settled."""
    if case.status not in OPEN_STATUSES:
        return f"案件 {case.number} 当前状态是“{_status(case)}”，不能撤回。"
    store = await uow.cases()
    await store.transition(case, Status.RESOLVED, actor.key, outcome=note or "群众撤回", result=Result.WITHDRAWN)
    await store.transition(case, Status.CLOSED, actor.key, follow_up=note or "群众撤回")
    await notify.status_changed(ctx, uow, case, note=note)
    return f"已撤回并归档：{case.number}。已通知群众（送达情况见台账）。"


async def escalate(ctx: "AppContext", uow: "UnitOfWork", actor: Actor, case: Case, note: str) -> str:
    if case.status not in OPEN_STATUSES:
        return f"案件 {case.number} 当前状态是“{_status(case)}”，不能上报。"
    level = await routing.escalate(ctx, uow, case, actor.key, note, by=actor.staff.id)
    if level is None:
        return (f"案件 {case.number} 已在县级办理，不能再上报；请联系值班领导协调。"
                f"调解不成的，发“终止 {case.number} 原因”终止调解，系统会告知群众其他解决途径。")
    return f"已上报：{case.number} 交{routing.LEVEL_NAMES[level]}办理（{notify.who(ctx, case)}）。"


async def transfer(ctx: "AppContext", uow: "UnitOfWork", actor: Actor, case: Case, note: str) -> str:
    target = staffing.find_staff(ctx.registry, note)
    if target is None:
        return f"没有找到工作人员“{note}”，请写姓名、工号或企业微信账号。"
    return await assign_to(ctx, uow, actor, case, [target])


def _level_of(reg: Registry, person: StaffInfo) -> str | None:
    """The highest level a person's places are at ("county" for the county's mediator)."""
    levels = [reg.places[c].level for c in person.places if c in reg.places]
    return min(levels, key=lambda lv: LEVEL_RANK.get(lv, 99), default=None)


def same_town(reg: Registry, person: StaffInfo, case: Case) -> bool:
    """Whether `person` works in the town (or the county level above it) of the case's place."""
    chain = [p for p in reg.ancestors(case.place_code)]
    town = next((p.code for p in chain if p.level == "town"), None)
    if town is None:
        return True
    inside = reg.subtree(town) | {p.code for p in chain}
    return any(c in inside for c in person.places)


async def assign_to(ctx: "AppContext", uow: "UnitOfWork", actor: Actor, case: Case, people: list[StaffInfo],
                    why: str = "") -> str:
    """Hand the case to `people` (转办, or the centre's dispatch from the console): an assignee
    who hands it on keeps the others; a received case is dispatched."""
    if case.status not in OPEN_STATUSES:
        return f"案件 {case.number} 当前状态是“{_status(case)}”，不能转办。"
    staff = actor.staff
    if [p.id for p in people] == [staff.id] and staff.id in case.assignees:
        return f"案件 {case.number} 已由您办理；转给别人请写对方的姓名。"
    far = [p.name for p in people if not same_town(ctx.registry, p, case)]
    if far and staff.role not in ("centre", "leader_on_duty"):
        # another town's people are the centre's to call on (or escalate the case)
        return (f"{'、'.join(far)}不在本乡镇（街道），跨乡镇转办请联系综治中心，"
                "或把案件上报，由上一级处理。")
    reg = ctx.registry
    above = [p.name for p in people if p.role == "mediator" and _level_of(reg, p) is not None
             and LEVEL_RANK[_level_of(reg, p) or "village"] < LEVEL_RANK.get(case.level, 99)]
    if above and staff.role not in ("centre", "leader_on_duty"):
        # a village case handed to the county's mediator skipped the town, its level unchanged
        return f"{'、'.join(above)}是上一级的调解员：请用“上报 {case.number} 原因”，由上一级接手。"
    keep = [staffing.Choice(reg.staff[a], "") for a in case.assignees
            if a in reg.staff and a != staff.id and staff.id in case.assignees]
    if case.risk == Risk.RED:
        # the leader on duty owns a red case end to end (包案领导): whoever hands it on, he stays
        keep += [staffing.Choice(reg.staff[a], "") for a in case.assignees if a in reg.staff
                 and reg.staff[a].role == "leader_on_duty" and all(c.staff.id != a for c in keep)]
    first = case.status == Status.RECEIVED          # the centre's dispatch, not a hand-on
    verb = "分派" if first else "转办"
    if first:
        # dispatched before the cards go: a card to a case still 已受理 told the worker "请在工作台分派"
        await (await uow.cases()).transition(case, Status.DISPATCHED, actor.key)
    # the reason says who and why once (the ledger read "孙海（县综治中心分派）…；原因：县综治中心分派：…")
    await routing.assign(ctx, uow, case, keep + [staffing.Choice(p, "") for p in people], actor.key,
                         title=f"{verb}案件", reason=f"{staff.name}{verb}" + (f"：{why}" if why else ""), told=frozenset(c.staff.id for c in keep),
                         keep_clock=not first)
    if first:
        await notify.status_changed(ctx, uow, case)
    else:
        # the resident was told who has it: they hear who has it now
        await notify.tell(ctx, uow, case, f"您反映的案件 {case.number} 已转由{notify.who(ctx, case, people[0].id)}办理，"
                                          "会有人与您联系。")
    return f"已{verb}：{case.number} → {'、'.join(p.name for p in people)}"


async def assign(ctx: "AppContext", uow: "UnitOfWork", actor: Actor, case: Case, note: str) -> str:
    """The console's dispatch: `note` holds staff ids separated by commas, then "；" and the
    reason when one was given."""
    note, _, why = note.partition("；")
    ids = [i.strip() for i in re.split(r"[,，、\s]+", note) if i.strip()]
    people = [ctx.registry.staff[i] for i in dict.fromkeys(ids) if i in ctx.registry.staff
              and ctx.registry.staff[i].active]
    if not people or len(people) != len(set(ids)):
        return "请从名单中选择要分派的工作人员。"
    return await assign_to(ctx, uow, actor, case, people, why=" ".join(why.split())[:200])


async def close(ctx: "AppContext", uow: "UnitOfWork", actor: Actor, case: Case, note: str) -> str:
    """归档: a resolved case after its follow-up visit (回访), when the resident did not rate it."""
    if not can_move(case.status, Status.CLOSED):
        return f"案件 {case.number} 当前状态是“{_status(case)}”，只有已化解的案件能归档。"
    await (await uow.cases()).transition(case, Status.CLOSED, actor.key, follow_up=note)
    await notify.status_changed(ctx, uow, case, note=note)
    return f"已归档：{case.number}。"


async def send_back(ctx: "AppContext", uow: "UnitOfWork", actor: Actor, case: Case, note: str) -> str:
    if case.status != Status.DISPATCHED:
        return f"案件 {case.number} 当前状态是“{_status(case)}”，只有刚分派的案件能退回。"
    store = await uow.cases()
    await store.transition(case, Status.RECEIVED, actor.key, reason=note)
    centre = [staffing.Choice(s, "退回综治中心重新分派") for s in staffing.centres(ctx.registry, case.place_code)]
    await routing.assign(ctx, uow, case, centre, actor.key, title="退回待分派", reason=note)
    await notify.status_changed(ctx, uow, case)
    return f"已退回综治中心：{case.number}"


CORRECTION = re.compile(r"^(类型|风险|地点)\s*[:：]?\s*(\S+)\s*(.*)$", re.S)
RISK_WORDS = {"红": Risk.RED, "红色": Risk.RED, "red": Risk.RED, "黄": Risk.YELLOW, "黄色": Risk.YELLOW,
              "yellow": Risk.YELLOW, "绿": Risk.GREEN, "绿色": Risk.GREEN, "green": Risk.GREEN}


async def correct(ctx: "AppContext", uow: "UnitOfWork", actor: Actor, case: Case, note: str) -> str:
    """类型|风险|地点 新值 原因: the reading was wrong. The ledger keeps who, why and what it was
    (`jiefen nlp train --from-ledger` learns from it); a case corrected to red alerts at once."""
    m = CORRECTION.match(note)
    if not m or not m.group(3).strip():
        return f"请写：更正 {case.number} 类型/风险/地点 新值 原因，例如：更正 {case.number} 风险 红 对方扬言报复"
    what, value, reason = m.group(1), m.group(2), m.group(3).strip()
    if what == "类型":
        field, after = "type", type_code(value)
    elif what == "风险":
        field, after = "risk", RISK_WORDS.get(value.lower())
    else:
        field, after = "place", place_code(ctx, value)
    if after is None:
        return f"没有认出{what}“{value}”。" + ("类型可写：" + "、".join(TYPE_NAMES[t] for t in DISPUTE_TYPES)
                                          if what == "类型" else "")
    return await correct_field(ctx, uow, actor, case, field, after, reason)


async def correct_field(ctx: "AppContext", uow: "UnitOfWork", actor: Actor, case: Case, field: str, after: str, reason: str) -> str:
    what = {"type": "类型", "risk": "风险", "place": "地点"}[field]
    before = getattr(case, CORRECTABLE[field])
    if before == after:
        return f"案件 {case.number} 的{what}已经是“{shown(ctx, field, after)}”。"
    store = await uow.cases()
    await store.correct(case, actor.key, field, after, reason)
    if field == "risk" and after == Risk.RED and case.status in OPEN_STATUSES:
        # the alert says why the person who knows the case made it red, and the leader on
        # duty owns it from now on, as a case read red at first (包案领导)
        await store.update(case, actor.key, risk_reasons=sorted({*case.risk_reasons, f"工作人员更正为红色：{reason}"}))
        await routing.raised_to_red(ctx, uow, case, actor.key, again=True)
    handed = ""
    if field == "place" and case.status in OPEN_STATUSES:
        # another village: its grid worker has the case now (the one who corrected it may not)
        moved = await routing.place_moved(ctx, uow, case, actor.key)
        handed = f"；已转给{'、'.join(s.name for s in moved)}" if moved else ""
    return f"已更正 {case.number} 的{what}：{shown(ctx, field, before)} → {shown(ctx, field, after)}（{reason}）{handed}"


def type_code(value: str) -> str | None:
    by_name = {name: code for code, name in TYPE_NAMES.items() if code in DISPUTE_TYPES}
    return value if value in DISPUTE_TYPES else by_name.get(value) or next(
        (code for name, code in by_name.items() if value in name or name.startswith(value)), None)


def place_code(ctx: "AppContext", value: str) -> str | None:
    reg = ctx.registry
    if value in reg.places:
        return value
    exact = [c for c, p in reg.places.items() if value in (p.name, *p.aliases)]
    return exact[0] if len(exact) == 1 else None


def shown(ctx: "AppContext", field: str, value: Any) -> str:
    if field == "type":
        return TYPE_NAMES.get(value, value or "未定")
    if field == "risk":
        return routing.RISK_NAMES.get(value, value or "未定")
    return ctx.registry.full_name(value) or ctx.registry.name(value) or "未定"


ACTIONS: dict[Action, ActionFn] = {
    Action.ACCEPT: accept, Action.PROGRESS: progress, Action.APPOINTMENT: appointment, Action.RESOLVE: resolve,
    Action.END: end, Action.WITHDRAW: withdraw,
    Action.ESCALATE: escalate, Action.TRANSFER: transfer, Action.SEND_BACK: send_back, Action.CORRECT: correct,
    Action.ADD_PARTY: mediation.add_party, Action.INVITE: mediation.invite, Action.SCHEDULE: mediation.schedule,
    Action.RECORD: mediation.record_session, Action.AGREE: mediation.agree, Action.AGREE_ORALLY: mediation.agree_orally,
    Action.PERFORMED: mediation.performed, Action.APPLY_CONFIRMATION: mediation.apply_confirmation,
    Action.CONFIRMATION_DECISION: mediation.confirmation_decision, Action.FOLLOW_UP: mediation.follow_up,
    Action.ORIGIN: mediation.set_origin, Action.SHOW_RECORD: mediation.show_record,
    Action.DOCUMENTS: mediation.documents_for_staff,
    Action.ASSIGN: assign, Action.CLOSE: close,
}
