"""Progress questions: "查询 JF261123-001", "我的案子怎么样了". Answered from the case, and only
for the residents who reported it."""
from __future__ import annotations

from bot.context import AppContext
from bot.message import Message
from bot.middlewares import Turn
from bot.uow import UnitOfWork
from handlers.cases_view import case_detail, case_line
from storage.cases import CaseStore, canonical_number
from storage.models import Case, CaseEvent


async def _latest(store: CaseStore, case: Case) -> list[CaseEvent]:
    """What case_detail shows of the ledger: the latest progress note or appointment (the
    (case, kind) index reads one row, however long the ledger)."""
    latest = await store.latest_event(case, ("progress", "appointment"))
    out = [latest] if latest else []
    if latest is not None and latest.kind != "appointment":      # the meeting, even after a later note
        met = await store.latest_event(case, ("appointment",))
        if met is not None:
            out.insert(0, met)
    if case.status in ("resolved", "closed"):       # the result, after any earlier note
        moved = await store.latest_event(case, ("status",))
        if moved is not None and moved.data.get("outcome"):
            out.append(moved)
    return out


async def _seen_by(store: CaseStore, case: Case, message: Message) -> list[CaseEvent]:
    """`_latest` for the reporter of record; nothing of the ledger for a resident whose report
    joined the case (staff notes are written to the reporter of record, bot.notify.progress)."""
    if (message.channel, message.user) != (case.channel, case.reporter):
        return []
    return await _latest(store, case)


async def progress_reply(ctx: AppContext, uow: UnitOfWork, message: Message, turn: Turn, text: str) -> str:
    store = await uow.cases()
    number = canonical_number(text, ctx.settings.case_number_prefix)
    if number:
        case = await store.get(number)
        if case is None or (message.channel, message.user) not in await store.reporters(case):
            return f"没有找到您反映的编号为 {number} 的案件，请核对编号（在受理时的回复里）。"
        turn.case_numbers.add(case.number)
        return case_detail(case, await _seen_by(store, case, message), ctx.registry, ctx.settings.timezone)
    cases = list(await store.by_reporter(message.channel, message.user))
    cases += [c for c in await store.linked_by(message.channel, message.user) if c not in cases]
    cases.sort(key=lambda c: (c.created_at, c.id), reverse=True)
    if not cases:
        return "您还没有通过这里反映过纠纷。直接说说遇到的情况，就可以开始反映。"
    if len(cases) == 1:
        turn.case_numbers.add(cases[0].number)
        return case_detail(cases[0], await _seen_by(store, cases[0], message), ctx.registry, ctx.settings.timezone)
    lines = ["您反映过的案件："] + [case_line(c, ctx.registry) for c in cases[:5]]
    lines.append("发送“查询 编号”看某一件的详细进展。")
    return "\n".join(lines)
