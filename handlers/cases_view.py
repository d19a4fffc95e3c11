"""How a case looks to the resident who reported it."""
from __future__ import annotations

from collections.abc import Sequence

from bot.lifecycle import case_status_name
from bot.notify import OTHER_ROUTES, holder
from bot.privacy import mask_text, names_of
from handlers.texts import local, shorten
from nlp.reading import TYPE_NAMES
from storage.lifecycle import Result, Status
from storage.models import Case, CaseEvent
from storage.registry import Registry

PROGRESS_KINDS = ("progress", "appointment", "status")


def case_line(case: Case, registry: Registry) -> str:
    return (f"{case.number}｜{TYPE_NAMES.get(case.type, case.type)}｜{registry.name(case.place_code) or '地点未定'}"
            f"｜{case_status_name(case)}")


def case_detail(case: Case, events: Sequence[CaseEvent], registry: Registry, tz: str) -> str:
    lines = [f"案件 {case.number}（{TYPE_NAMES.get(case.type, case.type)}，{registry.full_name(case.place_code) or '地点未定'}）",
             f"当前状态：{case_status_name(case)}",
             f"受理时间：{local(case.created_at, tz)}"]
    who = holder(registry, case)
    if who and case.status in (Status.DISPATCHED, Status.MEDIATING, Status.ESCALATED):
        lines.append(f"负责：{who}")
    concluded = case.status in (Status.RESOLVED, Status.CLOSED)
    # how it ended: the last move to 已办结, whatever its note (an empty one showed an older progress
    # note instead, and an appointment that would not take place)
    result = next((e for e in reversed(events) if e.kind == "status" and e.data.get("after") == Status.RESOLVED),
                  None) if concluded else None
    latest = next((e for e in reversed(events) if e.kind in ("progress", "appointment")), None)
    met = next((e for e in reversed(events) if e.kind == "appointment"), None)
    if met is not None and met is not latest and not concluded:
        lines.append(f"约谈：{shorten(mask_text(str(met.data.get('text', '')), names_of(case)), 60)}")
    if result is not None:
        note = mask_text(str(result.data.get("outcome", "")), names_of(case))
        if case.result == Result.ENDED:
            lines.append(f"调解终止（{local(result.at, tz)}）" + (f"：{shorten(note, 120)}" if note else ""))
            lines.append(OTHER_ROUTES)
        else:
            lines.append(f"处理结果（{local(result.at, tz)}）：{shorten(note, 120) or '已办结'}")
    elif latest is not None:
        note = mask_text(str(latest.data.get("text", "")), names_of(case))    # a staff note, as residents read it
        lines.append(f"最新进展（{local(latest.at, tz)}）：{shorten(note, 120)}")
    elif case.status == Status.RECEIVED:
        lines.append("正在分派给当地网格员，分派后会通知您。")
    return "\n".join(lines)

