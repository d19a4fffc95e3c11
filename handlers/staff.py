"""Staff commands over the WeCom app: 接单 进展 约谈 办结 上报 未化解 转办 退回 查 我的.

Only the case's assignees and the supervisors above them may act on a case; anybody else
is refused and the case does not change. Residents never reach this router: it only
answers on staff channels, and only people in the registry.
"""
from __future__ import annotations

import re


from bot import notify, rating, routing
from bot.context import AppContext
from bot.dispatcher import Router
from bot.lifecycle import OPEN_STATUSES, STATUS_NAMES
from bot.message import Message
from bot.middlewares import Turn
from bot.uow import UnitOfWork
from handlers.texts import local
from nlp.reading import DISPUTE_TYPES, TYPE_NAMES
from storage.cases import _NUMBER, CORRECTABLE, canonical_number
from storage.models import Case
from storage.registry import StaffInfo

STAFF_CHANNELS = frozenset({routing.STAFF_CHANNEL})
router = Router("staff", lambda m: m.channel in STAFF_CHANNELS)

COMMANDS = ("接单", "进展", "约谈", "办结", "上报", "未化解", "转办", "退回", "更正", "查", "我的")
_COMMAND = re.compile(r"^\s*(" + "|".join(sorted(COMMANDS, key=len, reverse=True)) + r")\s*(.*)$", re.S)
HELP = ("可用的命令（N 为案件编号）：\n"
        "接单 N｜进展 N 内容｜约谈 N 时间｜办结 N 结果\n"
        "上报 N 原因｜未化解 N 原因｜转办 N 人员｜退回 N 原因（分错了，退回综治中心）\n"
        "更正 N 类型/风险/地点 新值 原因（如：更正 N 类型 劳动争议 是欠薪不是合同）\n"
        "查 N｜我的（我在办的案件）")
NEEDS_TEXT = {"进展": "进展内容", "约谈": "约谈时间", "办结": "办理结果", "上报": "上报原因",
              "未化解": "未化解的原因", "转办": "转给谁（姓名或工号）", "退回": "退回原因",
              "更正": "要更正的项目、新值和原因"}


@router.message()
async def on_staff(message: Message, ctx: AppContext, uow: UnitOfWork, turn: Turn):
    staff = routing.staff_by_user(ctx.registry, message.user)
    if staff is None:
        return "您的企业微信账号不在解纷平台的工作人员名单里，请联系综治中心登记。"
    m = _COMMAND.match(message.text or "")
    if not m:
        return HELP
    command, rest = m.group(1), m.group(2).strip()
    if command == "我的":
        return await my_cases(ctx, uow, staff)
    prefix = ctx.settings.case_number_prefix
    number = canonical_number(rest, prefix)
    if not number:
        return f"请带上案件编号，例如：{command} {prefix}261123-001" + ("" if command == "查" else " …")
    note = _NUMBER.sub("", rest, count=1).strip(" ：:，,")
    store = await uow.cases()
    case = await store.get_for_update(number)
    if case is None:
        return f"没有编号为 {number} 的案件。"
    if not routing.may_act(ctx.registry, staff, case):
        await store.event(case, "refused", f"staff:{staff.id}", command=command)
        return f"案件 {number} 不在您的办理范围内，不能{command}。如需协助请联系综治中心。"
    turn.case_numbers.add(number)
    if command in NEEDS_TEXT and not note:
        return f"请写上{NEEDS_TEXT[command]}，例如：{command} {number} ……"
    return await ACTIONS[command](ctx, uow, staff, case, note)


async def accept(ctx, uow, staff: StaffInfo, case: Case, note: str) -> str:
    if case.status == "mediating":
        return f"案件 {case.number} 已经在调解中。"
    if case.status not in ("received", "dispatched", "escalated"):
        return f"案件 {case.number} 当前状态是“{STATUS_NAMES[case.status]}”，不能接单。"
    if staff.id not in case.assignees:        # a supervisor takes the case over
        (await uow.cases()).add_assignee(case, staff.id, staff.role)
    await (await uow.cases()).transition(case, "mediating", f"staff:{staff.id}")
    await notify.status_changed(ctx, uow, case)
    return f"已接单：{case.number}，请在{ctx.settings.start_mediation_days}个工作日内开始调解。群众已收到通知。"


async def progress(ctx, uow, staff, case, note) -> str:
    await (await uow.cases()).event(case, "progress", f"staff:{staff.id}", text=note)
    await notify.progress(ctx, uow, case, note)
    return f"进展已记录并告知群众：{case.number}"


async def appointment(ctx, uow, staff, case, note) -> str:
    await (await uow.cases()).event(case, "appointment", f"staff:{staff.id}", text=note)
    await notify.appointment(ctx, uow, case, note)
    return f"约谈已记录并告知群众：{case.number}，时间 {note}"


async def resolve(ctx, uow, staff, case, note) -> str:
    if case.status not in ("dispatched", "mediating", "escalated"):
        return f"案件 {case.number} 当前状态是“{STATUS_NAMES[case.status]}”，不能办结。"
    await (await uow.cases()).transition(case, "resolved", f"staff:{staff.id}", outcome=note)
    await notify.status_changed(ctx, uow, case, note=note)
    await rating.ask(ctx, uow, case)
    return f"已办结：{case.number}。群众已收到结果并被邀请评价。"


async def escalate(ctx, uow, staff, case, note) -> str:
    if case.status not in OPEN_STATUSES:
        return f"案件 {case.number} 当前状态是“{STATUS_NAMES[case.status]}”，不能上报。"
    level = await routing.escalate(ctx, uow, case, f"staff:{staff.id}", note)
    if level is None:
        return f"案件 {case.number} 已在县级办理，不能再上报；请联系值班领导协调。"
    return f"已上报：{case.number} 交{routing.LEVEL_NAMES[level]}办理（{notify.who(ctx, case)}）。"


async def transfer(ctx, uow, staff, case, note) -> str:
    target = routing.find_staff(ctx.registry, note)
    if target is None:
        return f"没有找到工作人员“{note}”，请写姓名、工号或企业微信账号。"
    if case.status not in OPEN_STATUSES:
        return f"案件 {case.number} 当前状态是“{STATUS_NAMES[case.status]}”，不能转办。"
    keep = [routing.Choice(ctx.registry.staff[a], "") for a in case.assignees
            if a in ctx.registry.staff and a != staff.id and staff.id in case.assignees]
    await routing.assign(ctx, uow, case, keep + [routing.Choice(target, f"{staff.name}转办")], f"staff:{staff.id}",
                         title="转办案件", reason=f"{staff.name}转办", told=frozenset(c.staff.id for c in keep))
    if case.status == "received":
        await (await uow.cases()).transition(case, "dispatched", f"staff:{staff.id}")
        await notify.status_changed(ctx, uow, case)
    return f"已转办：{case.number} → {target.name}"


async def send_back(ctx, uow, staff, case, note) -> str:
    if case.status != "dispatched":
        return f"案件 {case.number} 当前状态是“{STATUS_NAMES[case.status]}”，只有刚分派的案件能退回。"
    store = await uow.cases()
    await store.transition(case, "received", f"staff:{staff.id}", reason=note)
    centre = [routing.Choice(s, "退回综治中心重新分派") for s in routing.centres(ctx.registry, case.place_code)]
    await routing.assign(ctx, uow, case, centre, f"staff:{staff.id}", title="退回待分派", reason=note)
    await notify.status_changed(ctx, uow, case)
    return f"已退回综治中心：{case.number}"


async def show(ctx, uow, staff, case, note) -> str:
    reg = ctx.registry
    tz = ctx.settings.timezone
    names = "、".join(reg.staff[a].name for a in case.assignees if a in reg.staff) or "无"
    lines = [routing.case_card(ctx, case, title=STATUS_NAMES.get(case.status, case.status), with_contact=True)
             .rsplit("\n", 1)[0],
             f"办理层级：{routing.LEVEL_NAMES.get(case.level, case.level)}｜经办：{names}",
             f"受理：{local(case.created_at, tz)}｜分派：{local(case.assigned_at or case.dispatched_at, tz) or '未分派'}"]
    events = await (await uow.cases()).events(case, ("status", "progress", "appointment", "assigned", "red_card",
                                                      "clock"))
    for e in events[-5:]:
        what = e.data.get("text") or e.data.get("after") or e.data.get("stage") or e.data.get("reason") or ""
        lines.append(f"· {local(e.at, tz)} {e.kind} {notify.shorten(str(what), 40)}")
    return "\n".join(lines)


MY_LINES = 20


async def my_cases(ctx, uow, staff: StaffInfo) -> str:
    """The count (kept per staff member) and the oldest open cases (the assignees index)."""
    store = await uow.cases()
    mine = await store.mine(staff.id, limit=MY_LINES)
    if not mine:
        return "您目前没有在办的案件。"
    total = max((await store.open_load([staff.id])).get(staff.id, 0), len(mine))
    lines = [f"您在办的案件（{total}件）："]
    lines += [f"{c.number}｜{TYPE_NAMES.get(c.type, c.type)}｜{ctx.registry.name(c.place_code)}｜"
              f"{STATUS_NAMES.get(c.status, c.status)}" for c in mine]
    if total > len(mine):
        lines.append(f"（以上是最早的{len(mine)}件）")
    return "\n".join(lines)


CORRECTION = re.compile(r"^(类型|风险|地点)\s*[:：]?\s*(\S+)\s*(.*)$", re.S)
RISK_WORDS = {"红": "red", "红色": "red", "red": "red", "黄": "yellow", "黄色": "yellow", "yellow": "yellow",
              "绿": "green", "绿色": "green", "green": "green"}


async def correct(ctx, uow, staff, case, note) -> str:
    """更正 N 类型|风险|地点 新值 原因: the reading was wrong. The ledger keeps who, why and what it
    was (`jiefen nlp train --from-ledger` learns from it); a case corrected to red alerts at once."""
    m = CORRECTION.match(note)
    if not m or not m.group(3).strip():
        return f"请写：更正 {case.number} 类型/风险/地点 新值 原因，例如：更正 {case.number} 风险 红 对方扬言报复"
    what, value, reason = m.group(1), m.group(2), m.group(3).strip()
    if what == "类型":
        field, after = "type", _type_code(value)
    elif what == "风险":
        field, after = "risk", RISK_WORDS.get(value.lower())
    else:
        field, after = "place", _place_code(ctx, value)
    if after is None:
        return f"没有认出{what}“{value}”。" + ("类型可写：" + "、".join(TYPE_NAMES[t] for t in DISPUTE_TYPES)
                                          if what == "类型" else "")
    store = await uow.cases()
    before = getattr(case, CORRECTABLE[field])
    if before == after:
        return f"案件 {case.number} 的{what}已经是“{value}”。"
    await store.correct(case, f"staff:{staff.id}", field, after, reason)
    if field == "risk" and after == "red" and case.status in OPEN_STATUSES:
        await routing.alert_red(ctx, uow, case)
    return f"已更正 {case.number} 的{what}：{_shown(ctx, field, before)} → {_shown(ctx, field, after)}（{reason}）"


def _type_code(value: str) -> str | None:
    by_name = {name: code for code, name in TYPE_NAMES.items() if code in DISPUTE_TYPES}
    return value if value in DISPUTE_TYPES else by_name.get(value) or next(
        (code for name, code in by_name.items() if value in name or name.startswith(value)), None)


def _place_code(ctx, value: str) -> str | None:
    reg = ctx.registry
    if value in reg.places:
        return value
    exact = [c for c, p in reg.places.items() if value in (p.name, *p.aliases)]
    return exact[0] if len(exact) == 1 else None


def _shown(ctx, field: str, value) -> str:
    if field == "type":
        return TYPE_NAMES.get(value, value or "未定")
    if field == "risk":
        return routing.RISK_NAMES.get(value, value or "未定")
    return ctx.registry.full_name(value) or "未定"


ACTIONS = {"更正": correct, "接单": accept, "进展": progress, "约谈": appointment, "办结": resolve, "上报": escalate,
           "未化解": escalate, "转办": transfer, "退回": send_back, "查": show}
