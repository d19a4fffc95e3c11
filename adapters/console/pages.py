"""The console's pages and JSON: the case list, the case page and its actions (log-in:
adapters/console/login.py)."""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from adapters.base import read_form
from adapters.console import auth
from adapters.console.auth import guarded, user_of
from adapters.console.params import CHANNELS, PAGE_SIZES, BadQuery, ListQuery, parse
from adapters.console.views import CHANNEL_NAMES, case_detail, case_row, timeline
from bot import case_actions, routing, staffing
from bot.case_actions import Action, Actor, perform
from bot.lifecycle import OPEN_STATUSES, RESULT_NAMES, STATUS_NAMES, Result, Status, can_move
from bot.notify import ROLE_NAMES
from bot.privacy import names_of
from bot.scope import desk, scope_of, sees, sees_contact
from nlp.reading import DISPUTE_TYPES, RISK_NAMES, TYPE_NAMES
from storage.case_list import BadCursor, count_cases, page_cases
from storage.cases import canonical_number
from storage.lifecycle import EventKind
from storage.models import Case

if TYPE_CHECKING:
    from adapters.console import ConsoleChannel

_dumps = functools.partial(json.dumps, ensure_ascii=False)
def _console(request: web.Request) -> "ConsoleChannel":
    from adapters.console import console_of
    return console_of(request)


@guarded()
async def home(request: web.Request) -> web.Response:
    raise web.HTTPFound(auth.PATH + ("/dashboard" if desk(user_of(request).staff) else "/cases"))


# ---- the list -----------------------------------------------------------------------------------

def _query(request: web.Request) -> ListQuery:
    console, user = _console(request), user_of(request)
    try:
        return parse(request.query, console.ctx.registry, console.ctx.settings.timezone,
                     scope_of(console.ctx.registry, user.staff), console.ctx.settings.case_number_prefix)
    except BadQuery as exc:
        raise web.HTTPBadRequest(text=f"筛选条件有误：{exc}", content_type="text/plain") from None


async def _page(request: web.Request, q: ListQuery) -> tuple[list[dict[str, Any]], str | None, int]:
    ctx = _console(request).ctx
    now = ctx.clock.now()
    async with ctx.db.session() as s:
        try:
            page = await page_cases(s, q.flt, sort=q.sort, descending=q.descending, limit=q.size, cursor=q.cursor)
        except BadCursor:
            raise web.HTTPBadRequest(text="翻页参数有误，请回到第一页。", content_type="text/plain") from None
        total = await count_cases(s, q.flt)
        rows = [case_row(c, ctx.registry, ctx.settings, now) for c in page.cases]
    return rows, page.next_cursor, total


def _choices(request: web.Request) -> dict[str, Any]:
    ctx, user = _console(request).ctx, user_of(request)
    reg = ctx.registry
    scope = scope_of(reg, user.staff)
    places = [p for p in reg.places.values() if scope is None or scope.places is None or p.code in scope.places]
    return {"statuses": [(s.value, STATUS_NAMES[s]) for s in Status],
            "results": [(r.value, RESULT_NAMES[r]) for r in Result],
            "types": [(t, TYPE_NAMES[t]) for t in DISPUTE_TYPES if scope is None or scope.types is None
                      or t in scope.types],
            "risks": [(r, RISK_NAMES[r]) for r in ("red", "yellow", "green")],
            "channels": [(c, CHANNEL_NAMES[c]) for c in CHANNELS],
            "places": [(p.code, ("　" * _depth(reg, p.code)) + p.name) for p in _tree_order(reg, places)],
            "staff": [(s.id, f"{s.name}（{ROLE_NAMES.get(s.role, s.role)}）") for s in reg.staff.values() if s.active],
            "sizes": PAGE_SIZES}


def _depth(reg: Any, code: str) -> int:
    return max(0, len(reg.ancestors(code)) - 1)


def _tree_order(reg: Any, places: list[Any]) -> list[Any]:
    keep = {p.code for p in places}
    out: list[Any] = []

    def walk(code: str) -> None:
        if code in keep:
            out.append(reg.places[code])
        for child in sorted(reg.children(code)):
            walk(child)
    for root in sorted(c for c, p in reg.places.items() if not p.parent):
        walk(root)
    return out


@guarded()
async def case_list(request: web.Request) -> web.Response:
    q = _query(request)
    rows, next_cursor, total = await _page(request, q)
    console = _console(request)
    values = dict(q=q, rows=rows, total=total, next_url=q.url(auth.PATH + "/cases", cursor=next_cursor)
                  if next_cursor else "", first_url=q.url(auth.PATH + "/cases") if q.cursor else "",
                  csv_url=q.url(auth.PATH + "/cases.csv"), xlsx_url=q.url(auth.PATH + "/cases.xlsx"),
                  choices=_choices(request), api_url=q.url(auth.PATH + "/api/cases"))
    if request.query.get("partial") == "rows":
        return console.render(request, "_rows.html", **values)
    return console.render(request, "cases.html", **values)


@guarded(api=True)
async def api_cases(request: web.Request) -> web.Response:
    q = _query(request)
    rows, next_cursor, total = await _page(request, q)
    return web.json_response({"cases": rows, "next_cursor": next_cursor, "total": total},
                             dumps=_dumps)


# ---- one case -----------------------------------------------------------------------------------

async def _visible(request: web.Request, session: Any, *, for_update: bool = False) -> Case:
    """The case of the URL, if this person may see it; 404 otherwise (not 403: a case outside
    one's area does not exist for them)."""
    ctx, user = _console(request).ctx, user_of(request)
    prefix = ctx.settings.case_number_prefix
    number = canonical_number(request.match_info["number"], prefix)
    if number is None:
        raise web.HTTPNotFound(text="没有这个案件。", content_type="text/plain")
    from storage.cases import CaseStore
    store = CaseStore(session, now=ctx.clock.now(), prefix=prefix, tz=ctx.settings.timezone)
    case = await (store.get_for_update(number) if for_update else store.get(number))
    if case is None or not sees(ctx.registry, user.staff, case):
        raise web.HTTPNotFound(text="没有这个案件。", content_type="text/plain")
    return case


def actions_for(request: web.Request, case: Case) -> list[str]:
    ctx, staff = _console(request).ctx, user_of(request).staff
    if not staffing.may_act(ctx.registry, staff, case):
        return []
    st, is_open = case.status, case.status in OPEN_STATUSES
    allowed = {
        # 接单 is taking an open case on, never reopening one settled or archived (it was offered on an
        # archived case and reopened it with one click)
        Action.ASSIGN: is_open, Action.ACCEPT: is_open and st != Status.MEDIATING,
        Action.PROGRESS: is_open, Action.APPOINTMENT: is_open,
        Action.RESOLVE: can_move(st, Status.RESOLVED), Action.END: can_move(st, Status.RESOLVED),
        Action.WITHDRAW: is_open, Action.ESCALATE: is_open and case.level != "county",
        Action.SEND_BACK: st == Status.DISPATCHED, Action.CLOSE: st == Status.RESOLVED, Action.CORRECT: True,
    }
    return [a.value for a, ok in allowed.items() if ok]


async def _detail(request: web.Request) -> dict[str, Any]:
    ctx, user = _console(request).ctx, user_of(request)
    async with ctx.db.session() as s:
        case = await _visible(request, s)
        from storage.cases import CaseStore
        store = CaseStore(s, now=ctx.clock.now(), prefix=ctx.settings.case_number_prefix, tz=ctx.settings.timezone)
        events = list(await store.events(case))
        detail = case_detail(case, ctx.registry, ctx.settings, ctx.clock.now())
        from storage.mediation import MediationStore
        parties = await MediationStore(s, now=ctx.clock.now()).parties(case.id)
        detail["timeline"] = timeline(events, case, ctx.registry, ctx.settings, [p.name for p in parties if p.name],
                                      {f"{p.channel}:{p.user}": p.role for p in parties if p.channel and p.user})
        detail["linked"] = [t for t in detail["timeline"] if t["kind"] == EventKind.LINKED_REPORT]
        created = next((e for e in events if e.kind == EventKind.CREATED), None)
        detail["read_as"] = {"type": TYPE_NAMES.get((created.data or {}).get("type", ""), ""),
                             "risk": RISK_NAMES.get((created.data or {}).get("risk", ""), ""),
                             "model": (created.data or {}).get("model_version", "")} if created else {}
        detail["corrections"] = [t for t in detail["timeline"] if t["kind"] == EventKind.CORRECTED]
        detail["actions"] = actions_for(request, case)
        detail["may_see_contact"] = sees_contact(ctx.registry, user.staff, case)
        place = ctx.registry.place(case.place_code)
        point = next(((p.lat, p.lng, p.name) for p in ctx.registry.ancestors(case.place_code)
                      if p.lat is not None and p.lng is not None), None)
        detail["point"] = {"lat": point[0], "lng": point[1], "name": point[2]} if point else None
        detail["map"] = minimap(ctx.registry, point) if point else []
        detail["place_level"] = place.level if place else ""
        description = case.description
    reading = await ctx.reader.read(description) if ctx.reader is not None and description else None
    if reading is not None:
        from bot.privacy import mask_text
        detail["reading"] = {"type": TYPE_NAMES.get(reading.type, reading.type),
                             "confidence": round(reading.confidence, 2),
                             "evidence": [mask_text(w) for w in reading.evidence],
                             "risk": RISK_NAMES.get(reading.risk, reading.risk),
                             "reasons": [mask_text(r) for r in reading.risk_reasons]}
    else:
        detail["reading"] = None
    return detail


def minimap(reg: Any, point: tuple[float, float, str], width: int = 260, height: int = 170) -> list[dict[str, Any]]:
    """The county's places with coordinates on plain axes (no tiles on an intranet), the case's
    place marked: x from longitude, y from latitude (north up)."""
    spots = [(p.lat, p.lng, p.name) for p in reg.places.values() if p.lat is not None and p.lng is not None]
    lats, lngs = [s[0] for s in spots], [s[1] for s in spots]
    pad = 24
    span_lat, span_lng = (max(lats) - min(lats)) or 1.0, (max(lngs) - min(lngs)) or 1.0

    def xy(lat: float, lng: float) -> tuple[float, float]:
        return (round(pad + (lng - min(lngs)) / span_lng * (width - 3 * pad), 1),
                round(height - pad - (lat - min(lats)) / span_lat * (height - 2 * pad), 1))
    out = [{"x": xy(la, ln)[0], "y": xy(la, ln)[1], "name": n, "here": (la, ln, n) == point} for la, ln, n in spots]
    return sorted(out, key=lambda m: m["here"])


@guarded()
async def case_page(request: web.Request) -> web.Response:
    detail = await _detail(request)
    console = _console(request)
    reg = console.ctx.registry
    return console.render(request, "case.html", case=detail, message=_notice(request, detail["number"]),
                          types=[(t, TYPE_NAMES[t]) for t in DISPUTE_TYPES],
                          risks=[(r, RISK_NAMES[r]) for r in ("red", "yellow", "green")],
                          places=[(p.code, reg.full_name(p.code) or p.name) for p in reg.places.values()
                                  if p.level != "county"])


@guarded(api=True)
async def api_case(request: web.Request) -> web.Response:
    return web.json_response(await _detail(request), dumps=_dumps)


@guarded(api=True)
async def api_people(request: web.Request) -> web.Response:
    """Whom to hand the case to: routing's choices first (with why), then everyone else who
    could take it, each with their open cases now."""
    ctx = _console(request).ctx
    reg = ctx.registry
    async with ctx.db.session() as s:
        case = await _visible(request, s)
        suggested: list[staffing.Choice] = []
        if case.place_code:
            suggested += staffing.grid_workers(reg, case.place_code)
        from storage.cases import CaseStore
        store = CaseStore(s, now=ctx.clock.now())
        loads = await store.open_load(reg.staff)
        from collections import Counter
        com = staffing.committee(reg, case.type, case.place_code, Counter(loads))
        if com:
            suggested.append(com)
        level = routing.NEXT_LEVEL.get(case.level) if case.status == Status.ESCALATED else None
        suggested += staffing.handlers_at(reg, case.place_code, level or "town")
    seen: set[str] = set()
    people: list[dict[str, Any]] = []
    for c in suggested:
        if c.staff.id not in seen:
            seen.add(c.staff.id)
            people.append(_person(c.staff, loads, c.why, True))
    # the centre and the leader on duty hand a case to anyone; others within its town (the rest
    # would be refused: case_actions.assign_to)
    anyone = auth.user_of(request).staff.role in ("centre", "leader_on_duty")
    people += [_person(s, loads, "", False) for s in reg.staff.values()
               if s.active and s.id not in seen and s.role in ("grid_worker", "mediator", "committee")
               and (anyone or case_actions.same_town(reg, s, case))]
    return web.json_response({"people": people}, dumps=_dumps)


def _person(staff: Any, loads: dict[str, int], why: str, suggested: bool) -> dict[str, Any]:
    return {"id": staff.id, "name": staff.name, "role": ROLE_NAMES.get(staff.role, staff.role), "why": why,
            "load": loads.get(staff.id, 0), "capacity": staff.capacity, "suggested": suggested}


FIELD_WORDS = {"type": "类型", "risk": "风险", "place": "地点"}


@guarded()
async def act(request: web.Request) -> web.Response:
    """An action from the case page: through bot/case_actions.perform, as the WeCom command."""
    console = _console(request)
    ctx, user = console.ctx, user_of(request)
    form = await read_form(request)
    try:
        action = Action(str(form.get("action", "")))
    except ValueError:
        raise web.HTTPBadRequest(text="没有这个操作。", content_type="text/plain") from None
    if action is Action.TRANSFER:
        action = Action.ASSIGN
    if action is Action.ASSIGN:
        note = ",".join(str(v) for v in form.getall("staff", []))
        why = " ".join(str(form.get("reason", "")).split())
        if why:
            note += "；" + why
    elif action is Action.CORRECT:
        field = str(form.get("field", ""))
        if field not in FIELD_WORDS:
            raise web.HTTPBadRequest(text="更正的项目有误。", content_type="text/plain")
        value, reason = str(form.get("value", "")).strip(), " ".join(str(form.get("note", "")).split())
        note = f"{FIELD_WORDS[field]} {value} {reason}" if value and reason else ""
        if not value or not reason:
            note = ""
    else:
        note = str(form.get("note", ""))
    if len(note) > NOTE_LIMIT:          # refused whole rather than cut short without a word
        message = f"内容太长（{len(note)}字），一次最多{NOTE_LIMIT}字，请分几次写。"
        if "json" in request.headers.get("Accept", ""):
            return web.json_response({"message": message}, dumps=_dumps)
        number = canonical_number(request.match_info["number"], ctx.settings.case_number_prefix) or ""
        raise web.HTTPSeeOther(_with_notice(request, number, message))
    async with ctx.uow() as uow:
        session = await uow.session()
        case = await _visible(request, session, for_update=True)
        if action is Action.CORRECT and not note:
            message = "请写上新值和更正原因。"
        else:
            message = await perform(ctx, uow, Actor(user.staff, via="console"), case, action, note)
        number = case.number
    if "json" in request.headers.get("Accept", ""):
        return web.json_response({"message": message}, dumps=_dumps)
    raise web.HTTPSeeOther(_with_notice(request, number, message))


NOTE_LIMIT = 1000


def _notice_mac(request: web.Request, number: str, message: str) -> str:
    """The notice signed with this session's secret: a link someone else made shows nothing."""
    key = user_of(request).session.csrf.encode()
    return hmac.new(key, f"{number}\n{message}".encode(), hashlib.sha256).hexdigest()[:32]


def _with_notice(request: web.Request, number: str, message: str) -> str:
    from urllib.parse import urlencode
    query = urlencode({"msg": message, "sig": _notice_mac(request, number, message)})
    return f"{auth.PATH}/cases/{number}?{query}"


def _notice(request: web.Request, number: str) -> str:
    message = request.query.get("msg", "")[:300]
    sig = request.query.get("sig", "")
    return message if message and hmac.compare_digest(sig, _notice_mac(request, number, message)) else ""


@guarded(api=True)
async def contact(request: web.Request) -> web.Response:
    """The full phone number and names, for the case's assignees and the centre; each look is
    kept in the ledger (who, when)."""
    ctx, user = _console(request).ctx, user_of(request)
    async with ctx.uow() as uow:
        session = await uow.session()
        case = await _visible(request, session)
        if not sees_contact(ctx.registry, user.staff, case):
            return web.json_response({"error": "只有本案经办人和综治中心可以查看完整联系方式。"}, status=403,
                                     dumps=_dumps)
        store = await uow.cases()
        await store.event(case, EventKind.VIEWED_CONTACT, Actor(user.staff, via="console").key)
        data = {"contact": case.contact, "reporter_name": case.reporter_name,
                "parties": [{"role": p.get("role", ""), "name": p.get("name", "")} for p in case.parties
                            if isinstance(p, dict)], "description": case.description,
                "names": list(names_of(case))}
    return web.json_response(data, headers={"Cache-Control": "no-store"},
                             dumps=_dumps)
