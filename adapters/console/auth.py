"""Who is asking: the console's session cookie, its CSRF token, and the guard every route
wears (anonymous → the log-in page or 401; a role the route is not for → 403; a state-changing
request without the session's CSRF token → 403)."""
from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web

from adapters.addresses import is_https
from adapters.base import read_form
from bot.accounts import Accounts, Session, csrf_ok
from bot.context import AppContext
from storage.registry import StaffInfo

if TYPE_CHECKING:
    from adapters.console import ConsoleChannel

COOKIE = "jiefen_console"
PRE_COOKIE = "jiefen_console_pre"       # the log-in form's CSRF token (double submit), before a session
PATH = "/console"


@dataclass(frozen=True)
class Deps:
    ctx: AppContext
    accounts: Accounts


DEPS = web.AppKey("console_deps", Deps)


@dataclass(frozen=True)
class User:
    staff: StaffInfo
    session: Session


# typed keys (aiohttp's RequestKey/AppKey): what the console keeps on a request and on the app
USER_KEY: web.RequestKey[User] = web.RequestKey("console_user", User)
CHANNEL_KEY: web.AppKey[ConsoleChannel] = web.AppKey("console_channel")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def secure(request: web.Request) -> bool:
    return is_https(request)


def set_cookie(response: web.StreamResponse, request: web.Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path=PATH, httponly=True, samesite="Strict",
                        secure=secure(request))


async def current_user(request: web.Request, ctx: AppContext, accounts: Accounts) -> User | None:
    session = await accounts.session(request.cookies.get(COOKIE, ""))
    if session is None:
        return None
    staff = ctx.registry.staff.get(session.staff_id)
    if staff is None or not staff.active:
        return None
    return User(staff, session)


def guarded(*, roles: frozenset[str] | None = None, api: bool = False) -> Callable[[Handler], Handler]:
    """Wrap a console handler: it runs only for a logged-in staff member (of `roles`, when
    given); POST, PUT, PATCH and DELETE need the session's CSRF token (the form field `csrf` or
    the header X-CSRF-Token)."""
    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded_handler(request: web.Request) -> web.StreamResponse:
            console = request.app[DEPS]
            user = await current_user(request, console.ctx, console.accounts)
            if user is None:
                if not api and request.method == "POST" and _is_form(request):
                    return await _not_saved(request, 401, "您已经退出登录，刚才的操作没有保存。")
                if api or request.method != "GET":
                    return web.json_response({"error": "not logged in"}, status=401)
                target = request.path_qs if request.path_qs.startswith(PATH) else PATH + "/"
                raise web.HTTPFound(f"{PATH}/login?next={quote(target, safe='')}")
            if request.method not in ("GET", "HEAD"):
                given = request.headers.get("X-CSRF-Token", "")
                if not given and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                    given = str((await read_form(request)).get("csrf", ""))
                if not csrf_ok(user.session, given):
                    if not api and _is_form(request):
                        request[USER_KEY] = user
                        return await _not_saved(request, 403, "这个页面已经过期（可能在别的窗口重新登录过），刚才的操作没有保存。")
                    return web.json_response({"error": "missing or wrong CSRF token"}, status=403)
            if roles is not None and user.staff.role not in roles:
                if api:
                    return web.json_response({"error": "not for your role"}, status=403)
                raise web.HTTPForbidden(text="这个页面只对综治中心、调解员和值班领导开放。", content_type="text/plain")
            request[USER_KEY] = user
            return await handler(request)
        return guarded_handler
    return wrap


def _is_form(request: web.Request) -> bool:
    return request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")


async def _not_saved(request: web.Request, status: int, message: str) -> web.StreamResponse:
    """A form sent from a page whose session ended: a page in Chinese that says nothing was
    saved and gives back what the person wrote (it was lost with a line of English JSON)."""
    form = await read_form(request)
    kept = "\n".join(v for k, v in form.items() if k not in ("csrf", "action", "next") and isinstance(v, str) and len(v) > 1)
    console = request.app[CHANNEL_KEY]
    response: web.StreamResponse = console.render(request, "error.html", status=status, message=message,
                                                  kept=kept[:2000])
    return response


def user_of(request: web.Request) -> User:
    user: User = request[USER_KEY]
    return user


def pre_token(request: web.Request) -> str:
    token = request.cookies.get(PRE_COOKIE, "")
    return token if 20 <= len(token) <= 64 else secrets.token_urlsafe(24)


def safe_next(target: str) -> str:
    """Only a console path of this site: never an open redirect."""
    if target.startswith(PATH + "/") and not target.startswith("//") and "\\" not in target and "\n" not in target:
        return target
    return PATH + "/"
