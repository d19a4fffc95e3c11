"""Progress questions: "查询 JF261123-001", "我的案子怎么样了". Answered from the case, and only
for the residents who reported it."""
from __future__ import annotations

from bot.context import AppContext
from bot.message import Message
from bot.middlewares import Turn
from bot.rating import NOT_SETTLED
from bot.uow import UnitOfWork
from handlers.cases_view import case_detail, case_line
from storage.cases import CaseStore, canonical_number
from storage.lifecycle import Status
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


NOT_SETTLED_TITLE = "群众反映已办结的案件仍未解决"


async def _not_settled_after_all(ctx: AppContext, uow: UnitOfWork, message: Message, case: Case, text: str) -> str:
    """"JF… 没解决，楼上又开始拖椅子了" about a case already concluded: the words join its record
    and reach its people, who call back and reopen it if need be (it got a status line, and
    nobody heard)."""
    store = await uow.cases()
    await store.update(case, message.conversation_key, description=f"{case.description}；群众反映仍未解决：{text}")
    key = f"unsettled:{case.number}:{message.msg_id or uow.now.isoformat()}"
    for hook in ctx.on_resident_said:
        await hook(ctx, uow, case, text, NOT_SETTLED_TITLE, key)
    return (f"已把您的话转给案件 {case.number} 的经办人，他们会联系您核实，需要的话重新办理。"
            "如果是新发生的事，也可以直接说说情况，我们按新的反映登记。")


async def progress_reply(ctx: AppContext, uow: UnitOfWork, message: Message, turn: Turn, text: str) -> str:
    store = await uow.cases()
    number = canonical_number(text, ctx.settings.case_number_prefix)
    if number:
        case = await store.get(number)
        if case is None or (message.channel, message.user) not in await store.reporters(case):
            return f"没有找到您反映的编号为 {number} 的案件，请核对编号（在受理时的回复里）。"
        turn.case_numbers.add(case.number)
        if case.status in (Status.RESOLVED, Status.CLOSED) and NOT_SETTLED.search(text):
            return await _not_settled_after_all(ctx, uow, message, case, text)
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
