"""Staff commands over the WeCom app: 接单 进展 约谈 办结 终止 撤回 上报 未化解 转办 退回 查 我的.

Only the case's assignees and the supervisors above them may act on a case; anybody else
is refused and the case does not change. Residents never reach this router: it only
answers on staff channels, and only people in the registry.
"""
from __future__ import annotations

import re

from bot import case_actions, notify, routing, staffing
from bot.case_actions import Action, Actor
from bot.context import AppContext
from bot.dispatcher import Answer, Router
from bot.lifecycle import EVENT_NAMES, STAGE_NAMES, case_status_name, status_name
from bot.message import Message
from bot.middlewares import Turn
from bot.scope import sees_contact
from bot.uow import UnitOfWork
from handlers.texts import local
from nlp.reading import TYPE_NAMES
from storage.cases import find_number
from storage.lifecycle import EventKind
from storage.models import Case
from storage.registry import StaffInfo

router = Router("staff", lambda m, d: m.channel == d["ctx"].staff_channel)

# the words staff type, and what each does (bot/case_actions.py); 查 and 我的 only read
COMMANDS = {"接单": Action.ACCEPT, "进展": Action.PROGRESS, "约谈": Action.APPOINTMENT, "办结": Action.RESOLVE,
            "终止": Action.END, "终止调解": Action.END, "撤回": Action.WITHDRAW,
            "上报": Action.ESCALATE, "未化解": Action.ESCALATE, "转办": Action.TRANSFER, "退回": Action.SEND_BACK,
            "更正": Action.CORRECT, "当事人": Action.ADD_PARTY, "邀请": Action.INVITE, "会谈": Action.SCHEDULE,
            "调解会": Action.SCHEDULE, "笔录": Action.RECORD, "协议": Action.AGREE, "口头协议": Action.AGREE_ORALLY,
            "履行": Action.PERFORMED, "申请确认": Action.APPLY_CONFIRMATION, "确认结果": Action.CONFIRMATION_DECISION,
            "回访": Action.FOLLOW_UP, "来源": Action.ORIGIN, "卷宗": Action.SHOW_RECORD,
            "文书": Action.DOCUMENTS}
READS = ("查", "我的")
_COMMAND = re.compile(r"^\s*(" + "|".join(sorted([*COMMANDS, *READS], key=len, reverse=True)) + r")\s*(.*)$", re.S)
HELP = ("可用的命令（N 为案件编号）：\n"
        "接单 N｜进展 N 内容｜约谈 N 时间｜办结 N 结果（化解）\n"
        "终止 N 原因（调解不成，告知群众其他途径）｜撤回 N（群众申请撤回，已电话确认）\n"
        "上报 N 原因｜未化解 N 原因｜转办 N 人员｜退回 N 原因（分错了，退回综治中心）\n"
        "更正 N 类型/风险/地点 新值 原因（如：更正 N 类型 劳动争议 是欠薪不是合同）\n"
        "查 N｜我的（我在办的案件）\n"
        "调解：邀请 N 对方姓名 电话｜当事人 N 被申请人/第三人 姓名 电话｜会谈 N 时间 地点或视频链接\n"
        "笔录 N 到场：… 争议焦点：… 申请人：… 被申请人：… 方案：… 下一步：…\n"
        "协议 N 事实：… 争议：… 责任：… 内容：… 金额：… 履行方式：… 履行期限：…（口头协议 N …）\n"
        "履行 N [部分/未履行]｜申请确认 N 法院｜确认结果 N 受理/确认/驳回 文号 日期\n"
        "回访 N 已履行 满意 无风险（或：风险 说明）｜来源 N 公安/法院/政府移送、主动｜卷宗 N｜文书 N [申请书]")


@router.message()
async def on_staff(message: Message, ctx: AppContext, uow: UnitOfWork, turn: Turn) -> Answer:
    staff = staffing.staff_by_user(ctx.registry, message.user)
    if staff is None:
        return "您的企业微信账号不在解纷平台的工作人员名单里，请联系综治中心登记。"
    m = _COMMAND.match(message.text or "")
    if not m:
        return HELP
    command, rest = m.group(1), m.group(2).strip()
    if command == "我的":
        return await my_cases(ctx, uow, staff)
    prefix = ctx.settings.case_number_prefix
    found = find_number(rest, prefix)
    if not found:
        return f"请带上案件编号，例如：{command} {prefix}261123-001" + ("" if command == "查" else " …")
    number, (start, end) = found
    note = (rest[:start] + rest[end:]).strip(" ：:，,\u3000")
    store = await uow.cases()
    case = await store.get_for_update(number)
    if case is None:
        return f"没有编号为 {number} 的案件。"
    turn.case_numbers.add(number)
    if command == "查":
        if not staffing.may_act(ctx.registry, staff, case):
            return f"案件 {number} 不在您的办理范围内。如需协助请联系综治中心。"
        return await show(ctx, uow, staff, case, note)
    action = COMMANDS[command]
    if action in case_actions.NEEDS and not note:
        return f"请写上{case_actions.NEEDS[action]}，例如：{command} {number} ……"
    return await case_actions.perform(ctx, uow, Actor(staff), case, action, note)


async def show(ctx: AppContext, uow: UnitOfWork, staff: StaffInfo, case: Case, note: str) -> str:
    reg = ctx.registry
    tz = ctx.settings.timezone
    names = "、".join(reg.staff[a].name for a in case.assignees if a in reg.staff) or "无"
    # the name and phone in full for the case's own staff and the centre (as the console),
    # and who read them kept in the ledger; a supervisor reads them masked
    whole = sees_contact(reg, staff, case)
    if whole and (case.contact or case.reporter_name):
        await (await uow.cases()).event(case, EventKind.VIEWED_CONTACT, f"staff:{staff.id}", via="查")
    lines = [routing.case_card(ctx, case, title=case_status_name(case), with_contact=whole)
             .rsplit("\n", 1)[0],
             f"办理层级：{routing.LEVEL_NAMES.get(case.level, case.level)}｜经办：{names}",
             f"受理：{local(case.created_at, tz)}｜分派：{local(case.assigned_at or case.dispatched_at, tz) or '未分派'}"]
    events = await (await uow.cases()).events(case, ("status", "progress", "appointment", "assigned", "red_card",
                                                      "clock"))
    for e in events[-5:]:
        if e.kind == "status":
            what = status_name(str(e.data.get("after", "")), e.data.get("result")) if e.data.get("after") else ""
        elif e.kind == "clock":
            what = STAGE_NAMES.get(str(e.data.get("stage", "")), "")
        elif e.kind == "assigned":
            what = "、".join(str(p.get("name", "")) for p in e.data.get("staff") or []) or e.data.get("reason", "")
        else:
            what = e.data.get("text") or e.data.get("reason") or ""
        lines.append(f"· {local(e.at, tz)} {EVENT_NAMES.get(e.kind, e.kind)} {notify.shorten(str(what), 40)}")
    return "\n".join(lines)


MY_LINES = 20


async def my_cases(ctx: AppContext, uow: UnitOfWork, staff: StaffInfo) -> str:
    """The count (kept per staff member) and the oldest open cases (the assignees index)."""
    store = await uow.cases()
    mine = await store.mine(staff.id, limit=MY_LINES)
    if not mine:
        return "您目前没有在办的案件。"
    total = max((await store.open_load([staff.id])).get(staff.id, 0), len(mine))
    lines = [f"您在办的案件（{total}件）："]
    lines += [f"{c.number}｜{TYPE_NAMES.get(c.type, c.type)}｜{ctx.registry.name(c.place_code)}｜"
              f"{case_status_name(c)}" for c in mine]
    if total > len(mine):
        lines.append(f"（以上是最早的{len(mine)}件）")
    return "\n".join(lines)
