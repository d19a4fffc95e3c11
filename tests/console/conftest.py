"""The console with the demo county, passwords for a few of its staff, and helpers to log in."""
from __future__ import annotations

import re

import pytest

from jiefen.gateway import make_app
from bot.accounts import set_password
from jiefen.testing import make_context

PASSWORD = "qingshan-2026"
# one person per kind of scope: the county centre, a town (东溪镇's and 南湖街道's mediators), a
# village's grid worker (柳林村), a professional committee (labour), the leader on duty
PEOPLE = ("centre-qs", "med-dx", "med-nh", "gw-liulin", "gw-nanhu", "com-labour", "lead-duty", "med-county")


async def give_passwords(ctx, people=PEOPLE) -> None:
    for sid in people:
        await set_password(ctx.db, ctx.registry.staff[sid], PASSWORD, ctx.clock.now())


@pytest.fixture
async def ctx(tmp_path, clock):
    context = await make_context(tmp_path, clock=clock, reading_processes=0)
    await give_passwords(context)
    yield context
    await context.close()


@pytest.fixture
async def client(aiohttp_client, ctx):
    return await aiohttp_client(make_app(ctx, run_outbox=False))


async def login(client, staff_id: str, password: str = PASSWORD) -> str:
    """Log `client` in; the session's CSRF token."""
    page = await client.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
    r = await client.post("/console/login", data={"staff_id": staff_id, "password": password, "csrf": token,
                                                  "next": "/console/cases"}, allow_redirects=False)
    assert r.status == 302, await r.text()
    return await csrf_of(client)


async def csrf_of(client) -> str:
    page = await client.get("/console/cases")
    assert page.status == 200
    return re.search(r'<meta name="csrf" content="([^"]+)"', await page.text()).group(1)
