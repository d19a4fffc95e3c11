"""The dashboard (挂图作战) for a place and a period: what came in and what became of it, by
type, place, channel and dispute code, how long dispatch and results took, what is open, late
and under a red card now, a heat map of places × types against the previous period, and the
three-colour board. Every figure links to the case list behind it (the same filter: the test
holds the list's count equal to the figure).

Figures come from storage/figures.read_area (kept counts, never a scan of the ledger); the
board's short lists are keyset pages of the case list."""
from __future__ import annotations

import functools
import json
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import func, select

from adapters.console import auth
from adapters.console.auth import guarded, user_of
from adapters.console.heatmap import heat_map
from adapters.console.periods import PERIODS, Period, period_of
from adapters.console.views import CHANNEL_NAMES, case_row
from bot.lifecycle import OPEN_STATUSES
from bot.scope import DESK_ROLES, area_of, scope_of
from bot.standard_types import STANDARD_TYPES
from nlp.reading import TYPE_NAMES
from storage.case_list import CaseFilter, page_cases
from storage.figures import Figures, Measures, read_area
from storage.mediation import MediationFigures, mediation_figures
from storage.models import CodeScan
from storage.registry import Registry
from storage.sql import in_values

_dumps = functools.partial(json.dumps, ensure_ascii=False)


def _not_found() -> web.HTTPNotFound:
    return web.HTTPNotFound(text="没有这个地区，或不在您的管辖范围。", content_type="text/plain")


def area_for(request: web.Request, reg: Registry) -> tuple[str, frozenset[str] | None]:
    """The place asked for (default: the person's own area) and its subtree; None: the whole
    county. Outside the person's scope: 404."""
    staff = user_of(request).staff
    scope = scope_of(reg, staff)
    code = request.query.get("place", "") or area_of(reg, staff) or ""
    if code and code not in reg.places:
        raise _not_found()
    if scope is not None and scope.places is not None and (not code or code not in scope.places):
        raise _not_found()
    if not code or reg.places[code].level == "county":
        return code, None
    return code, reg.subtree(code)


class Links:
    """URLs of the case list behind a figure: the area, the period, and what the figure counts."""

    def __init__(self, place: str, period: Period | None, county: bool):
        self.base: list[tuple[str, str]] = [] if county or not place else [("place", place)]
        if period is not None:
            self.base += [("from", period.since.isoformat()), ("to", period.until.isoformat())]

    def __call__(self, *pairs: tuple[str, str], period: bool = True, **kw: str) -> str:
        base = self.base if period else [p for p in self.base if p[0] == "place"]
        items = [p for p in base if p[0] not in kw] + list(pairs) + list(kw.items())
        return auth.PATH + "/cases?" + urlencode(items)


RESOLVED = (("status", "resolved"), ("status", "closed"), ("result", "settled"))
UNSETTLED = (("status", "resolved"), ("status", "closed"), ("result", "ended"), ("result", "withdrawn"))
CONCLUDED = (("status", "resolved"), ("status", "closed"))


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


SMALL_BASE = 10       # below it a percentage says nothing ("上期 2（+15150%）"): the difference in cases


def _change(now: int, before: int) -> dict[str, Any]:
    if before == 0:
        return {"text": "新增" if now else "—", "up": now > 0}
    if before < SMALL_BASE:
        return {"text": f"{'+' if now >= before else ''}{now - before}件", "up": now > before}
    delta = (now - before) / before
    return {"text": f"{'+' if delta >= 0 else ''}{delta * 100:.0f}%", "up": delta > 0}


def _row(name: str, m: Measures, link: str, resolved_link: str) -> dict[str, Any]:
    return {"name": name, "cases": m.cases, "resolved": m.resolved, "closed": m.closed,
            "success_rate": _pct(m.success_rate), "rate": m.success_rate, "open": m.open,
            "overdue": m.overdue, "link": link, "resolved_link": resolved_link}


async def build(request: web.Request, chosen: Period | None = None, *, lenient: bool = False,
                every_carded: bool = False) -> dict[str, Any]:
    """The dashboard's figures for the request's place and period (or `chosen`: a report's;
    `every_carded`: a supervision bulletin names every case under a red card, not the first 30)."""
    from adapters.console import console_of
    ctx = console_of(request).ctx
    reg = ctx.registry
    tz = ctx.settings.timezone
    today = ctx.clock.now().astimezone(ZoneInfo(tz)).date()
    period, period_key, notice = (chosen, "", "") if chosen is not None else period_of(request.query, today,
                                                                                       lenient=lenient)
    prev, last_year = period.previous(), period.year_before()
    area, places = area_for(request, reg)
    county = places is None
    link = Links(area, period, county)
    now_link = Links(area, None, county)
    async with ctx.db.session() as s:
        grain = "day" if period.days <= 92 else "month"
        f = await read_area(s, period.since, period.until, places, by_day=grain)
        p = await read_area(s, prev.since, prev.until, places, dims=("pt",), by_day=grain, now=False)
        y = await read_area(s, last_year.since, last_year.until, places, dims=(), by_day=None, now=False)
        scans = await _scans(s, period, places, tz)
        board = await _board(s, ctx, places, f.now, carded_limit=CARDED_MOST if every_carded else 30)
        zone = ZoneInfo(tz)
        first = datetime.combine(period.since, time(0), tzinfo=zone)
        after = datetime.combine(period.until + timedelta(days=1), time(0), tzinfo=zone)
        mediated = await mediation_figures(s, since=first, until=after, places=places)
    t, pt, yt = f.total, p.total, y.total
    headline = [
        {"key": "received", "name": "受理", "value": t.cases, "before": pt.cases, "change": _change(t.cases, pt.cases),
         "year": yt.cases, "link": link()},
        {"key": "resolved", "name": "化解", "value": t.resolved, "before": pt.resolved,
         "change": _change(t.resolved, pt.resolved), "year": yt.resolved, "link": link(*RESOLVED)},
        {"key": "success_rate", "name": "化解率", "value": _pct(t.success_rate), "before": _pct(pt.success_rate),
         "year": _pct(yt.success_rate), "link": link(*RESOLVED)},
        {"key": "unsettled", "name": "终止或撤回", "value": t.unsettled, "before": pt.unsettled,
         "change": _change(t.unsettled, pt.unsettled), "year": yt.unsettled, "link": link(*UNSETTLED),
         "note": "已结束、未化解"},
        # 办结: a result, settled or not, as residents are told "已办结"; 归档 (after the
        # follow-up visit or the rating) is a step after it (a trial read 办结率 as the archived share)
        {"key": "concluded", "name": "办结", "value": t.concluded, "before": pt.concluded,
         "change": _change(t.concluded, pt.concluded), "year": yt.concluded, "link": link(*CONCLUDED),
         "note": f"其中已归档 {t.closed}"},
        {"key": "completion_rate", "name": "办结率", "value": _pct(t.completion_rate),
         "before": _pct(pt.completion_rate), "year": _pct(yt.completion_rate), "link": link(*CONCLUDED)},
        {"key": "satisfaction", "name": "满意度", "value": "—" if t.satisfaction is None else f"{t.satisfaction:.2f}",
         "before": "—" if pt.satisfaction is None else f"{pt.satisfaction:.2f}", "year": "", "link": link(rated="1"),
         "note": f"{t.rated}人评价"},
    ]
    for k in headline:
        k.setdefault("change", None)
        k.setdefault("note", "")
    now = f.now
    board["links"] = {"red": now_link(open="1", risk="red", period=False),
                      "yellow": now_link(open="1", risk="yellow", period=False),
                      "carded": now_link(open="1", red_card="1", period=False),
                      "escalated": now_link(status="escalated", period=False)}
    now_cards = [
        {"key": "to_dispatch", "name": "待分派", "value": board["to_dispatch_total"],
         "link": now_link(status="received", period=False)},
        {"key": "open", "name": "在办", "value": now.open, "link": now_link(open="1", period=False)},
        {"key": "overdue", "name": "超期", "value": now.overdue, "link": now_link(open="1", overdue="1", period=False)},
        {"key": "red_card", "name": "红牌", "value": now.carded_open,
         "link": now_link(open="1", red_card="1", period=False)},
        {"key": "red", "name": "红色风险在办", "value": board["red_total"],
         "link": now_link(open="1", risk="red", period=False)},
        {"key": "escalated", "name": "上报待办", "value": board["escalated_total"],
         "link": now_link(status="escalated", period=False)},
    ]
    times = {
        "dispatch_mean_hours": t.mean_dispatch_hours, "dispatch_median_hours": f.dispatch_hours_at(0.5),
        "dispatch_p90_hours": f.dispatch_hours_at(0.9), "dispatched": t.dispatched,
        "result_mean_days": t.mean_result_days, "result_median_days": f.result_days_at(0.5),
        "result_p90_days": f.result_days_at(0.9), "resolved": t.resolve_timed,
        "before": {"dispatch_mean_hours": pt.mean_dispatch_hours, "result_mean_days": pt.mean_result_days},
    }
    types = sorted({*f.by_type, *p.by_type}, key=lambda k: (-f.by_type.get(k, Measures()).cases, k))
    by_type = [{**_row(TYPE_NAMES.get(k, k or "未分类"), f.by_type.get(k, Measures()), link(type=k),
                       link(*RESOLVED, type=k)), "key": k, "before": p.by_type.get(k, Measures()).cases,
                "open_link": link(type=k, open="1"), "overdue_link": link(type=k, open="1", overdue="1"),
                "change": _change(f.by_type.get(k, Measures()).cases, p.by_type.get(k, Measures()).cases)}
               for k in types if k]
    standard_types = []
    for name, ours in STANDARD_TYPES:        # the people's mediation statistics' fifteen lines
        key = ",".join(ours)
        now_m = sum((f.by_type.get(k, Measures()) for k in ours), Measures())
        before = sum(p.by_type.get(k, Measures()).cases for k in ours)
        standard_types.append({**_row(name, now_m, link(type=key), link(*RESOLVED, type=key)),
                               "key": key, "before": before, "change": _change(now_m.cases, before)})
    by_channel = [{**_row(CHANNEL_NAMES.get(k, k), m, link(channel=k), link(*RESOLVED, channel=k)), "key": k}
                  for k, m in sorted(f.by_channel.items(), key=lambda kv: -kv[1].cases) if k]
    by_place = _by_place(reg, area, f, p, link)
    codes = _codes(reg, f, scans, link)
    heat = heat_map(reg, area, f, p, link, types)
    return {
        "area": area, "area_name": reg.full_name(area) or reg.name(area) or "全县", "county": county,
        "period": {"from": period.since.isoformat(), "to": period.until.isoformat(), "days": period.days,
                   "key": period_key, "notice": notice, "previous": {"from": prev.since.isoformat(), "to": prev.until.isoformat()},
                   "year_before": {"from": last_year.since.isoformat(), "to": last_year.until.isoformat()}},
        "calendar_notice": calendar_notice(today),
        "headline": headline, "now": now_cards, "times": times, "by_type": by_type,
        "standard_types": standard_types, "by_channel": by_channel,
        "by_place": by_place, "codes": codes, "heat": heat,
        "trend": _trend(f, p, period), "board": board, "mediation": _mediation(mediated),
    }


ORIGIN_NAMES = {"applied": "当事人申请", "own_initiative": "主动调解", "police": "公安机关移送",
                "court": "人民法院委托移送", "government": "政府及部门移送", "other_referral": "其他单位移送"}


def _mediation(m: MediationFigures) -> dict[str, Any]:
    """The mediation record's figures (storage/mediation.py) as the dashboard and reports show them."""
    cards = [
        {"key": "agreements", "name": "调解协议", "value": m.agreements, "note": f"书面{m.written} · 口头{m.oral}"},
        {"key": "amount", "name": "协议金额（元）", "value": f"{m.amount_yuan:,.0f}", "note": ""},
        {"key": "performed", "name": "已履行", "value": m.performed,
         "note": f"按期{m.performed_on_time} · 超期未履行{m.overdue} · 未履行或部分履行{m.not_performed}"},
        {"key": "confirmations", "name": "申请司法确认", "value": m.confirmations_applied,
         "note": f"确认{m.confirmations_granted} · 驳回{m.confirmations_refused}"},
        {"key": "follow_ups", "name": "回访", "value": f"{m.follow_ups_done}/{m.follow_ups_due}",
         "note": f"重新办理{m.follow_ups_reopened}"},
    ]
    return {"cards": cards, "origins": [{"key": k, "name": ORIGIN_NAMES.get(k, k), "cases": n}
                                        for k, n in m.cases_by_origin.items()], **m.as_dict()}


def _by_place(reg: Registry, area: str, f: Figures, p: Figures, link: Links) -> list[dict[str, Any]]:
    """One row per place just below the area (its own cases and those under it)."""
    top = area or reg.county_code() or ""
    rows = []
    for child in sorted(reg.children(top)):
        sub = reg.subtree(child)
        m = sum((v for k, v in f.by_place.items() if k in sub), Measures())
        before = sum((v.cases for k, v in p.by_place.items() if k in sub))
        now = sum((v for k, v in f.now_by_place.items() if k in sub), Measures())
        rows.append({**_row(reg.name(child), m, link(place=child), link(*RESOLVED, place=child)), "key": child,
                     "open_link": link(place=child, open="1"), "overdue_link": link(place=child, open="1", overdue="1"),
                     "before": before, "change": _change(m.cases, before), "now_open": now.open,
                     "now_overdue": now.overdue, "now_carded": now.carded_open})
    own = f.by_place.get(top, Measures())
    own_before = p.by_place.get(top, Measures()).cases
    if own.cases or own_before:
        now = f.now_by_place.get(top, Measures())
        rows.append({**_row(f"{reg.name(top)}（本级）", own, "", ""), "key": top, "before": own_before,
                     "open_link": "", "overdue_link": "",
                     "change": _change(own.cases, own_before), "now_open": now.open, "now_overdue": now.overdue,
                     "now_carded": now.carded_open})
    if not area and f.by_place.get("", Measures()).cases:
        now = f.now_by_place.get("", Measures())
        rows.append({**_row("地点待核实", f.by_place[""], "", ""), "key": "", "before": 0, "change": _change(0, 0),
                     "open_link": "", "overdue_link": "",
                     "now_open": now.open, "now_overdue": now.overdue, "now_carded": now.carded_open})
    return rows


async def _scans(session: Any, period: Period, places: frozenset[str] | None, tz: str) -> dict[str, int]:
    """Scans of each dispute code in the period (code_scans rows, one per scan)."""
    from datetime import time as dtime
    start = datetime.combine(period.since, dtime(), ZoneInfo(tz))
    end = datetime.combine(period.until + timedelta(days=1), dtime(), ZoneInfo(tz))
    q = select(CodeScan.code, func.count()).where(CodeScan.at >= start, CodeScan.at < end).group_by(CodeScan.code)
    if places is not None:
        q = q.where(in_values(CodeScan.code, sorted(places), session.bind.dialect.name))
    return {code: int(n) for code, n in (await session.execute(q)).all()}


def _codes(reg: Registry, f: Figures, scans: dict[str, int], link: Links) -> list[dict[str, Any]]:
    """Each dispute code: scans, reports through it, resolved, success rate; below the area's
    average rate flagged."""
    keys = sorted({*scans, *f.by_source}, key=lambda k: (-f.by_source.get(k, Measures()).cases, k))
    rows = []
    total = sum((m for m in f.by_source.values()), Measures())
    for k in keys:
        m = f.by_source.get(k, Measures())
        name = reg.full_name(k) or reg.name(k) or k
        rows.append({**_row(name, m, link(code=k), link(*RESOLVED, code=k)), "key": k, "scans": scans.get(k, 0),
                     "below": m.success_rate is not None and total.success_rate is not None
                     and m.cases >= 3 and m.success_rate < total.success_rate})
    return rows


def _months(since: date, until: date) -> list[str]:
    out, first = [], since.replace(day=1)
    while first <= until:
        out.append(first.strftime("%Y-%m"))
        first = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


def _trend(f: Figures, p: Figures, period: Period) -> dict[str, Any]:
    """By day up to a quarter; by month beyond (a year by day is unreadable)."""
    if period.days > 92:
        labels, before = _months(period.since, period.until), _months(period.previous().since,
                                                                          period.previous().until)
        unit = "月"
    else:
        labels = [(period.since + timedelta(days=i)).isoformat() for i in range(period.days)]
        before = [(period.previous().since + timedelta(days=i)).isoformat() for i in range(period.days)]
        unit = "日"
    prev = [p.by_day.get(d, Measures()).cases for d in before]
    return {"labels": labels, "received": [f.by_day.get(d, Measures()).cases for d in labels],
            "resolved": [f.by_day.get(d, Measures()).resolved for d in labels],
            "previous": (prev + [0] * len(labels))[:len(labels)], "unit": unit}


def calendar_notice(today: date) -> str:
    """Said while this year's or (from November) next year's holiday arrangement is missing: the
    clocks then count weekends and the statutory holidays only (bot/clocks.py)."""
    from bot import clocks
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    missing = [y for y in years if not clocks.calendar_known(y)]
    if not missing:
        return ""
    shown = "、".join(f"{y}年" for y in missing)
    return (f"{shown}的节假日调休安排尚未收录：时限暂按周末和法定节日计算，不含调休补班。"
            "请管理员更新 chinesecalendar。")


CARDED_MOST = 2000          # a bulletin's red-card list: every one (a county has tens, not thousands)


async def _board(session: Any, ctx: Any, places: frozenset[str] | None, now_figures: Measures,
                 carded_limit: int = 30) -> dict[str, Any]:
    """The three-colour board (every open red and yellow case, the first 30 of each), the
    red-card and the escalated lists."""
    from storage.case_list import count_cases
    now = ctx.clock.now()
    reg, settings = ctx.registry, ctx.settings
    base = CaseFilter(statuses=frozenset(OPEN_STATUSES), places=places)

    async def listed(flt: CaseFilter, limit: int = 30, kept: int | None = None) -> tuple[list[dict[str, Any]], int]:
        page = await page_cases(session, flt, limit=limit)
        rows = [case_row(c, reg, settings, now) for c in page.cases]
        if page.next_cursor is None:
            return rows, len(rows)
        return rows, kept if kept is not None else await count_cases(session, flt)

    from dataclasses import replace
    red, red_total = await listed(replace(base, risks=frozenset({"red"})))
    yellow, yellow_total = await listed(replace(base, risks=frozenset({"yellow"})))
    carded, carded_total = await listed(replace(base, red_card=True), limit=carded_limit, kept=now_figures.carded_open)
    escalated, escalated_total = await listed(replace(base, statuses=frozenset({"escalated"})))
    # cases nobody has been given yet (已受理): a newcomer at the centre found them nowhere on the page
    to_dispatch = await count_cases(session, replace(base, statuses=frozenset({"received"})))
    return {"red": red, "red_total": red_total, "yellow": yellow, "yellow_total": yellow_total,
            "carded": carded, "carded_total": carded_total, "escalated": escalated,
            "escalated_total": escalated_total, "to_dispatch_total": to_dispatch}


@guarded(roles=DESK_ROLES)
async def page(request: web.Request) -> web.Response:
    from adapters.console import console_of
    console = console_of(request)
    data = await build(request, lenient=True)
    reg = console.ctx.registry
    staff = user_of(request).staff
    scope = scope_of(reg, staff)
    areas = [(c, ("　" * max(0, len(reg.ancestors(c)) - 1)) + reg.places[c].name)
             for c in _area_choices(reg, scope)]
    return console.render(request, "dashboard.html", d=data, data_json=_script_json(data), periods=PERIODS, areas=areas)


def _script_json(data: Any) -> str:
    """JSON inside <script type="application/json">: no "<" a resident's words could close it with."""
    return _dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _area_choices(reg: Registry, scope: Any) -> list[str]:
    out: list[str] = []

    def walk(code: str) -> None:
        if reg.places[code].level in ("grid", "microgrid"):
            return
        if scope is None or (scope.places is not None and code in scope.places):
            out.append(code)
        for child in sorted(reg.children(code)):
            walk(child)
    for root in sorted(c for c, p in reg.places.items() if not p.parent):
        walk(root)
    return out


@guarded(roles=DESK_ROLES, api=True)
async def api(request: web.Request) -> web.Response:
    return web.json_response(await build(request), dumps=_dumps)
