"""The same dispute reported again — by the same resident, the other party, or many people,
in a chat or in several groups — joins the open case instead of opening another one. Many
reporters in a short time raise the case's risk: a possible group incident."""
from __future__ import annotations

from datetime import timedelta

from bot import routing
from bot.context import AppContext
from bot.message import Message
from bot.uow import UnitOfWork
from nlp import Reading
from nlp.duplicates import CaseDigest, find_duplicate
from nlp.reading import NOT_A_DISPUTE
from storage.lifecycle import EventKind, Risk, Status
from storage.models import Case
from storage.registry import Registry

# distinct reporters of one dispute: three are many parties (yellow: three neighbours telling of a
# pig farm's smell are no group incident); ten, a crowd that may gather (red, alerted)
MANY = 3
MANY_REASON = "多人反映同一纠纷"
CROWD = 10
CROWD_REASON = "多人反映同一纠纷（可能引发群体性事件）"
RELAY_CHANNELS = frozenset({"wecom_bot", "group_forward", "wecom_app"})    # staff and operators passing reports on


async def link_duplicate(ctx: AppContext, uow: UnitOfWork, reading: Reading, place_code: str | None,
                         message: Message, text: str, *, contact: str = "", reporter_name: str = "") -> Case | None:
    """Find the open case this report repeats; record the report on it (with the reporter's
    own contact and name: theirs, not the case's) and return it."""
    types = {t for t in (reading.type, reading.runner_up) if t and t != NOT_A_DISPUTE}
    if reading.type == NOT_A_DISPUTE or not types:
        return None
    store = await uow.cases()
    window = ctx.settings.duplicate_window_days
    candidates = await store.recent(since=uow.now - timedelta(days=window), types=types,
                                    place_codes=_related_places(ctx.registry, place_code))
    # a case its reporter asked to withdraw is on its way to being closed: a new report is its own
    candidates = [c for c in candidates if f"；{routing.WITHDRAW_LABEL}：" not in (c.description or "")]
    if not candidates:
        return None
    digests = [CaseDigest(c.number, c.description, c.type, c.place_code, c.created_at, f"{c.channel}:{c.reporter}")
               for c in candidates]
    match = find_duplicate(reading, place_code, message.conversation_key, uow.now, digests, window_days=window,
                           place_parents=ctx.registry.parents())
    if match is None:
        return None
    case = next(c for c in candidates if c.number == match.number)
    await store.event(case, EventKind.LINKED_REPORT, message.conversation_key, channel=message.channel, chat=message.chat,
                      text=text, reason=match.reason, score=round(match.score, 3),
                      **{k: v for k, v in (("contact", contact), ("reporter_name", reporter_name)) if v})
    if case.risk == Risk.RED:               # already treated as a possible group incident
        return case
    # residents who reported it, and the residents staff relayed by name: three workers relaying
    # one resident's report are one reporter, not a crowd (a relayed 养鸭场 went red)
    reporters = {f"{channel}:{user}" for channel, user in await store.reporters(case) if channel not in RELAY_CHANNELS}
    relayed = {str((e.data or {}).get("reporter_name") or "") for e in await store.events(case, (EventKind.LINKED_REPORT,))
               if (e.data or {}).get("channel") in RELAY_CHANNELS} | ({case.reporter_name} if case.channel in RELAY_CHANNELS else set())
    told_by = len(reporters) + len(relayed - {""})
    if told_by >= CROWD and CROWD_REASON not in case.risk_reasons:
        was_red = case.risk == Risk.RED
        reasons = sorted({*case.risk_reasons, CROWD_REASON} - {MANY_REASON})
        await store.update(case, "duplicates", risk=Risk.RED.value, risk_reasons=reasons)
        if not was_red and case.status != Status.RECEIVED:      # one not yet routed is alerted when it is
            await routing.raised_to_red(ctx, uow, case, "duplicates")
    elif told_by >= MANY and MANY_REASON not in case.risk_reasons and CROWD_REASON not in case.risk_reasons:
        risk = case.risk if case.risk in (Risk.RED, Risk.YELLOW) else Risk.YELLOW.value
        await store.update(case, "duplicates", risk=risk, risk_reasons=sorted({*case.risk_reasons, MANY_REASON}))
    return case


def _related_places(registry: Registry, place_code: str | None) -> set[str | None]:
    """Where a repeat of a report at `place_code` may have been filed: the place, the places
    around it (up the tree) and inside it (nlp.duplicates.same_place); no place: no place."""
    if place_code is None:
        return {None}
    around: set[str | None] = {place_code, *(p.code for p in registry.ancestors(place_code))}
    return around | set(registry.subtree(place_code))
