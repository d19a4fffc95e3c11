"""The gateway: one aiohttp app that every webhook channel mounts its routes on, the channels
the settings switch on (each given what it needs from the layers above it), the background
loops, and start-up / shut-down in order."""
from __future__ import annotations

import asyncio
import gc
import logging
import os
from typing import TYPE_CHECKING

import sqlalchemy
from aiohttp import web

from adapters.base import Channel
from adapters.documents import DocumentLinks
from bot.context import AppContext
from handlers import texts
from handlers.cases_view import case_line

if TYPE_CHECKING:
    from adapters.web import WebChannel

log = logging.getLogger("jiefen.gateway")
HEALTH_TIMEOUT = 2.0       # seconds each of /healthz's checks may take
CTX_KEY = web.AppKey("ctx", AppContext)
SCHEDULER_KEY = web.AppKey("scheduler", object)     # the clock runner, where the staff side is on (tests drive it)
MAX_BODY = 1024 * 1024          # WeChat bodies are small; anything bigger is refused (413)


def web_channel(ctx: AppContext) -> "WebChannel":
    """The web chat, with what it shows without asking the dispatcher: the greeting a visitor
    without a dispute code gets, and a returning visitor's open cases."""
    from adapters.web import WebChannel

    return WebChannel(ctx, greeting=lambda: texts.help_text(ctx.registry),
                      case_line=lambda case: case_line(case, ctx.registry))


def enabled_channels(ctx: AppContext) -> list[Channel]:
    """The channels the settings switch on. The web chat and the staff console are always on."""
    from adapters.console import ConsoleChannel

    channels: list[Channel] = [web_channel(ctx), ConsoleChannel(ctx)]
    try:
        from adapters import wechat_mp
    except ImportError:
        wechat_mp = None
    if wechat_mp is not None and ctx.settings.wechat_token:
        channels.append(wechat_mp.WeChatMPChannel(ctx))
    if ctx.settings.wecom_bot_token:
        from adapters.wecom_bot import WeComBotChannel
        channels.append(WeComBotChannel(ctx))
    if ctx.settings.wecom_corpid:       # the staff side: app messages and the group robots' digests
        from adapters.wecom_app import WeComAppChannel
        from adapters.wecom_robot import WeComRobotChannel
        app_channel = WeComAppChannel(ctx)
        channels += [app_channel, WeComRobotChannel(ctx, api=app_channel.api)]     # one client, one token
    if ctx.settings.group_forward_secret:
        from adapters.group_forward import GroupForwardChannel
        channels.append(GroupForwardChannel(ctx))
    return channels


def make_app(ctx: AppContext, channels: list[Channel] | None = None, *, run_outbox: bool = True,
             worker: int = 0) -> web.Application:
    middlewares = [_durable_answers(ctx)] + ([_worker_header(worker)] if worker else [])
    app = web.Application(client_max_size=MAX_BODY, middlewares=middlewares)
    app[CTX_KEY] = ctx
    channels = enabled_channels(ctx) if channels is None else channels
    for ch in channels:
        ch.mount(app)
        ctx.channels[ch.name] = ch
    app.router.add_get("/healthz", _health)
    DocumentLinks(ctx).mount(app)          # staff links to a case's mediation documents
    # the clocks run whatever the channels: without WeCom (the laptop demo) nobody is reminded,
    # but a case past its deadline is overdue, red-carded and escalated all the same, and the
    # console's figures say so (they showed 超期 nowhere while each case page said 已超期)
    from bot.mediation import run_timers
    from bot.scheduler import Scheduler
    jobs = [run_timers]
    if ctx.settings.wecom_corpid:       # the work groups' daily digests
        from adapters.wecom_robot import queue_digests
        jobs.insert(0, queue_digests)
    scheduler = app[SCHEDULER_KEY] = Scheduler(ctx, jobs=jobs)

    async def startup(_app: web.Application) -> None:
        for ch in channels:
            await ch.start()
        await ctx.outbox.requeue_stuck()
        if run_outbox:
            ctx.outbox.start()
            ctx.inbox.start()
            scheduler.start()

    async def cleanup(_app: web.Application) -> None:
        await scheduler.stop()
        await ctx.inbox.stop()
        await ctx.outbox.stop()
        for ch in reversed(channels):
            await ch.stop()

    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    return app


async def _health(request: web.Request) -> web.Response:
    """Whether this process can do its work: the database and the state store answer (it said
    ok with PostgreSQL stopped). 503 when one does not, for the load balancer to route around."""
    ctx = request.app[CTX_KEY]

    async def database() -> None:
        async with ctx.db.connection() as conn:
            await conn.execute(sqlalchemy.text("SELECT 1"))

    checks = {}
    for name, probe in (("database", database), ("state", lambda: ctx.state.get("health"))):
        try:
            await asyncio.wait_for(probe(), HEALTH_TIMEOUT)
            checks[name] = "ok"
        except Exception as exc:            # whatever it is, this process cannot work now
            checks[name] = type(exc).__name__
    ok = all(v == "ok" for v in checks.values())
    return web.json_response({"ok": ok, **checks, "places": len(ctx.registry.places), "pid": os.getpid()},
                             status=200 if ok else 503)


def freeze_loaded() -> None:
    """For a serving process, once its context is built: what is loaded by now (the language
    model, the registry, the code) lives as long as the process, so it is taken out of the
    garbage collector's sight, and a full collection walks only what requests make. It walked
    some 150,000 objects in 36 ms: a pause that every request in flight waited out (the p99 of
    bench/callback_bench.py at 16 in flight went from ~100 to ~80 ms). Not for tests, which
    build many apps in one process: frozen objects are never collected."""
    gc.collect()
    gc.freeze()


def _durable_answers(ctx: AppContext):
    """An answer goes out only once what was committed before it is on disk: a message
    answered 200 survives a power cut too. On SQLite one flush serves every request waiting at
    that moment (storage/sqlite_durable.py); on PostgreSQL it costs nothing."""
    async def flushed() -> None:
        try:
            await ctx.db.durable()
        except OSError:                      # the disk refused: not an answer anyone may rely on
            log.exception("the database could not be flushed to disk")
            raise web.HTTPServiceUnavailable(text="稍后再试", headers={"Retry-After": "5"}) from None

    @web.middleware
    async def middleware(request: web.Request, handler):
        try:
            response = await handler(request)
        except web.HTTPException:           # a redirect after a form's change is an answer too
            await flushed()
            raise
        await flushed()
        return response
    return middleware


def _worker_header(worker: int):
    """Which of several worker processes answered: for operators reading a trace."""
    @web.middleware
    async def middleware(request: web.Request, handler):
        response = await handler(request)
        if not response.prepared:           # a web socket has sent its headers already
            response.headers["X-Jiefen-Worker"] = str(worker)
        return response
    return middleware
