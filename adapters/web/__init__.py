"""The web chat: a mobile page for residents outside WeChat (a dispute code's URL) and the
newcomer's demo. JSON over HTTP in, a WebSocket for progress pushes out."""
from __future__ import annotations

import functools
import json
import logging
import re
import secrets
import weakref
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import jinja2
from aiohttp import WSMsgType, web

from adapters.addresses import client_address, is_https, trusted_networks
from adapters.base import ChannelBase
from adapters.inflight import Handlings
from bot.context import AppContext
from bot.inbox import TOO_LONG, Ticket, Waiter, is_transient
from bot.lifecycle import OPEN_STATUSES
from bot.message import EventType, Kind, Message, Push, Reply
from bot.outbox import Delivery, Outcome
from storage.models import Case
from storage.outbox import OutboxStore
from storage.scans import record_scan

log = logging.getLogger("jiefen.web")

COOKIE = "jiefen_uid"
_UID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_TEXT = 2000
HISTORY_DAYS = 30         # how far back a returning visitor's page reaches
HISTORY_MESSAGES = 60
STATIC = Path(__file__).with_name("static")
WAIT = 20.0           # seconds a post waits for its replies; later ones arrive on the page's socket
BUSY = "系统繁忙，消息还没有收到，请稍后再发一次。"
TOO_FAST = "您发得太快了，请稍等一分钟再发。"
_json = functools.partial(json.dumps, ensure_ascii=False)


class WebChannel(ChannelBase):
    name = "web"
    lasting_account = False      # a cookie: nobody can call it, so a phone is asked for (optional)

    def __init__(self, ctx: AppContext, *, greeting: Callable[[], str], case_line: Callable[[Case], str]):
        self.ctx = ctx
        self.greeting, self.case_line = greeting, case_line
        self.sockets: dict[str, weakref.WeakSet[web.WebSocketResponse]] = {}
        self.handlings = Handlings(ctx, self.name)
        self.proxies = trusted_networks(ctx.settings.trusted_proxies)
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
                                            autoescape=True)

    def mount(self, app: web.Application) -> None:
        app.router.add_get("/", self.page)
        app.router.add_post("/api/messages", self.post_message)
        app.router.add_get("/api/ws", self.websocket)
        app.router.add_get("/api/history", self.history)
        app.router.add_get("/favicon.ico", self.icon)
        app.router.add_get("/static/{name}", self.static)

    def _user(self, request: web.Request) -> tuple[str, bool]:
        uid = request.cookies.get(COOKIE, "")
        if _UID.match(uid):
            return uid, False
        return "w" + secrets.token_urlsafe(16), True

    async def page(self, request: web.Request) -> web.Response:
        uid, new = self._user(request)
        place = request.query.get("place", "")
        place_name = self.ctx.registry.full_name(place) if place in self.ctx.registry.places else ""
        county = self.ctx.registry.name(self.ctx.registry.county_code())
        invite = request.query.get("invite", "")
        invite = invite if re.fullmatch(r"[A-Za-z0-9]{1,64}", invite) else ""
        html = self.templates.get_template("chat.html").render(place=place if place_name else "",
                                                               place_name=place_name, county=county,
                                                               invite=invite)
        resp = web.Response(text=html, content_type="text/html", charset="utf-8")
        if new:
            resp.set_cookie(COOKIE, uid, max_age=365 * 24 * 3600, httponly=True, samesite="Lax", secure=is_https(request))
        return resp

    async def history(self, request: web.Request) -> web.Response:
        """A returning visitor's conversation (what they said, what they were told, the
        updates pushed to them) and their open cases, so the page picks up where it was."""
        uid = request.cookies.get(COOKIE, "")
        if not _UID.match(uid):
            return web.json_response({"messages": [], "cases": []})
        since = self.ctx.clock.now() - timedelta(days=HISTORY_DAYS)
        messages: list[dict] = []
        for row in reversed(await self.ctx.inbox.store.recent(self.name, uid, since, limit=HISTORY_MESSAGES)):
            said = row.message
            if said.get("kind") != "event" and said.get("text"):
                messages.append({"who": "me", "text": said["text"], "at": said.get("created_at")})
            if not row.pushed:
                messages += [{"who": "bot", "text": r["text"], "at": said.get("created_at")}
                             for r in row.replies if isinstance(r, dict) and r.get("text")]
        async with self.ctx.uow() as uow:
            store = await uow.cases()
            cases = list(await store.by_reporter(self.name, uid, open_only=True))
            cases += [c for c in await store.linked_by(self.name, uid) if c not in cases]
            pushed = await OutboxStore(await uow.session()).sent_to(self.name, uid, since)
        messages += [{"who": "push", "text": p.text, "at": p.created_at.isoformat()} for p in pushed]
        messages.sort(key=lambda m: m["at"] or "")
        return web.json_response({"messages": messages[-HISTORY_MESSAGES:],
                                  "cases": [self.case_line(c) for c in cases
                                            if c.status in OPEN_STATUSES]}, dumps=_json)

    async def icon(self, request: web.Request) -> web.Response:
        return web.FileResponse(STATIC / "favicon.svg", headers={"Content-Type": "image/svg+xml",
                                                                 "Cache-Control": "max-age=86400"})

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        path = STATIC / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Cache-Control": "max-age=86400"})

    async def post_message(self, request: web.Request) -> web.Response:
        try:
            if not await self._admit_address(request):
                return web.json_response({"error": TOO_FAST}, status=429, dumps=_json)
        except Exception as exc:
            if not is_transient(exc):
                raise
            return web.json_response({"error": BUSY, "retry": True}, status=503, dumps=_json)
        uid, new = self._user(request)
        try:
            body = await request.json()
        except (ValueError, LookupError, RecursionError):    # not JSON, not UTF-8, a charset that does not exist
            return web.json_response({"error": "body must be JSON"}, status=400)
        if not isinstance(body, dict):
            return web.json_response({"error": "body must be a JSON object"}, status=400)
        text = body.get("text", "")
        place = body.get("place", "")
        msg_id = body.get("msg_id", "")
        invite = body.get("invite", "")
        if not all(isinstance(v, str) for v in (text, place, msg_id, invite)):
            return web.json_response({"error": "text, place, invite and msg_id must be strings"}, status=400)
        if len(text) > MAX_TEXT:
            return web.json_response({"error": TOO_LONG.format(limit=MAX_TEXT)}, status=413, dumps=_json)
        if invite:
            # a mediation invitation's link (bot/mediation.py): the token is checked by the handler
            msg = Message(channel=self.name, user=uid, kind=Kind.EVENT, event=EventType.INVITE,
                          event_key=invite[:64], msg_id=msg_id[:64], created_at=self.ctx.clock.now())
        elif place in self.ctx.registry.places:
            msg = Message(channel=self.name, user=uid, kind=Kind.EVENT, event=EventType.OPEN, event_key=place,
                          msg_id=msg_id[:64], created_at=self.ctx.clock.now())
        elif place or body.get("open") is True:
            # a page opened without a known code: the greeting, and nothing kept (a visitor costs
            # nothing until they say something)
            return self._answer(request, [Reply(self.greeting())], uid, new)
        elif text.strip():
            msg = Message(channel=self.name, user=uid, text=text, msg_id=msg_id[:64], created_at=self.ctx.clock.now())
        else:
            return web.json_response({"error": "say something: text is empty"}, status=400)
        answer = await self.handlings.answer(msg, WAIT, self._handle)
        if answer.unavailable:
            return web.json_response({"error": BUSY, "retry": True}, status=503, dumps=_json)
        if answer.later:
            return self._answer(request, [], uid, new, queued=True)      # the replies follow on the page's socket
        return self._answer(request, answer.replies, uid, new)     # held pushes: released by the handling

    async def _handle(self, ticket: Ticket, waiter: Waiter) -> list[Reply]:
        message = ticket.message
        if ticket.fresh and message.event is EventType.OPEN:
            await self._note_open(message.user, message.event_key, message)
        return await self.ctx.inbox.run(ticket, waiter)

    def _answer(self, request: web.Request, replies: list[Reply], uid: str, new: bool, *,
                queued: bool = False) -> web.Response:
        payload: dict = {"replies": [{"text": r.text, "options": list(r.options)} for r in replies]}
        if queued:
            payload["queued"] = True
        resp = web.json_response(payload, status=202 if queued else 200, dumps=_json)
        if new:
            resp.set_cookie(COOKIE, uid, max_age=365 * 24 * 3600, httponly=True, samesite="Lax", secure=is_https(request))
        return resp

    async def _admit_address(self, request: web.Request) -> bool:
        """Per-address flood limit: cookie-less clients get a new id on every post, so the
        person limit alone would not hold them."""
        limit = self.ctx.settings.ip_rate_per_minute
        if not limit:
            return True
        address = client_address(request, self.proxies)
        minute = int(self.ctx.clock.now().timestamp() // 60)
        try:
            count = await self.ctx.state.incr(f"rate:ip:{address}:{minute}", ttl=120)
        except Exception as exc:
            if not is_transient(exc):
                raise
            return True         # the state store out of reach: the message is kept all the same
        return count <= limit

    async def _note_open(self, uid: str, code: str, msg: Message) -> None:
        """A dispute code's URL opened: counted per code, once per open (a retry of the same msg_id)."""
        try:
            await record_scan(self.ctx.db, self.name, code, msg.msg_id or f"{uid}|{msg.created_at.isoformat()}",
                              "open", msg.created_at)
        except Exception:            # the count is worth less than the resident's answer
            log.exception("could not record a dispute-code open")

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        uid, _ = self._user(request)
        if not await self._admit_address(request):       # a page opens one; a flood of them is no reader
            raise web.HTTPTooManyRequests(text=TOO_FAST)
        ws = web.WebSocketResponse(heartbeat=30)
        await ws.prepare(request)
        self.sockets.setdefault(uid, weakref.WeakSet()).add(ws)
        await self.ctx.outbox.release(self.name, uid)     # pushes kept while the page was closed
        try:
            async for msg in ws:
                if msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                    break
        finally:
            open_here = self.sockets.get(uid)
            if open_here is not None:
                open_here.discard(ws)
                if not open_here:
                    # every connect with a new cookie left its entry behind (40,000 of them: +47 MB)
                    self.sockets.pop(uid, None)
        return ws

    async def deliver(self, push: Push) -> Delivery:
        open_sockets = [ws for ws in self.sockets.get(push.user, ()) if not ws.closed]
        if not open_sockets:
            return Delivery(Outcome.HOLD, "page not open")
        for ws in open_sockets:
            await ws.send_json({"text": push.text, "case": push.case_number, "kind": push.kind})
        return Delivery(Outcome.SENT)

    async def stop(self) -> None:
        await self.handlings.stop()      # handlings in flight finish: their messages were acknowledged
        for group in self.sockets.values():
            for ws in list(group):
                await ws.close()
