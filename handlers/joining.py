"""A report that repeats an open case joins it: the words go to that case's ledger, the
writer hears which case has it (or that they are its other party), and danger told turns
the case red."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.lifecycle import case_status_name
from handlers import texts
from nlp import Reading
from storage.lifecycle import Risk
from storage.models import Case

if TYPE_CHECKING:
    from handlers.intake import Intake


async def join_case(intake: "Intake", case: Case, history: list[tuple[datetime, str, str, dict[str, Any]]]) -> list[str]:
    """The report repeats an open case: its words join that case's ledger; danger it
    tells turns the case red (and alerts), as the report would have been on its own."""
    draft = intake.draft
    await (await intake.uow.cases()).record(case, history)
    intake.turn.case_numbers.add(case.number)
    intake.conv.last_case = case.number
    intake.conv.finish()
    status = case_status_name(case)
    if is_other_side(draft.reporter_name, case):
        # the one the case complains of, telling their side: not a second complainant
        joined = (f"您说的这件事已有案件 {case.number} 在办理（{status}），您是另一方当事人。"
                  f"您的说法已记入案件，调解员会听取双方的意见，并联系您。")
    else:
        joined = (f"您反映的情况已有案件 {case.number} 在办理（{status}），"
                  f"这次的内容已合并到该案件。办理进展可发“查询 {case.number}”了解。")
    if draft.risk == Risk.RED and case.risk != Risk.RED:
        danger = Reading(text=draft.description, type=case.type, confidence=1.0, risk=Risk.RED.value,
                         risk_reasons=tuple(draft.risk_reasons))
        # their own words and contact stay on their linked_report event; the case says why
        said = "另一位群众反映紧急情况：" + "；".join(draft.risk_reasons)
        return [*await intake.open_cases.tell(case, said, reading=danger), joined]
    if draft.risk == Risk.RED:
        # a red case already (its leader alerted): the danger told now still goes to its people
        # at once, and the one telling it hears what to do now (a knife at the door was
        # answered "已合并到该案件" and nothing else)
        said = "另一位群众反映紧急情况：" + "；".join(draft.risk_reasons)
        await intake.open_cases.tell(case, said)
        return [texts.urgent_text(draft.risk_reasons, True, draft.description), joined]
    return [joined]


def is_other_side(reporter_name: str, case: Case) -> bool:
    """Whether the writer ("我是柳林村的李建军") is the party the case complains of (隔壁李家)."""
    if not reporter_name:
        return False
    if len(reporter_name) >= 2 and reporter_name in (case.description or ""):
        return True                 # named in the complaint ("隔壁李建军家装修…")
    surname = reporter_name[:1]
    return any(isinstance(p, dict) and (reporter_name in str(p.get("name", ""))
                                        or f"{surname}家" in str(p.get("name", ""))
                                        or f"老{surname}" in str(p.get("name", "")))
               for p in case.parties or [])
