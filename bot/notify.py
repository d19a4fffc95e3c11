"""Telling the resident: every change of status, progress note and appointment goes back to
the channel and account the report came from, through the outbox ("件件有回音").
Staff names stay out of these texts: the resident learns the role and the place."""
from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from bot.message import Push
from bot.privacy import mask_text, names_of
from storage.lifecycle import Result, Status
from storage.mediation import MediationStore
from storage.models import Case

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.uow import UnitOfWork
    from storage.registry import Registry

ROLE_NAMES = {"grid_worker": "网格员", "mediator": "调解员", "committee": "专业调解委员会调解员",
              "leader_on_duty": "值班领导", "centre": "综治中心"}
LEVEL_WORDS = {"town": "乡镇（街道）", "county": "县里", "village": "村里", "community": "社区"}
def relayed(case: Case) -> bool:
    """A case posted in a work group or forwarded for a resident: its reporter of record is the
    one who relayed it (a grid worker, an operator), who does not rate the result."""
    return (case.source or "").startswith("group:")


# a mediation ended without settlement: what the resident can still do (人民调解法 第二十六条)
OTHER_ROUTES = ("您仍可以通过其他途径解决：向人民法院起诉；劳动争议、土地承包经营纠纷等可以申请仲裁；"
                "也可以向有关行政部门反映。需要法律帮助，可拨打 12348 公共法律服务热线。")
RATE_SCORE = "请为这次处理打个分：回复 1-5（5 表示非常满意，1 表示很不满意）。"
RATE_QUESTION = RATE_SCORE + "如果问题其实没有解决，请回复“没解决”，我们会继续办理。"


_LINK = re.compile(r"(?i)\b(https?|ftp|weixin)://")


def inert(text: str) -> str:
    """A resident's words as staff cards carry them: no markup that WeCom would render (its
    text messages take <a> tags) and no live links (a link from a stranger is not ours)."""
    return _LINK.sub(lambda m: m.group(1) + "[:]//", (text or "").replace("<", "＜").replace(">", "＞"))


def shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def who(ctx: "AppContext", case: Case, staff_id: str | None = None) -> str:
    """'东溪镇柳林村的网格员': that staff member's (default: the first assignee's) place and
    role, no name."""
    return holder(ctx.registry, case, staff_id) or "工作人员"


def holder(reg: "Registry", case: Case, staff_id: str | None = None) -> str:
    """`who`, from the registry alone ("" when the case has nobody)."""
    for sid in ([staff_id] if staff_id else []) + list(case.assignees or []):
        s = reg.staff.get(sid)
        if s is not None:
            place = reg.full_name(s.places[0]) if s.places else ""
            return f"{place}的{ROLE_NAMES.get(s.role, '工作人员')}" if place else ROLE_NAMES.get(s.role, "工作人员")
    return ""


async def tell(ctx: "AppContext", uow: "UnitOfWork", case: Case, text: str, kind: str = "update",
               others: str | None = None, answered: tuple[str, str] | None = None) -> None:
    """Tell everyone who reported the dispute: the reporter of record gets `text`; residents
    whose later reports joined the case get `others` (default: the same words). `answered`
    (channel, user): the one whose words caused it, told already in the reply."""
    # the key holds the instant: the same words on another day are news again, a retried
    # unit of work at the same instant is not
    store = await uow.cases()
    # the case's names, and the mediation record's parties' (邀请 enters the respondent there)
    recorded = await MediationStore(await uow.session(), now=uow.now).parties(case.id)
    names = names_of(case) + tuple(p.name for p in recorded if p.name)
    handling = {s.wecom_userid for s in ctx.registry.staff.values() if s.id in (case.assignees or []) and s.wecom_userid}
    for i, (channel, user) in enumerate(await store.reporters(case)):
        sender = ctx.channels.get(channel)
        if sender is not None and not getattr(sender, "takes_pushes", True) or (channel, user) == answered:
            continue
        if channel.startswith("wecom") and user in handling:
            continue    # a worker who posted the case and has it: their cards say it, not "会有人与您联系"
        # staff notes may name people or give numbers: residents read them masked
        words = mask_text(text if i == 0 else (others if others is not None else text), names)
        digest = hashlib.sha1(words.encode()).hexdigest()[:10]
        key = f"res:{case.number}:{uow.now.isoformat()}:{digest}" + (f":{i}" if i else "")
        await uow.push(Push(channel, user, words, case.number, kind, key=key))


async def status_changed(ctx: "AppContext", uow: "UnitOfWork", case: Case, note: str = "",
                         reopened: bool = False, by: str | None = None,
                         answered: tuple[str, str] | None = None) -> None:
    """Tell the residents; `by`: the staff member whose action it was (who took the case over);
    `answered`: the resident whose words changed it, told in the reply."""
    n = case.number
    if case.status == Status.DISPATCHED:
        within = (f"{ctx.settings.red_response_hours:g}小时内" if case.risk == "red"
                  else f"{ctx.settings.start_mediation_days}个工作日内")
        text = f"您反映的案件 {n} 已分派给{who(ctx, case)}，{within}会有人与您联系。"
    elif case.status == Status.MEDIATING and reopened:
        text = f"案件 {n} 已重新进入调解，原来的经办人会继续跟进，有进展会告诉您。"
    elif case.status == Status.MEDIATING:
        text = f"案件 {n} 已由{who(ctx, case, by)}接手，正在调解，有进展会告诉您。"
    elif case.status == Status.RESOLVED and case.result == Result.ENDED:
        ended = f"案件 {n} 调解未能达成一致，已终止调解。" + (f"原因：{shorten(note, 200)}。" if note else "")
        asked = f"{ended}{OTHER_ROUTES}" if relayed(case) else f"{ended}{OTHER_ROUTES}\n{RATE_SCORE}"
        await tell(ctx, uow, case, asked, "final", others=f"案件 {n} 已终止调解。{OTHER_ROUTES}")
        return
    elif case.status == Status.CLOSED and case.result == Result.WITHDRAWN:
        await tell(ctx, uow, case, f"案件 {n} 已按您的申请撤回，不再办理。以后有新的情况，随时可以再来反映。",
                   answered=answered, others=f"案件 {n} 已由反映人撤回，不再办理；如您的事仍需处理，请再来反映。")
        return
    elif case.status == Status.RESOLVED:
        result = f"案件 {n} 已调解办结。处理结果：{shorten(note, 200) or '已化解'}"
        # a relay's poster is a worker, not the resident: no score asked of them for their own work
        asked = result if relayed(case) else f"{result}\n{RATE_QUESTION}"
        await tell(ctx, uow, case, asked, "final", others=f"案件 {n} 已调解办结。")
        return
    elif case.status == Status.ESCALATED:
        text = f"案件 {n} 已上报到{LEVEL_WORDS.get(case.level, '上级')}处理，由{who(ctx, case)}负责。"
    elif case.status == Status.RECEIVED:
        text = f"案件 {n} 正在重新分派给合适的工作人员，分派后会通知您。"
    elif case.status == Status.CLOSED and case.satisfaction is None:
        text = f"案件 {n} 已回访并办结归档。" + (f"回访情况：{shorten(note, 200)}" if note else "")
        await tell(ctx, uow, case, text, answered=answered, others=f"案件 {n} 已回访并办结归档。")
        return
    elif case.status == Status.CLOSED:
        text = f"案件 {n} 已办结归档，感谢您的评价。"
    else:
        return
    await tell(ctx, uow, case, text, answered=answered)


# staff notes, meetings and results are written to the reporter of record ("已与报案人张女士电话
#确认"); residents whose reports joined the case hear that it moved, not those words
async def progress(ctx: "AppContext", uow: "UnitOfWork", case: Case, note: str) -> None:
    await tell(ctx, uow, case, f"案件 {case.number} 有新进展：{shorten(note, 300)}",
               others=f"案件 {case.number} 有新进展，工作人员正在办理。")


async def appointment(ctx: "AppContext", uow: "UnitOfWork", case: Case, when: str, by: str | None = None) -> None:
    """`by`: who made the appointment (it is they who will meet the resident)."""
    await tell(ctx, uow, case, f"案件 {case.number}：{who(ctx, case, by)}约您 {shorten(when, 100)} 面谈调解，"
                               "如时间不方便请直接回复说明。",
               others=f"案件 {case.number} 已约定面谈调解，工作人员正在办理。")
