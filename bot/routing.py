"""Routing as data: who gets a case, and why, read from the registry.

A new case goes to the grid worker of its place (micro-grid, then grid, then village; the
town's mediator when nobody covers the village); a type with a professional committee also
to that committee's least loaded mediator in the area; a red case alerts the leader on duty
and the centre first, whatever the hour. Every choice is written to the ledger with its reason.
Escalation follows the tree: village → town → county, never higher ("矛盾不上交"). Who covers
a place, and who may act on a case: bot/staffing.py.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot import notify, staffing
from bot.message import Push
from bot.privacy import mask_name, mask_phone, mask_text, names_of
from nlp.reading import TYPE_NAMES
from storage.lifecycle import EventKind, Risk, Status
from storage.models import Case, CaseEvent
from storage.registry import StaffInfo

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.uow import UnitOfWork

NEXT_LEVEL = {"village": "town", "community": "town", "town": "county"}
LEVEL_NAMES = {"village": "村（社区）", "community": "村（社区）", "town": "乡镇（街道）", "county": "县"}
RISK_NAMES = {"red": "红色", "yellow": "黄色", "green": "绿色"}


# ---- acting on a case ------------------------------------------------------------------------

def staff_push(ctx: AppContext, staff: StaffInfo, text: str, case: Case, kind: str, key: str) -> Push | None:
    if not staff.wecom_userid:
        return None
    return Push(ctx.staff_channel, staff.wecom_userid, text, case.number, kind, key=f"{key}:{staff.id}")


def case_card(ctx: "AppContext", case: Case, *, title: str, with_contact: bool, why: str = "") -> str:
    reg = ctx.registry
    lines = [f"【{title}】{case.number}",
             f"类型：{TYPE_NAMES.get(case.type, case.type)}｜风险：{RISK_NAMES.get(case.risk, case.risk)}",
             f"地点：{reg.full_name(case.place_code) or '待核实'}",
             # someone told but not assigned (the centre) reads the words masked, as the contact
             f"概要：{notify.inert(notify.shorten(case.description if with_contact else mask_text(case.description, names_of(case)), 100))}"]
    if case.risk_reasons:
        lines.append("预警原因：" + notify.inert("、".join(case.risk_reasons)))
    contact = case.contact if with_contact else mask_phone(case.contact)
    name = notify.inert(case.reporter_name if with_contact else mask_name(case.reporter_name))
    lines.append(f"反映人：{name or '群众'}，联系方式：{contact or '平台留言（回复会转达）'}")
    if with_contact and case.contact_note:
        lines.append(f"联系提醒：{notify.inert(case.contact_note)}")
    if why:
        lines.append(f"分派原因：{why}")
    if case.status == Status.MEDIATING:      # handed on mid-mediation: nothing to accept ("已经在调解中")
        lines.append(f"案件已在调解中，请接着办理；回复“查 {case.number}”看详情。")
    elif case.status == Status.RECEIVED:     # back with the centre: to dispatch, not to accept
        lines.append(f"请在工作台分派，或回复“转办 {case.number} 姓名”；“查 {case.number}”看详情。")
    else:
        lines.append(f"回复“接单 {case.number}”接单，“查 {case.number}”看详情。")
    return "\n".join(lines)


async def assign(ctx: "AppContext", uow: "UnitOfWork", case: Case, choices: Iterable[staffing.Choice], actor: str,
                 *, title: str = "新案件", reason: str = "", told: frozenset[str] = frozenset(),
                 keep_clock: bool = False) -> list[staffing.Choice]:
    """Make `choices` the case's assignees, write who and why, push each of them the case
    (with the resident's contact: they are the ones who call back)."""
    store = await uow.cases()
    chosen: dict[str, staffing.Choice] = {}
    for c in choices:
        chosen.setdefault(c.staff.id, c)
    # who is taken off it: in the ledger, and told (a transfer said neither, and the one taken
    # off read "不在您的办理范围内" of a case in their own community)
    removed = [ctx.registry.staff[a] for a in case.assignees or [] if a not in chosen and a in ctx.registry.staff]
    store.assign(case, [(sid, c.staff.role) for sid, c in chosen.items()], keep_clock=keep_clock)
    await store.event(case, EventKind.ASSIGNED, actor, reason=reason,
                      staff=[{"id": c.staff.id, "name": c.staff.name, "role": c.staff.role, "why": c.why}
                             for c in chosen.values()],
                      **({"removed": [{"id": s.id, "name": s.name} for s in removed]} if removed else {}))
    key = f"assign:{case.number}:{uow.now.isoformat()}"
    to = "、".join(c.staff.name for c in chosen.values())
    for s in removed:
        if actor.endswith(f":{s.id}"):
            continue            # the one handing it on knows
        push = staff_push(ctx, s, f"【已转出】{case.number} 已改由{to}办理" + (f"（{reason}）" if reason else "") +
                          "，您不再经办此案。", case, "assignment", key + ":off")
        if push is not None:
            await uow.push(push)
    for c in chosen.values():
        if c.staff.id in told:       # alerted a moment ago with the same card
            continue
        push = staff_push(ctx, c.staff, case_card(ctx, case, title=title, with_contact=True, why=c.why or reason),
                          case, "assignment", key)
        if push is not None:
            await uow.push(push)
    return list(chosen.values())


async def route_new_case(ctx: "AppContext", uow: "UnitOfWork", case: Case) -> None:
    """The on_case_opened hook."""
    reg = ctx.registry
    choices: list[staffing.Choice] = []
    if case.risk == Risk.RED:           # before anything else, at any hour
        choices += await alert_red(ctx, uow, case)   # the leader owns a red case end to end (包案领导)
    if case.place_code:
        choices = staffing.grid_workers(reg, case.place_code) + choices
    pool = [s.id for s in reg.staff.values() if s.role == "committee" and case.type in s.types]
    com = staffing.committee(reg, case.type, case.place_code, await staffing.open_load(uow, pool)) if pool else None
    if com:
        choices.append(com)
    if not choices:                  # no place yet: the centre sorts it out
        choices = [staffing.Choice(s, "地点未定，交综治中心分派") for s in staffing.centres(reg, None)]
    if not choices:
        return
    await assign(ctx, uow, case, choices, "routing", reason="按地点和类型自动分派",
                 told=frozenset(c.staff.id for c in choices if c.staff.role == "leader_on_duty"))
    await (await uow.cases()).transition(case, "dispatched", "routing")
    await notify.status_changed(ctx, uow, case)


async def alert_red(ctx: "AppContext", uow: "UnitOfWork", case: Case) -> list[staffing.Choice]:
    """The leader(s) on duty and the centre hear of a red case at once, whatever the hour; the
    leaders chosen (they own the case)."""
    reg = ctx.registry
    local_now = uow.now.astimezone(ZoneInfo(ctx.settings.timezone))
    leaders = staffing.leaders_on_duty(reg, case.place_code, local_now)
    unreachable = []
    for c in leaders:
        p = staff_push(ctx, c.staff, case_card(ctx, case, title="红色预警", with_contact=True, why=c.why),
                       case, "alert", f"red:{case.number}")
        if p:
            await uow.push(p)
            uow.queued[LEADER_ALERTED] += 1
        else:
            unreachable.append(c.staff)
    if unreachable:
        # a leader on duty without a WeCom account: the centre calls them (the alert was dropped,
        # and the resident told the leader knew)
        log.warning("red alert %s: no WeCom account for %s", case.number, ", ".join(s.id for s in unreachable))
    missing = "".join(f"\n值班领导{s.name}没有企业微信账号，未能通知，请立即电话联系。" for s in unreachable)
    for s in staffing.centres(reg, case.place_code):
        p = staff_push(ctx, s, case_card(ctx, case, title="红色预警", with_contact=False) + missing, case, "alert",
                       f"red:{case.number}")
        if p:
            await uow.push(p)
    store = await uow.cases()
    await store.event(case, EventKind.ALERT, "routing", to=[c.staff.id for c in leaders if c.staff not in unreachable] +
                      [s.id for s in staffing.centres(reg, case.place_code)], reasons=list(case.risk_reasons),
                      **({"unreachable": [s.id for s in unreachable]} if unreachable else {}))
    return leaders


async def raised_to_red(ctx: "AppContext", uow: "UnitOfWork", case: Case, actor: str, again: bool = False) -> None:
    """A case turned red after it was opened (a correction, many reporters): alerted as one
    read red at first (once; `again`: with its new reasons even when alerted before), and the
    leader on duty joins its assignees (包案领导)."""
    if not again and await (await uow.cases()).events(case, (EventKind.ALERT,)):
        return
    leaders = await alert_red(ctx, uow, case)
    # the people who have it: a red case's clocks are hours, not days (they were not told, and
    # had two hours to accept)
    why = f"已升为红色，请在{ctx.settings.red_response_hours:g}小时内接单处理"
    for a in case.assignees or []:
        if a in ctx.registry.staff and all(c.staff.id != a for c in leaders):
            p = staff_push(ctx, ctx.registry.staff[a], case_card(ctx, case, title="升为红色", with_contact=True, why=why),
                           case, "alert", f"red-up:{case.number}:{uow.now.isoformat()}")
            if p:
                await uow.push(p)
    if case.assignees and any(c.staff.id not in case.assignees for c in leaders):
        staying = [staffing.Choice(ctx.registry.staff[a], "继续办理") for a in case.assignees if a in ctx.registry.staff]
        await assign(ctx, uow, case, staying + leaders, actor, reason="升为红色，值班领导包案",
                     told=frozenset(c.staff.id for c in staying + leaders))


async def place_moved(ctx: "AppContext", uow: "UnitOfWork", case: Case, actor: str) -> list[StaffInfo]:
    """The case's place was corrected: whoever holds it for a place that does not cover the
    new one (a village's grid worker, a town's mediator or desk, a committee or a leader of
    another area) hands it to their counterpart for the new place; the others stay. The
    people it went to."""
    reg = ctx.registry
    covering = {p.code for p in reg.ancestors(case.place_code)}
    assigned = [reg.staff[a] for a in case.assignees or [] if a in reg.staff]
    leaving = [s for s in assigned if s.places and not covering & set(s.places)]
    if not leaving:
        return []
    coming: list[staffing.Choice] = []
    for role in dict.fromkeys(s.role for s in leaving):
        if role == "grid_worker":
            coming += staffing.grid_workers(reg, case.place_code)
        elif role == "mediator":
            levels = {reg.places[c].level for s in leaving if s.role == role for c in s.places if c in reg.places}
            coming += staffing.handlers_at(reg, case.place_code, "county" if levels == {"county"} else "town")
        elif role == "committee":
            load = await staffing.open_load(uow, [s.id for s in reg.staff.values() if s.role == "committee"])
            com = staffing.committee(reg, case.type, case.place_code, load)
            coming += [com] if com is not None else staffing.handlers_at(reg, case.place_code, "town")
        elif role == "leader_on_duty":
            coming += staffing.leaders_on_duty(reg, case.place_code, uow.now.astimezone(ZoneInfo(ctx.settings.timezone)))
        else:
            coming += [staffing.Choice(s, "地点更正，交当地综治中心") for s in staffing.centres(reg, case.place_code)]
    coming = [c for c in coming if c.staff.id not in (case.assignees or [])]
    if not coming:           # nobody covers the new place: those who have it keep it
        return []
    staying = [staffing.Choice(s, "继续办理") for s in assigned if s not in leaving]
    await assign(ctx, uow, case, staying + coming, actor, title="地点更正，转来案件",
                 reason="地点更正：" + "、".join(dict.fromkeys(c.why for c in coming)),
                 told=frozenset(c.staff.id for c in staying))
    return list({c.staff.id: c.staff for c in coming}.values())


async def escalate(ctx: "AppContext", uow: "UnitOfWork", case: Case, actor: str, reason: str,
                   by: str | None = None) -> str | None:
    """Move the case one level up the tree and hand it to that level; the new level, or None
    at the county (nothing goes higher). `by`: the staff id of the person escalating; a level
    whose handlers are only them is passed over (a town mediator who took a village case over
    and cannot settle it sends it to the county, not back to themselves)."""
    level = NEXT_LEVEL.get(case.level)
    while level is not None and by is not None and \
            {c.staff.id for c in staffing.handlers_at(ctx.registry, case.place_code, level)} == {by}:
        level = NEXT_LEVEL.get(level)
    if level is None:
        return None
    store = await uow.cases()
    if case.status == Status.ESCALATED:   # escalated again before anyone took it at the level between
        await store.event(case, EventKind.ESCALATED, actor, reason=reason, level_before=case.level, level=level)
    else:
        await store.transition(case, "escalated", actor, reason=reason, level_before=case.level, level=level)
    case.level = level
    # the level's mediators change; a professional committee and the case owner do not
    # (they are not bound to a level: "一个案件、一名领导……一抓到底")
    stay = [staffing.Choice(s, "继续办理") for s in (ctx.registry.staff.get(a) for a in case.assignees or [])
            if s is not None and s.role in ("committee", "leader_on_duty")]
    # the next level hears why it came up (the card said only whose it was)
    choices = [staffing.Choice(c.staff, f"{c.why}；上报原因：{reason}") for c in staffing.handlers_at(ctx.registry, case.place_code, level)] + stay
    await assign(ctx, uow, case, choices, actor, title=f"上报到{LEVEL_NAMES[level]}", reason=reason)
    await notify.status_changed(ctx, uow, case, note=reason)
    return level


async def case_updated(ctx: "AppContext", uow: "UnitOfWork", case: Case) -> None:
    """The on_case_updated hook: an addition to an urgent case reaches its people at once."""
    await follow_up(ctx, uow, case, await (await uow.cases()).events(case, FOLLOW_UP_KINDS))


log = logging.getLogger("jiefen.routing")
LEADER_ALERTED = "leader_alerted"          # uow.queued: an alert to a leader on duty was queued
FOLLOW_UP_KINDS = ("assigned", "followed_up", "updated")
# how a reporter's wish to withdraw is written into the case's description ("；申请撤回：…"): a new
# report does not join such a case (bot/duplicates.py), which may be closed with it unheard
WITHDRAW_LABEL = "申请撤回"
WITHDRAW_TITLE = "群众申请撤回"            # what the staff are told a resident asked, withdrawing      # the ledger follow_up reads


async def resident_said(ctx: "AppContext", uow: "UnitOfWork", case: Case, words: str, title: str,
                        key: str) -> None:
    """What the resident said about their open case ("不用来了", "怎么还没人来") goes to the
    people who have it, in their words (they are the staff assigned: no masking)."""
    reg = ctx.registry
    hint = (f"与群众电话确认后，回复“撤回 {case.number}”结案；" if title == WITHDRAW_TITLE else "") + \
        f"回复“查 {case.number}”看详情。"
    text = "\n".join([f"【{title}】{case.number}", notify.inert(notify.shorten(words, 300)), hint])
    # nobody has it yet (not dispatched): the centre that dispatches it hears (the words went nowhere
    # while the resident was told "已转告经办人")
    people = [reg.staff[sid] for sid in case.assignees or [] if sid in reg.staff] or staffing.centres(reg, case.place_code)
    for person in people:
        p = staff_push(ctx, person, text, case, "update", key)
        if p:
            await uow.push(p)
    # what they said turned the case red ("他今天又来了，举着锄头"): the leader on duty hears at
    # once, as for a case opened red (once: a case alerted already is not alerted again)
    if case.risk == Risk.RED and not await (await uow.cases()).events(case, (EventKind.ALERT,)):
        await alert_red(ctx, uow, case)


async def follow_up(ctx: "AppContext", uow: "UnitOfWork", case: Case, events: Sequence[CaseEvent]) -> bool:
    """What a resident adds to an urgent case after it was routed (the place, a phone number)
    reaches its people: the grid worker of a place given late joins, the others get the card
    again. Run when the addition is made, and again by the scheduler, which the addition makes
    look at the case at once (bot/clocks.py; it finds nothing left when the first run went through)."""
    last = max((e.id for e in events if e.kind in ("assigned", "followed_up")), default=None)
    added = [e.id for e in events if last is not None and e.id > last and e.kind == EventKind.UPDATED
             and {"place_code", "contact"} & set(e.data.get("after") or {})]
    if not added:
        return False
    reg = ctx.registry
    has_grid = any(a in reg.staff and reg.staff[a].role == "grid_worker" for a in case.assignees or [])
    joining = [] if has_grid or not case.place_code else \
        [c for c in staffing.grid_workers(reg, case.place_code) if c.staff.id not in (case.assignees or [])]
    key = f"follow:{case.number}:{added[-1]}"      # one card per addition, however close in time
    for sid in case.assignees or []:
        if sid in reg.staff:
            p = staff_push(ctx, reg.staff[sid], case_card(ctx, case, title="案件补充", with_contact=True), case, "update", key)
            if p:
                await uow.push(p)
    for c in joining:
        p = staff_push(ctx, c.staff, case_card(ctx, case, title="新案件", with_contact=True, why=c.why), case,
                       "assignment", key)
        if p:
            await uow.push(p)
    store = await uow.cases()
    for c in joining:
        store.add_assignee(case, c.staff.id, c.staff.role)
    await store.event(case, EventKind.FOLLOWED_UP, "routing",
                      joined=[{"id": c.staff.id, "why": c.why} for c in joining])
    return True
