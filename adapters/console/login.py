"""Logging in to the console and out: a form with a token against forged posts, the
password checked by the accounts store, tries counted per account and address and locked
for a while after too many, and where the person was going kept."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from adapters.addresses import client_address
from adapters.base import read_form
from adapters.console import auth
from adapters.console.auth import guarded, user_of
from bot.accounts import canonical_id

if TYPE_CHECKING:
    from adapters.console import ConsoleChannel

LOCKED = "登录失败次数过多，账号已暂时锁定，请{minutes}分钟后再试，或联系综治中心重置。"
WRONG = "账号或密码不正确。"
LAST_TRIES = "再错{left}次，账号将锁定{minutes}分钟。"
# a failed attempt's staff id and destination, kept on the request for the page that answers it
LOGIN_ID = web.RequestKey("login_id", str)
LOGIN_NEXT = web.RequestKey("login_next", str)


def _console(request: web.Request) -> "ConsoleChannel":
    from adapters.console import console_of
    return console_of(request)


async def login_page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    console = _console(request)
    user = await auth.current_user(request, console.ctx, console.accounts)
    target = auth.safe_next(request.get(LOGIN_NEXT) or request.query.get("next", ""))
    if user is not None and request.method == "GET":
        raise web.HTTPFound(target)
    token = auth.pre_token(request)
    county = console.ctx.registry.name(console.ctx.registry.county_code())
    response = console.render(request, "login.html", status=status, error=error, csrf=token, next=target,
                              county=county, staff_id=request.get(LOGIN_ID, ""))
    auth.set_cookie(response, request, auth.PRE_COOKIE, token, 3600)
    return response


async def login(request: web.Request) -> web.Response:
    console = _console(request)
    form = await read_form(request)
    given, expected = str(form.get("csrf", "")), request.cookies.get(auth.PRE_COOKIE, "")
    request[LOGIN_ID] = str(form.get("staff_id", ""))[:64]
    request[LOGIN_NEXT] = str(form.get("next", ""))[:500]        # a failed attempt keeps where they were going
    if not expected or given != expected:
        return await login_page(request, "页面已过期，请重新登录。", 403)
    address = client_address(request, console.proxies)
    staff_id = str(form.get("staff_id", "")).strip()[:64]
    session = await console.accounts.login(console.ctx.registry, staff_id, str(form.get("password", ""))[:200],
                                           address)
    if session is None:
        minutes = int(console.ctx.settings.console_lockout_minutes)
        staff_id = canonical_id(console.ctx.registry, staff_id)
        if await console.accounts.locked(staff_id, address):
            return await login_page(request, LOCKED.format(minutes=minutes), 429)
        left = await console.accounts.tries_left(staff_id)
        said = WRONG if left > 2 else WRONG + LAST_TRIES.format(left=left, minutes=minutes)
        return await login_page(request, said, 401)
    response = web.HTTPFound(auth.safe_next(str(form.get("next", ""))))
    auth.set_cookie(response, request, auth.COOKIE, session.token, int(console.ctx.settings.console_session_hours * 3600))
    response.del_cookie(auth.PRE_COOKIE, path=auth.PATH)
    raise response


@guarded()
async def logout(request: web.Request) -> web.Response:
    await _console(request).accounts.logout(user_of(request).session.token)
    response = web.HTTPFound(auth.PATH + "/login")
    response.del_cookie(auth.COOKIE, path=auth.PATH)
    raise response
