"""The console with the demo county, passwords for a few of its staff, and helpers to log in."""
from __future__ import annotations

import functools
import re

import pytest

from bot.accounts import hash_password
from jiefen.gateway import make_app
from jiefen.testing import make_context
from storage.accounts import set_password_hash

PASSWORD = "qingshan-2026"
# one person per kind of scope: the county centre, a town (东溪镇's and 南湖街道's mediators), a
# village's grid worker (柳林村), a professional committee (labour), the leader on duty
PEOPLE = ("centre-qs", "med-dx", "med-nh", "gw-liulin", "gw-nanhu", "com-labour", "lead-duty", "med-county")


@functools.cache
def _cheap_hash() -> str:
    """One hash for every test account, at a low scrypt cost (the stored hash names its cost, so
    checking it is as cheap): the real cost is bot/accounts.py's, tested there."""
    return hash_password(PASSWORD, n=2 ** 8)


async def give_passwords(ctx, people=PEOPLE) -> None:
    async with ctx.db.session() as s:
        for sid in people:
            await set_password_hash(s, sid, _cheap_hash(), ctx.clock.now())


@pytest.fixture
async def ctx(tmp_path, clock):
    context = await make_context(tmp_path, clock=clock, reading_processes=0,
                                 public_url="https://jiefen.qingshan.example")    # codes a phone can open
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


PHONE = "13812345678"


async def open_case(ctx, key: str, place: str, type_: str = "neighbour", *, risk: str = "green",
                    text: str = "楼上天天半夜拖椅子，吵得睡不着", contact: str = PHONE, source: str = "",
                    channel: str = "web", name: str = "张三丰") -> str:
    """A case as intake opens it (routed to the place's people); its number."""
    from bot import routing
    from storage.cases import NewCase

    async with ctx.uow() as uow:
        case, _ = await (await uow.cases()).open(NewCase(key, type_, risk, place, channel, f"r-{key}", text,
                                                         contact=contact, reporter_name=name, source=source))
        await routing.route_new_case(ctx, uow, case)
        return case.number
