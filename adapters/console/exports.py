"""Exports (placeholder)."""
from __future__ import annotations

from aiohttp import web

from adapters.console.auth import guarded


@guarded()
async def cases_csv(request: web.Request) -> web.Response:
    raise web.HTTPNotFound()


cases_xlsx = cases_csv
