"""Cases and their ledger as the console shows them: names and phone numbers masked (bot/privacy.py),
people named as staff read them, times in the county's zone."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import clocks
from bot.lifecycle import (
    CONFIRMATION_NAMES,
    EVENT_NAMES,
    OPEN_STATUSES,
    PARTY_ROLE_NAMES,
    PERFORMANCE_NAMES,
    STAGE_NAMES,
    STATUS_NAMES,
    case_status_name,
    status_name,
)
from bot.notify import ROLE_NAMES
from bot.outbox import NO_CHANNEL
from bot.privacy import mask_data, mask_name, mask_numbers, mask_party, mask_phone, mask_text, names_of
from bot.routing import LEVEL_NAMES
from bot.settings import Settings
from nlp.reading import RISK_NAMES, TYPE_NAMES
from storage.lifecycle import EventKind
from storage.models import Case, CaseEvent
from storage.registry import Registry

CHANNEL_NAMES = {"wechat_mp": "公众号", "web": "网页", "wecom_bot": "工作群", "wecom_app": "企业微信",
                 "group_forward": "转发/12345", "terminal": "命令行（测试）", "test": "测试"}
KIND_NAMES = EVENT_NAMES
OUTCOME_NAMES = {"sent": "已送达", "hold": "待群众上线", "retry": "重试中", "failed": "失败"}


def local(when: datetime | None, tz: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return when.astimezone(ZoneInfo(tz)).strftime(fmt) if when else ""


def actor_name(actor: str, registry: Registry, case: Case, parties: Mapping[str, str] = {}) -> str:
    """'console:gw-liulin' → '李红梅（网格员）'; a staff member's WeCom chat → them too; a resident →
    '反映人'; a party's own chat → '被申请人'; the system's parts by role. `parties`: the
    mediation record's parties by chat ("channel:user" → role)."""
    via, _, who = actor.partition(":")
    if via in ("staff", "console") and who in registry.staff:
        s = registry.staff[who]
        return f"{s.name}（{ROLE_NAMES.get(s.role, s.role)}{'，工作台' if via == 'console' else ''}）"
    if via.startswith("wecom") and who:
        # a command sent over the WeCom app is the staff member's, not "其他反映人"
        s = next((s for s in registry.staff.values() if s.wecom_userid == who), None)
        if s is not None:
            return f"{s.name}（{ROLE_NAMES.get(s.role, s.role)}，企业微信）"
    if actor in parties and actor != f"{case.channel}:{case.reporter}":
        return f"当事人（{PARTY_ROLE_NAMES.get(parties[actor], parties[actor])}）"
    system = {"routing": "自动分派", "scheduler": "时限", "outbox": "推送", "bot": "解纷助手", "intake": "受理",
              "duplicates": "合并重复"}
    if actor in system:
        return system[actor]
    if actor == f"{case.channel}:{case.reporter}":
        return "反映人"
    return "其他反映人" if who else actor


def case_row(case: Case, registry: Registry, settings: Settings, now: datetime) -> dict[str, Any]:
    """A line of the list: nothing personal in clear."""
    names = names_of(case)
    return {
        "number": case.number, "status": case.status, "status_name": case_status_name(case),
        "type": case.type, "type_name": TYPE_NAMES.get(case.type, case.type), "risk": case.risk,
        "risk_name": RISK_NAMES.get(case.risk, case.risk), "place": case.place_code or "",
        "place_name": registry.full_name(case.place_code) or "待核实", "channel": case.channel,
        "channel_name": CHANNEL_NAMES.get(case.channel, case.channel), "source": case.source or "",
        "level": case.level, "summary": mask_text(" ".join(case.description.split()), names)[:80],
        "contact_masked": mask_phone(case.contact) if case.contact else "",
        "assignees": [registry.staff[a].name if a in registry.staff else a for a in case.assignees],
        "created_at": local(case.created_at, settings.timezone), "updated_at": local(case.updated_at, settings.timezone),
        "overdue": case.status in OPEN_STATUSES and case.overdue_since is not None,
        "red_card": case.red_card_at is not None, "satisfaction": case.satisfaction,
        "open": case.status in OPEN_STATUSES,
    }


def _cut(text: Any, n: int = 80) -> str:
    """A preview: numbers masked before the cut (a phone cut in half was shown as 8 digits)."""
    return mask_numbers(str(text))[:n]


def clocks_of(case: Case, settings: Settings, now: datetime) -> list[dict[str, Any]]:
    return [{"stage": stage.name, "name": STAGE_NAMES.get(stage.name, stage.label),
             "due": local(at, settings.timezone), "late": now >= at}
            for stage, _anchor, at in clocks.due(case, settings)]


def _when(iso: Any, tz: str) -> str:
    try:
        return local(datetime.fromisoformat(str(iso)), tz, "%m月%d日 %H:%M")
    except ValueError:
        return ""


def mediation_text(kind: str, d: Mapping[str, Any], tz: str) -> str | None:
    """The mediation record's events in a line each (the console showed their titles only)."""
    from bot.mediation.parties import ORIGIN_NAMES
    from bot.mediation.sessions import RECORD_FIELDS, RECORD_NAMES
    role = PARTY_ROLE_NAMES.get(str(d.get("role", "")), "")
    if kind == EventKind.PARTY_ADDED:
        return f"{role}：{d.get('name') or '未留姓名'}" + (f"，电话 {d['contact']}" if d.get("contact") else "")
    if kind == EventKind.INVITED:
        return f"发出邀请，{_when(d.get('expires'), tz)}前有效" + (f"；{d['note']}" if d.get("note") else "")
    if kind == EventKind.PARTY_JOINED:
        return f"{role}通过邀请加入"
    if kind == EventKind.PARTY_CONSENT:
        said = {"agreed": "同意调解", "refused": "不同意调解"}.get(str(d.get("after", "")), str(d.get("after", "")))
        return f"{role}：{said}" + (f"（{d['text']}）" if d.get("text") else "")
    if kind == EventKind.SESSION_SCHEDULED:
        where = d.get("place") or ("视频" if d.get("video_url") else "")
        return f"第{d.get('seq', '')}次调解会：{_when(d.get('starts_at'), tz)} {where}".strip()
    if kind == EventKind.SESSION_RECORDED:
        said = "；".join(f"{RECORD_NAMES[k]}：{d[k]}" for k in RECORD_FIELDS if d.get(k))
        return f"第{d.get('seq', '')}次调解会笔录" + (f"：{_cut(said)}" if said else "")
    if kind == EventKind.AGREEMENT:
        form = "口头协议" if d.get("form") == "oral" else "书面协议"
        amount = f"，金额 {int(d['amount_fen']) / 100:.2f} 元" if d.get("amount_fen") else ""
        due = f"，{_when(d.get('performance_due'), tz)}前履行" if d.get("performance_due") else ""
        return f"{form} {d.get('number', '')}{amount}{due}"
    if kind == EventKind.PERFORMANCE:
        return PERFORMANCE_NAMES.get(str(d.get("after", "")), str(d.get("after", ""))) + \
            (f"：{d['text']}" if d.get("text") else "")
    if kind == EventKind.CONFIRMATION:
        return CONFIRMATION_NAMES.get(str(d.get("after", "")), str(d.get("after", ""))) + \
            (f"（{d['court']}）" if d.get("court") else "")
    if kind == EventKind.FOLLOW_UP_VISIT:
        if d.get("what") != "done":
            return "回访任务已安排"
        found = ["已履行" if d.get("performed") else "履行情况未说", "满意" if d.get("satisfied") else "不满意或未说",
                 f"风险：{d['risk']}" if d.get("risk") else "无风险"]
        return "回访：" + "，".join(found)
    if kind == EventKind.DOCUMENT_LINK:
        return "取文书链接（" + ("司法确认申请书" if d.get("kind") == "application" else "调解协议书") + "）"
    if kind == EventKind.ORIGIN:
        return "来源：" + ORIGIN_NAMES.get(str(d.get("after", "")), str(d.get("after", "")))
    return None


def event_text(e: CaseEvent, registry: Registry, tz: str = "Asia/Shanghai") -> str:
    """One line saying what the event was (masked by the caller)."""
    d = e.data or {}
    kind = e.kind
    told = mediation_text(kind, d, tz)
    if told is not None:
        return told
    if kind == EventKind.STATUS:
        before, after = STATUS_NAMES.get(d.get("before", ""), d.get("before", "")), status_name(d.get("after", ""), d.get("result"))
        extra = d.get("outcome") or d.get("reason") or d.get("follow_up") or ""
        if d.get("satisfaction"):
            extra = f"满意度 {d['satisfaction']} 分"
        return f"{before} → {after}" + (f"：{extra}" if extra else "")
    if kind == EventKind.ASSIGNED:
        people = "、".join(f"{p.get('name') or p.get('id')}（{p.get('why') or ROLE_NAMES.get(p.get('role', ''), '')}）"
                          for p in d.get("staff", []) if isinstance(p, dict))
        off = "、".join(str(p.get("name") or p.get("id")) for p in d.get("removed", []) if isinstance(p, dict))
        return f"分派给 {people}" + (f"；不再经办：{off}" if off else "") + (f"；原因：{d['reason']}" if d.get("reason") else "")
    if kind == EventKind.CORRECTED:
        field = {"type": "类型", "risk": "风险", "place": "地点"}.get(d.get("field", ""), d.get("field", ""))
        show = {"type": lambda v: TYPE_NAMES.get(v, v), "risk": lambda v: RISK_NAMES.get(v, v),
                "place": lambda v: registry.full_name(v) or v}.get(d.get("field", ""), lambda v: v)
        return f"{field}：{show(d.get('before', ''))} → {show(d.get('after', ''))}；原因：{d.get('reason', '')}"
    if kind == EventKind.NOTIFICATION:
        if d.get("detail") == NO_CHANNEL:        # the laptop demo has no WeCom: nothing failed
            return (f"{CHANNEL_NAMES.get(d.get('channel', ''), d.get('channel', ''))}未配置，未推送 — "
                    f"{_cut(d.get('text', ''))}")
        return (f"{CHANNEL_NAMES.get(d.get('channel', ''), d.get('channel', ''))} 第{d.get('attempt', 1)}次："
                f"{OUTCOME_NAMES.get(d.get('outcome', ''), d.get('outcome', ''))} — {_cut(d.get('text', ''))}")
    if kind == EventKind.CLOCK:
        what = "提醒" if d.get("what") == "reminder" else "到期"
        return f"{STAGE_NAMES.get(d.get('stage', ''), d.get('stage', ''))}{what}"
    if kind == EventKind.CREATED:
        return (f"类型 {TYPE_NAMES.get(d.get('type', ''), d.get('type', ''))}，风险 "
                f"{RISK_NAMES.get(d.get('risk', ''), d.get('risk', ''))}，地点 {registry.full_name(d.get('place')) or '待核实'}")
    if kind == EventKind.UPDATED:
        after = d.get("after") or {}
        if not isinstance(after, dict):
            return "已更新"
        fields = dict.fromkeys(FIELD_NAMES.get(k, k) for k in after)     # risk and its reasons: one word
        return "、".join(fields) + " 已更新"
    if kind == EventKind.VIEWED_CONTACT:
        return "查看了完整的联系方式和姓名"
    if kind == EventKind.REFUSED:
        return f"尝试“{d.get('command', '')}”，不在办理范围"
    if kind in (EventKind.RED_CARD, EventKind.ALERT):
        return "通知：" + "、".join(registry.staff[s].name if s in registry.staff else s for s in d.get("to", []))
    for key in ("text", "reason", "stage"):
        if d.get(key):
            return str(d[key])
    return ""


# the case's fields as staff call them (the ledger's `updated` rows name them)
FIELD_NAMES = {"contact": "联系电话", "contact_note": "联系提醒", "description": "情况描述", "risk": "风险", "risk_reasons": "风险",
               "place_code": "地点", "type": "类型", "reporter_name": "反映人姓名", "parties": "当事人",
               "level": "办理层级", "media": "材料", "satisfaction": "满意度", "source": "解纷码",
               "status": "状态", "name": "姓名", "address": "住址", "kind": "类别", "representative": "法定代表人"}


def timeline(events: Sequence[CaseEvent], case: Case, registry: Registry, settings: Settings,
             names: Sequence[str] = (), parties: Mapping[str, str] = {}) -> list[dict[str, Any]]:
    """`names`: the mediation record's parties, masked as the case's own (邀请 and 当事人 enter
    names the case's fields do not hold); `parties`: their chats, by role."""
    names = (*names_of(case), *names)
    out = []
    resident_spoke = True           # whom the bot's next reply answers
    for e in events:
        who = actor_name(e.actor, registry, case, parties)
        kind_name = KIND_NAMES.get(e.kind, e.kind)
        if e.kind == EventKind.MESSAGE_IN:
            resident_spoke = who.endswith("反映人")
            if not resident_spoke:
                kind_name = "当事人消息" if who.startswith("当事人") else "工作人员指令"     # not "群众消息"
        elif e.kind == EventKind.MESSAGE_OUT and not resident_spoke:
            kind_name = "回复"
        out.append({"at": local(e.at, settings.timezone, "%Y-%m-%d %H:%M:%S"), "kind": e.kind,
                    "kind_name": kind_name, "who": who,
                    "text": mask_text(event_text(e, registry, settings.timezone), names)})
    return out


def case_detail(case: Case, registry: Registry, settings: Settings, now: datetime) -> dict[str, Any]:
    names = names_of(case)
    return {**case_row(case, registry, settings, now),
            "description": mask_text(case.description, names),
            "risk_reasons": [mask_text(r, names) for r in case.risk_reasons],
            "reporter_name_masked": mask_name(case.reporter_name) if case.reporter_name else "",
            # how (not) to reach them: for whoever handles the case, names masked
            "contact_note": mask_text(case.contact_note or "", names),
            "parties_masked": mask_data([{"role": p.get("role", ""), "name": mask_party(p.get("name", ""), names)}
                                         for p in case.parties if isinstance(p, dict)], names),
            "level_name": LEVEL_NAMES.get(case.level, case.level),
            "assignee_rows": [{"id": a.staff_id, "name": registry.staff[a.staff_id].name if a.staff_id in registry.staff
                               else a.staff_id, "role": ROLE_NAMES.get(a.role or "", a.role or ""),
                               "since": local(a.since, settings.timezone)} for a in case.assignments],
            "clocks": clocks_of(case, settings, now),
            "dispatched_at": local(case.dispatched_at, settings.timezone),
            "resolved_at": local(case.resolved_at, settings.timezone),
            "closed_at": local(case.closed_at, settings.timezone),
            "media": len(case.media or [])}
