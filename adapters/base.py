"""The small interface every channel adapter has (after opsdroid's connectors)."""
from __future__ import annotations

from typing import Protocol

from aiohttp import web

from bot.message import Push
from bot.outbox import Delivery


class Channel(Protocol):
    name: str
    takes_pushes: bool       # False: the bot cannot start a message there (nothing is queued for it)

    def mount(self, app: web.Application) -> None:
        """Webhook channels add their routes to the one shared aiohttp app."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def deliver(self, push: Push) -> Delivery:
        """Send a push started by the bot (outbox); say whether it arrived."""


class ChannelBase:
    """Sane defaults for the optional parts."""
    name = "base"
    takes_pushes = True

    def mount(self, app: web.Application) -> None:
        pass

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass
