"""The centre's console (综治中心工作台), at /console: staff log in and see every case, figure and
action of their area in a browser. An adapter like the channels: pages, templates and static
files here; queries in storage/ (case_list, dashboard), actions in bot/case_actions.py (the same
rules and the same words to the resident as the WeCom commands), scoping in bot/scope.py.

Routes (all under /console; every one but the log-in page needs a session, every state-changing
one the session's CSRF token):
    GET  /login, POST /login, POST /logout
    GET  /                         → the dashboard (desk roles) or the case list
    GET  /cases                    the list: filters in the URL, keyset pages, live updates
    GET  /cases.csv, /cases.xlsx   exactly what is filtered (the ledger export: ?cols=…)
    GET  /cases/{number}           the case page: ledger timeline, reading, clocks, actions
    POST /cases/{number}/act       an action (bot/case_actions.py)
    POST /cases/{number}/contact   the full contact (assignees and the centre; a ledger event)
    GET  /api/cases, /api/cases/{number}, /api/cases/{number}/people
    GET  /dashboard, /api/dashboard
    GET  /reports, /reports/{weekly|monthly}(.xlsx)   the weekly bulletin and monthly report
    GET  /posters.zip?place=CODE                    the dispute-code posters of every village and community in an area
    GET  /api/live                 server-sent events: a case in one's area changed
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from adapters.addresses import trusted_networks
from adapters.base import ChannelBase
from adapters.console import auth, dashboard, exports, live, login, pages, posters, reports
from bot.accounts import Accounts, LoginPolicy
from bot.context import AppContext
from bot.inbox import is_transient
from bot.message import Push
from bot.outbox import Delivery, Outcome

log = logging.getLogger("jiefen.console")
HERE = Path(__file__).parent
STATIC = HERE / "static"
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".txt": "text/plain"}
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
    # scripts only from here (no inline script); ECharts sets inline styles and draws data: images
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'",
}


class ConsoleChannel(ChannelBase):
    """Not a messaging channel: it takes no pushes. It rides on the channel interface for its
    routes and its start and stop (the live updates' subscription)."""
    name = "console"
    takes_pushes = False

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        s = ctx.settings
        self.accounts = Accounts(ctx.db, ctx.state, LoginPolicy(s.console_max_failures, s.console_lockout_minutes * 60,
                                                                s.console_session_hours * 3600))
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                                            undefined=jinja2.StrictUndefined)
        self.templates.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False)
        self.live = live.Live(ctx)
        self.proxies = trusted_networks(s.trusted_proxies)

    def render(self, request: web.Request, name: str, status: int = 200, **values: Any) -> web.Response:
        user = request.get(auth.USER_KEY)
        html = self.templates.get_template(name).render(user=user, path=request.path, **values)
        return web.Response(text=html, status=status, content_type="text/html", charset="utf-8",
                            headers={"Cache-Control": "no-store"})

    @web.middleware
    async def _error_pages(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """A refusal on a console page is a page: in Chinese, with the menu and a way back
        (not aiohttp's "404: Not Found"); the JSON routes keep their plain answers."""
        try:
            return await handler(request)
        except web.HTTPException as exc:
            if exc.status not in ERROR_WORDS or not request.path.startswith(auth.PATH) \
                    or request.path.startswith(auth.PATH + "/api/") or request.method not in ("GET", "POST"):
                raise
            said = exc.text or ""
            ours = said and not said[:1].isdigit()          # our own words, not aiohttp's "404: Not Found"
            if auth.USER_KEY not in request:
                # no route read the session (a path that does not exist): the menu is still theirs
                user = await auth.current_user(request, self.ctx, self.accounts)
                if user is not None:
                    request[auth.USER_KEY] = user
            return self.render(request, "error.html", status=exc.status,
                               message=said if ours else ERROR_WORDS[exc.status])
        except Exception as exc:
            if is_transient(exc) and request.path.startswith(auth.PATH):
                # the database or the state store out of reach: not a fault of the page, and
                # the same request works again later
                log.warning("console %s: %s", request.path, type(exc).__name__)
                if request.path.startswith(auth.PATH + "/api/") or request.method not in ("GET", "POST"):
                    raise web.HTTPServiceUnavailable(text=UNAVAILABLE, headers={"Retry-After": "30"}) from exc
                return self.render(request, "error.html", status=503, message=UNAVAILABLE)
            # a fault of ours on a page: logged, and a page in Chinese with the menu, not
            # aiohttp's "500 Internal Server Error" in English
            if not request.path.startswith(auth.PATH) or request.path.startswith(auth.PATH + "/api/") \
                    or request.method != "GET":
                raise
            log.exception("console page %s failed", request.path)
            return self.render(request, "error.html", status=500, message="这个页面出错了，已记录下来，请稍后再试或联系管理员。")

    def mount(self, app: web.Application) -> None:
        app[auth.DEPS] = auth.Deps(self.ctx, self.accounts)
        app[auth.CHANNEL_KEY] = self
        app.on_shutdown.append(self.live.end_streams)
        app.middlewares.append(_headers)
        app.middlewares.append(self._error_pages)
        r = app.router
        p = auth.PATH
        r.add_get(p, _to_home)
        r.add_get(p + "/login", login.login_page)
        r.add_post(p + "/login", login.login)
        r.add_post(p + "/logout", login.logout)
        r.add_get(p + "/", pages.home)
        r.add_get(p + "/cases", pages.case_list)
        r.add_get(p + "/cases.csv", exports.cases_csv)
        r.add_get(p + "/cases.xlsx", exports.cases_xlsx)
        r.add_get(p + "/cases/{number}", pages.case_page)
        r.add_post(p + "/cases/{number}/act", pages.act)
        r.add_post(p + "/cases/{number}/contact", pages.contact)
        r.add_get(p + "/api/cases", pages.api_cases)
        r.add_get(p + "/api/cases/{number}", pages.api_case)
        r.add_get(p + "/api/cases/{number}/people", pages.api_people)
        r.add_get(p + "/dashboard", dashboard.page)
        r.add_get(p + "/api/dashboard", dashboard.api)
        r.add_get(p + "/reports", reports.index)
        r.add_get(p + "/reports/{kind:weekly|monthly}", reports.printable)
        r.add_get(p + "/reports/{kind:weekly|monthly}.xlsx", reports.xlsx)
        r.add_get(p + "/posters.zip", posters.sheet)
        r.add_get(p + "/api/live", auth.guarded(api=True)(self.live.stream))
        r.add_get(p + "/static/{name}", _static)

    async def start(self) -> None:
        await self.live.start()

    async def stop(self) -> None:
        await self.live.stop()

    async def deliver(self, push: Push) -> Delivery:
        return Delivery(Outcome.FAILED, "the console takes no pushes")


UNAVAILABLE = "系统暂时连不上数据库或缓存，请稍后再试。"
ERROR_WORDS = {400: "请求有误。", 403: "这个页面您没有权限查看。", 404: "没有这个页面。", 405: "不能这样打开这个页面。",
               409: "现在做不了这件事。"}


def console_of(request: web.Request) -> ConsoleChannel:
    return request.app[auth.CHANNEL_KEY]


async def _to_home(request: web.Request) -> web.Response:
    raise web.HTTPFound(auth.PATH + "/")


@web.middleware
async def _headers(request: web.Request, handler: Any) -> web.StreamResponse:
    response: web.StreamResponse = await handler(request)
    if request.path.startswith(auth.PATH) and not response.prepared:
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
    return response


async def _static(request: web.Request) -> web.FileResponse:
    name = request.match_info["name"]
    path = STATIC / name
    if "/" in name or name.startswith(".") or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Cache-Control": "max-age=3600",
                                           "Content-Type": STATIC_TYPES.get(path.suffix, "application/octet-stream")})
