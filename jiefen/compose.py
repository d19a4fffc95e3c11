"""Building the app: one context, one dispatcher, the channels the settings switch on."""
from __future__ import annotations

import logging

from bot import clocks, middlewares
from bot.clock import Clock
from bot.context import AppContext, place_refs
from bot.dispatcher import Dispatcher
from bot.inbox import Inbox, Waiter
from bot.message import Message, Reply
from bot.outbox import Outbox
from bot.privacy import MaskingFormatter
from bot.reader import Reader
from bot.settings import Settings
from nlp import Understanding
from storage import figures
from storage.db import Database
from storage.registry import read_registry, registry_stamp
from storage.state import StateStore, open_state_store


def build_dispatcher(ctx: AppContext) -> Dispatcher:
    from handlers import build_router

    dp = Dispatcher(ctx=ctx)
    middlewares.install(dp)
    dp.include_router(build_router())
    return dp


async def build_context(settings: Settings, *, clock: Clock | None = None, state: StateStore | None = None,
                        migrate: bool = True, nlp: Understanding | None = None) -> AppContext:
    """The app's one context. `nlp`: an understanding already loaded (tests share one; its
    places are set from this registry)."""
    state = state or open_state_store(settings.state_url, settings.state_prefix, settings.state_max_connections)
    db = Database(settings.database_url, timezone=settings.timezone)
    if migrate:
        async with state.lock("migrate", ttl=300, wait=300):   # several workers start together
            await db.migrate()
            await figures.ensure_built(db)   # once after the migration that added them (or a new time zone)
    async with db.session() as s:
        registry = await read_registry(s)
        stamp = await registry_stamp(s)
    if nlp is None:
        nlp = Understanding(place_refs(registry), model_dir=settings.nlp_model_dir or None)
    else:
        nlp.set_places(place_refs(registry))
    ctx = AppContext(settings=settings, clock=clock or Clock(), db=db, state=state, registry=registry, nlp=nlp,
                     registry_stamp=stamp)
    db.flush_hooks.append(clocks.flush_hook(settings, ctx.clock.now))   # next due times move with the change
    ctx.dispatcher = build_dispatcher(ctx)
    if settings.wecom_corpid:       # staff are reached over the WeCom app; without it the centre dispatches
        from bot.routing import case_updated, resident_said, route_new_case
        ctx.on_case_opened.append(route_new_case)      # a new case goes to its people at once
        ctx.on_case_updated.append(case_updated)       # and what the resident adds, too
        ctx.on_resident_said.append(resident_said)     # and what they say about it afterwards
    from handlers.attention import open_silent_reports
    ctx.on_tick.append(open_silent_reports)            # a safety question nobody answered
    ctx.on_tick.append(AppContext.follow_registry)     # `jiefen registry load` while serving
    ctx.outbox = Outbox(ctx)
    ctx.inbox = Inbox(ctx)
    ctx.reader = Reader(nlp, budget=settings.reading_budget, limit=settings.max_text_chars,
                        processes=settings.reading_processes)
    return ctx


async def handle(ctx: AppContext, message: Message, waiter: Waiter | None = None) -> list[Reply]:
    """One message, start to end: kept in the inbox, then through the dispatcher. Channels
    that must answer within a deadline call `ctx.inbox.accept` and `ctx.inbox.run` apart."""
    return await ctx.inbox.handle(message, waiter)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("jieba").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
