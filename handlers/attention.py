"""Reports whose safety question was never answered. When the reading was unsure whether
someone is in danger, the resident was asked; one who then went silent may be the one who
cannot answer. Their draft does not expire unseen: it becomes a case at once, flagged for the
centre's attention (not the leader's phone), with what is known, and the resident is told."""
from __future__ import annotations

import logging
from datetime import timedelta

from bot.context import AppContext
from bot.conversation import Conversation
from bot.message import Push
from handlers.case_from_draft import draft_history, new_case

log = logging.getLogger("jiefen.attention")
TOLD = "您刚才的反映我们已登记为案件 {number}，综治中心会尽快核实情况、联系您。如有人身危险，请马上拨打110。"


async def open_silent_reports(ctx: AppContext) -> int:
    """Open a case for each draft whose safety question went unanswered for the draft's life."""
    before = ctx.clock.now() - timedelta(minutes=ctx.settings.draft_ttl_minutes)
    opened = 0
    async with ctx.uow() as uow:
        conversations = await uow.conversations()
        for key, data in await conversations.silent_since(before):
            conv = Conversation.from_json(data)
            draft = conv.draft
            conv_channel, _, user = key.partition(":")
            if not conv.awaits_safety or draft is None:
                await conversations.save(key, None if conv.is_empty else conv.to_json(), uow.now)
                continue
            store = await uow.cases()
            case, created = await store.open(new_case(draft, conv_channel, user, ctx.registry),
                                             draft_history(draft, key))
            if created:
                for hook in ctx.on_case_opened:
                    await hook(ctx, uow, case)
                sender = ctx.channels.get(conv_channel)
                if sender is None or getattr(sender, "takes_pushes", True):
                    await uow.push(Push(conv_channel, user, TOLD.format(number=case.number), case.number,
                                        "update", key=f"attention:{case.number}"))
                opened += 1
            conv.finish()
            conv.last_case = case.number
            await conversations.save(key, conv.to_json(), uow.now)
    if opened:
        log.info("%d silent reports opened for the centre's attention", opened)
    return opened
