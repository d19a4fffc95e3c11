"""The dashboard (placeholder until its queries land)."""
from __future__ import annotations

from aiohttp import web

from adapters.console.auth import guarded


@guarded()
async def page(request: web.Request) -> web.Response:
    raise web.HTTPFound("/console/cases")


@guarded(api=True)
async def api(request: web.Request) -> web.Response:
    return web.json_response({})
