"""The weekly bulletin (周通报) and the monthly supervision report (月督办) for a place: a printable
page and an XLSX. The figures are the dashboard's (storage/figures.read_area: kept counts),
for the last whole week (Monday to Sunday) or month, or the one holding `?at=YYYY-MM-DD`:
against the week or month before and the same period last year; every dispute type (zeros
too) and the people's mediation statistics' fifteen lines (bot/standard_types.py); each unit
below the place with its open, overdue and red-card cases now; the dispute codes, those below
the average marked."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiohttp import web

from adapters.console.auth import guarded
from adapters.console.dashboard import build
from adapters.console.periods import Period, in_range
from adapters.console.sheets import as_text
from bot.scope import DESK_ROLES
from nlp.reading import DISPUTE_TYPES, TYPE_NAMES

KINDS = {"weekly": "周通报", "monthly": "月督办通报"}


def period_for(kind: str, query: Any, today: date) -> Period:
    try:
        at = date.fromisoformat(query["at"]) if query.get("at") else None
    except ValueError:
        raise web.HTTPBadRequest(text="日期格式应为 2026-11-23。", content_type="text/plain") from None
    if not in_range(at, today):
        raise web.HTTPBadRequest(text="日期超出范围（2000年至明年）。", content_type="text/plain")
    if kind == "weekly":
        monday = (at or today - timedelta(days=7)) - timedelta(days=(at or today - timedelta(days=7)).weekday())
        return Period(monday, monday + timedelta(days=6))
    first = (at or today.replace(day=1) - timedelta(days=1)).replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    before_last = first - timedelta(days=1)
    return Period(first, last, Period(before_last.replace(day=1), before_last))


async def report(request: web.Request) -> dict[str, Any]:
    from adapters.console import console_of
    ctx = console_of(request).ctx
    kind = request.match_info["kind"]
    today = ctx.clock.now().astimezone(ZoneInfo(ctx.settings.timezone)).date()
    d = await build(request, period_for(kind, request.query, today), every_carded=True)
    # "截至目前" lines are the ledger at the moment of printing: say when that was
    d["generated_at"] = ctx.clock.now().astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%Y-%m-%d %H:%M")
    types = {r["key"]: r for r in d["by_type"]}
    d["all_types"] = [types.get(k) or {"name": TYPE_NAMES[k], "cases": 0, "before": 0, "resolved": 0,
                                       "success_rate": "—", "open": 0, "overdue": 0, "change": {"text": "—"},
                                       "key": k} for k in DISPUTE_TYPES]
    d["kind"], d["kind_name"] = kind, KINDS[kind]
    d["title"] = f"{d['area_name']}矛盾纠纷化解{KINDS[kind]}"
    return d


@guarded(roles=DESK_ROLES)
async def index(request: web.Request) -> web.Response:
    from adapters.console import console_of
    from adapters.console.auth import user_of
    from adapters.console.dashboard import _area_choices
    from bot.scope import scope_of
    console = console_of(request)
    reg = console.ctx.registry
    scope = scope_of(reg, user_of(request).staff)
    areas = [(c, ("　" * max(0, len(reg.ancestors(c)) - 1)) + reg.places[c].name) for c in _area_choices(reg, scope)]
    return console.render(request, "reports.html", areas=areas, kinds=KINDS)


@guarded(roles=DESK_ROLES)
async def printable(request: web.Request) -> web.Response:
    from adapters.console import console_of
    d = await report(request)
    return console_of(request).render(request, "report.html", d=d)


@guarded(roles=DESK_ROLES)
async def xlsx(request: web.Request) -> web.Response:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    d = await report(request)
    book = Workbook()
    bold, head_fill = Font(bold=True), PatternFill("solid", fgColor="EEEEEE")

    def sheet(title: str, header: list[str], rows: list[list[Any]], first: bool = False):
        ws = book.active if first else book.create_sheet()
        ws.title = title
        ws.append([d["title"]])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([f"{d['period']['from']} 至 {d['period']['to']}；上期 {d['period']['previous']['from']} 至 "
                   f"{d['period']['previous']['to']}；制表时间 {d['generated_at']}（“现在”各项为制表时的情况）"])
        ws.append(header)
        for cell in ws[3]:
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(horizontal="center")
        for row in rows:
            ws.append([_number(v) for v in row])
            for cell in ws[ws.max_row]:
                as_text(cell)
                given = row[cell.column - 1] if cell.column <= len(row) else None
                if isinstance(cell.value, float) and isinstance(given, str) and given.endswith("%"):
                    cell.number_format = "0.0%"          # a rate: a number Excel can sum and sort
                elif isinstance(cell.value, float):
                    cell.number_format = "0.00"          # a satisfaction (4.43 分), not 443%
        ws.column_dimensions["A"].width = 22
        for col in "BCDEFGHI":
            ws.column_dimensions[col].width = 12
        ws.freeze_panes = "A4"

    sheet("概况", ["指标", "本期", "上期", "去年同期"],
          [[k["name"], k["value"], k["before"], k["year"]] for k in d["headline"]] +
          [[f"现在·{k['name']}", k["value"], "", ""] for k in d["now"]] +
          [["平均分派用时（小时）", d["times"]["dispatch_mean_hours"], d["times"]["before"]["dispatch_mean_hours"], ""],
           ["平均化解用时（天）", d["times"]["result_mean_days"], d["times"]["before"]["result_mean_days"], ""]],
          first=True)
    sheet("按类型", ["纠纷类型", "受理", "上期", "变化", "化解", "化解率", "在办", "超期"],
          [[r["name"], r["cases"], r["before"], r["change"]["text"], r["resolved"], r["success_rate"], r["open"],
            r["overdue"]] for r in d["all_types"]])
    sheet("十五类", ["人民调解统计类型", "受理", "上期", "变化", "化解", "化解率", "在办", "超期"],
          [[r["name"], r["cases"], r["before"], r["change"]["text"], r["resolved"], r["success_rate"], r["open"],
            r["overdue"]] for r in d["standard_types"]] + [["注：债务借贷计入合同纠纷，其余类型一一对应。"]])
    sheet("按地区", ["地区", "受理", "上期", "化解", "化解率", "现在在办", "现在超期", "现在红牌"],
          [[r["name"], r["cases"], r["before"], r["resolved"], r["success_rate"], r.get("now_open", 0),
            r.get("now_overdue", 0), r.get("now_carded", 0)] for r in d["by_place"]])
    sheet("解纷码", ["解纷码（地点）", "编码", "扫码", "反映", "化解", "化解率", "低于平均"],
          [[r["name"], r["key"], r["scans"], r["cases"], r["resolved"], r["success_rate"], "是" if r["below"] else ""]
           for r in d["codes"]])
    sheet("红牌督办", ["案件编号", "类型", "地点", "状态", "经办人"],
          [[r["number"], r["type_name"], r["place_name"], r["status_name"], "、".join(r["assignees"])]
           for r in d["board"]["carded"]]
          + ([[f"（共 {d['board']['carded_total']} 件，列前 {len(d['board']['carded'])} 件；完整名单见案件列表的“红牌”筛选）"]]
             if d["board"]["carded_total"] > len(d["board"]["carded"]) else []))
    out = io.BytesIO()
    book.save(out)
    name = f"{d['kind']}-{d['area'] or 'county'}-{d['period']['from']}.xlsx"
    shown = f"{'周报' if d['kind'] == 'weekly' else '月报'}-{d['area'] or '全县'}-{d['period']['from']}.xlsx"
    return web.Response(body=out.getvalue(), headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(shown)}",
        "Cache-Control": "no-store"})


def _number(value: Any) -> Any:
    """"70.4%" → 0.704 (shown as 70.4% by the cell's format); "4.43" → 4.43 (a satisfaction
    Excel can average); anything else as it is."""
    if isinstance(value, str) and re.fullmatch(r"-?\d+\.\d+", value):
        return float(value)
    if isinstance(value, str) and value.endswith("%"):
        try:
            return float(value[:-1]) / 100
        except ValueError:
            return value
    return value
