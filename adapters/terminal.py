"""The terminal channel (`jiefen chat`): a resident in the terminal. Lines in, replies out;
progress pushes for this user are printed as they come."""
from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from adapters.base import ChannelBase
from bot.context import AppContext
from bot.inbox import Unavailable
from bot.message import Message, Push, Reply
from bot.outbox import Delivery, Outcome


class TerminalChannel(ChannelBase):
    name = "terminal"

    def __init__(self, ctx: AppContext, user: str, out: TextIO = sys.stdout):
        self.ctx, self.user, self.out = ctx, user, out

    async def deliver(self, push: Push) -> Delivery:
        if push.user != self.user:
            return Delivery(Outcome.HOLD, "not this terminal's user")
        self._print("【通知】" + push.text)
        return Delivery(Outcome.SENT)

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    async def run(self, lines: TextIO = sys.stdin) -> None:
        loop = asyncio.get_running_loop()
        self.ctx.channels[self.name] = self
        await self.ctx.outbox.release(self.name, self.user)
        while True:
            line = await loop.run_in_executor(None, lines.readline)
            if not line:
                break
            if not line.strip():
                continue
            msg = Message(channel=self.name, user=self.user, text=line.rstrip("\n"),
                          created_at=self.ctx.clock.now())
            try:
                replies = await self.ctx.inbox.handle(msg)
            except Unavailable:
                replies = [Reply("系统繁忙，这句话没有收到，请稍后再说一次。")]
            for reply in replies:
                self._print(reply.text)
            await self.ctx.outbox.run_once()
