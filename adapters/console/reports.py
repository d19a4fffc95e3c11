"""Reports (placeholder)."""
from __future__ import annotations

from aiohttp import web

from adapters.console.auth import guarded
from bot.scope import DESK_ROLES


@guarded(roles=DESK_ROLES)
async def index(request: web.Request) -> web.Response:
    raise web.HTTPNotFound()


printable = xlsx = posters = index
