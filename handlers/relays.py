"""A worker's relayed reports waiting for the resident's phone: each relay posted in a group
without one is asked about privately, and with two or more waiting, a bare number is asked
about too ("this number is for which case?"), since it would go to the newest."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.context import AppContext
from bot.conversation import Conversation
from bot.message import Message
from bot.uow import UnitOfWork
from nlp.reading import TYPE_NAMES
from storage.models import Case

RECENT_DAYS = 7


async def waiting(ctx: AppContext, uow: UnitOfWork, message: Message) -> Sequence[Case]:
    """This poster's open relays from a group, of the last days, that have no phone yet."""
    mine = await (await uow.cases()).by_reporter(message.channel, message.user, open_only=True)
    since = uow.now - timedelta(days=RECENT_DAYS)
    return [c for c in mine if (c.source or "").startswith("group:") and not c.contact and c.created_at >= since]


def which_one(ctx: AppContext, cases: Sequence[Case], phone: str) -> str:
    lines = ["您在群里转述的这几件还没有反映人电话，这个号码是哪一件的？"]
    lines += [f"{c.number}｜{TYPE_NAMES.get(c.type, c.type)}｜{ctx.registry.name(c.place_code) or '地点待定'}"
              f"{'｜' + c.reporter_name if c.reporter_name else ''}" for c in cases[:5]]
    lines.append(f"请回复“编号 电话”，例如“{cases[0].number} {phone}”。")
    return "\n".join(lines)


async def give_phone(ctx: AppContext, uow: UnitOfWork, conv: Conversation, message: Message, case: Case,
                     phone: str) -> str:
    """The resident's phone onto the relay it is for; the private question about it ends."""
    await (await uow.cases()).update(case, message.conversation_key, contact=phone)
    for hook in ctx.on_case_updated:
        await hook(ctx, uow, case)
    if conv.draft is not None and conv.draft.case_number == case.number:
        conv.finish()
    who = f"（{case.reporter_name}）" if case.reporter_name else ""
    return f"好的，已把电话记到案件 {case.number}{who}，经办人会联系。"
