"""The app context: everything a handler, adapter or job may use, built once at start-up and
passed down. There is no module-level state anywhere in jiefen; this is the one place."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.clock import Clock
from bot.settings import Settings
from bot.uow import UnitOfWork
from nlp.reading import PlaceRef
from storage.db import Database
from storage.registry import Registry, read_registry, registry_stamp
from storage.state import StateStore

if TYPE_CHECKING:
    from bot.dispatcher import Dispatcher
    from bot.inbox import Inbox
    from bot.outbox import Outbox, Sender
    from bot.reader import Reader
    from nlp import Understanding
    from storage.models import Case

def place_refs(registry: Registry) -> list[PlaceRef]:
    """The registry's places as the understanding layer knows them."""
    return [PlaceRef(p.code, p.name, p.level, p.parent, p.aliases) for p in registry.places.values()]


CaseHook = Callable[["AppContext", UnitOfWork, "Case"], Awaitable[None]]
# (ctx, uow, case, the resident's words, a title for staff, an idempotency key)
SaidHook = Callable[["AppContext", UnitOfWork, "Case", str, str, str], Awaitable[None]]
Job = Callable[["AppContext"], Awaitable[Any]]


@dataclass
class AppContext:
    settings: Settings
    clock: Clock
    db: Database
    state: StateStore
    registry: Registry
    nlp: "Understanding"
    # wired by jiefen.compose.build_context right after construction (each of these needs the
    # context itself); a context is never handed out before that
    dispatcher: "Dispatcher" = None  # type: ignore[assignment]
    outbox: "Outbox" = None  # type: ignore[assignment]
    inbox: "Inbox" = None  # type: ignore[assignment]
    reader: "Reader" = None  # type: ignore[assignment]
    channels: dict[str, "Sender"] = field(default_factory=dict)   # channel name → push sender
    on_case_opened: list[CaseHook] = field(default_factory=list)  # routing plugs in here
    on_case_updated: list[CaseHook] = field(default_factory=list) # the resident added a place or phone to an open case
    on_resident_said: list[SaidHook] = field(default_factory=list)  # words about their open case ("不用来了")
    on_tick: list[Job] = field(default_factory=list)              # run by the inbox loop every TICK seconds, on any worker
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("jiefen"))
    staff_channel: str = "wecom_app"                               # the channel that reaches staff one by one
    registry_stamp: str | None = None                              # storage.registry's mark when last read

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self)

    async def follow_registry(self) -> bool:
        """Reload the registry when `jiefen registry load` changed it since this process read it
        (every worker, on its inbox tick); True when it did."""
        async with self.db.session() as s:
            stamp = await registry_stamp(s)
        if stamp == self.registry_stamp:
            return False
        self.registry_stamp = stamp
        await self.reload_registry()
        self.log.info("registry reloaded (changed while serving)")
        return True

    async def reload_registry(self) -> Registry:
        async with self.db.session() as s:
            self.registry = await read_registry(s)
        self.nlp.set_places(place_refs(self.registry))
        if self.reader is not None:
            self.reader.restart()          # its processes were forked with the old places
        return self.registry

    async def close(self) -> None:
        if self.inbox is not None:
            await self.inbox.stop()
        if self.outbox is not None:
            await self.outbox.stop()
        if self.reader is not None:
            self.reader.close()
        await self.state.close()
        await self.db.close()
