"""The ledger export (电子台账): exactly the cases the list's filter lets through, in the list's
order, as CSV or XLSX, with the columns asked for (`?cols=number,created_at,…`; the default
set otherwise). Read in keyset batches (storage.case_list.stream_cases: a short transaction per
batch), written as they come: CSV straight to the response, XLSX through openpyxl's write-only
workbook (rows go to a temporary file, never all in memory) and then sent in chunks.

Names and phone numbers are masked as in the list: an export leaves the building.
"""
from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiohttp import web

from adapters.console.auth import guarded
from adapters.console.sheets import as_text, csv_value
from adapters.console.views import case_row, local
from bot.lifecycle import RESULT_NAMES
from bot.privacy import mask_text, names_of
from bot.routing import LEVEL_NAMES
from storage.case_list import stream_cases


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    value: Callable[[dict[str, Any]], Any]


COLUMNS: tuple[Column, ...] = (
    Column("number", "案件编号", 16, lambda r: r["number"]),
    Column("created_at", "受理时间", 17, lambda r: r["created_at"]),
    Column("type", "纠纷类型", 12, lambda r: r["type_name"]),
    Column("risk", "风险等级", 8, lambda r: r["risk_name"]),
    Column("status", "办理状态", 10, lambda r: r["status_name"]),
    Column("level", "办理层级", 8, lambda r: LEVEL_NAMES.get(r["level"], r["level"])),
    Column("place", "地点", 22, lambda r: r["place_name"]),
    Column("place_code", "地点编码", 12, lambda r: r["place"]),
    Column("channel", "来源渠道", 10, lambda r: r["channel_name"]),
    Column("code", "解纷码", 10, lambda r: r["source"]),
    Column("assignees", "经办人", 18, lambda r: "、".join(r["assignees"])),
    Column("summary", "反映内容（已脱敏）", 50, lambda r: r["summary"]),
    Column("description", "反映内容全文（已脱敏）", 80, lambda r: r["description"]),
    Column("dispatched_at", "分派时间", 17, lambda r: r["dispatched_at"]),
    Column("resolved_at", "办结时间", 17, lambda r: r["resolved_at"]),
    Column("result", "办理结果", 14, lambda r: r["result_name"]),
    Column("closed_at", "归档时间", 17, lambda r: r["closed_at"]),
    Column("contact", "联系电话（已脱敏）", 14, lambda r: r["contact_masked"]),
    Column("overdue", "超期", 6, lambda r: "是" if r["overdue"] else ""),
    Column("red_card", "红牌", 6, lambda r: "是" if r["red_card"] else ""),
    Column("updated_at", "最近变动", 17, lambda r: r["updated_at"]),
    Column("satisfaction", "满意度", 7, lambda r: r["satisfaction"] if r["satisfaction"] is not None else ""),
)
BY_KEY = {c.key: c for c in COLUMNS}
DEFAULT = ("number", "created_at", "type", "risk", "status", "place", "channel", "code", "assignees", "summary",
           "dispatched_at", "resolved_at", "result", "satisfaction", "overdue", "red_card")
DESCRIPTION_CHARS = 2000


def columns_of(request: web.Request) -> list[Column]:
    asked = [k.strip() for k in ",".join(request.query.getall("cols", [])).split(",") if k.strip()]
    unknown = [k for k in asked if k not in BY_KEY]
    if unknown:
        raise web.HTTPBadRequest(text="没有这些列：" + "、".join(unknown[:5])[:100] + "。可选：" + ",".join(BY_KEY),
                                 content_type="text/plain")
    return [BY_KEY[k] for k in dict.fromkeys(asked or DEFAULT)]


def _filename(request: web.Request, ext: str) -> str:
    from adapters.console import console_of
    ctx = console_of(request).ctx
    stamp = ctx.clock.now().astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%Y%m%d-%H%M")
    name = f"电子台账-{stamp}.{ext}"
    return f"attachment; filename=\"ledger-{stamp}.{ext}\"; filename*=UTF-8''{quote(name)}"


async def _rows(request: web.Request, cols: list[Column]):
    from adapters.console import console_of
    from adapters.console.pages import _query
    ctx = console_of(request).ctx
    q = _query(request)
    now = ctx.clock.now()
    keys = {c.key for c in cols}
    tz = ctx.settings.timezone
    async for case in stream_cases(ctx.db, q.flt, sort=q.sort, descending=q.descending):
        row = case_row(case, ctx.registry, ctx.settings, now)
        # what a ledger keeps beyond the list's line (a newcomer found no result, no dates, the
        # words cut at 80 characters): worked out only when asked for
        row["result_name"] = RESULT_NAMES.get(case.result or "", "")
        for key in ("dispatched_at", "resolved_at", "closed_at"):
            at = getattr(case, key)
            row[key] = local(at, tz) if at is not None else ""
        if "description" in keys:
            row["description"] = mask_text(" ".join(case.description.split()), names_of(case))[:DESCRIPTION_CHARS]
        yield row


@guarded()
async def cases_csv(request: web.Request) -> web.StreamResponse:
    cols = columns_of(request)
    response = web.StreamResponse(headers={"Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store",
                                           "Content-Disposition": _filename(request, "csv")})
    rows = _rows(request, cols)
    first = await anext(rows, None)            # a bad filter is a 400 before the response starts
    await response.prepare(request)
    buf = io.StringIO()
    out = csv.writer(buf)
    buf.write("\ufeff")                        # Excel opens UTF-8 CSV as UTF-8 only with a BOM
    out.writerow([c.title for c in cols])
    n = 0
    row: dict[str, Any] | None = first
    while row is not None:
        out.writerow([csv_value(c.value(row)) for c in cols])
        n += 1
        if n % 200 == 0:
            await response.write(buf.getvalue().encode())
            buf.seek(0)
            buf.truncate()
        row = await anext(rows, None)
    await response.write(buf.getvalue().encode())
    await response.write_eof()
    return response


@guarded()
async def cases_xlsx(request: web.Request) -> web.StreamResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    cols = columns_of(request)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("电子台账")
    for i, c in enumerate(cols):
        sheet.column_dimensions[_letter(i)].width = c.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for c in cols:
        cell = WriteOnlyCell(sheet, value=c.title)
        cell.font = bold
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    sheet.append(header)
    n = 0
    async for row in _rows(request, cols):
        sheet.append([as_text(WriteOnlyCell(sheet, value=c.value(row))) for c in cols])
        n += 1
    with tempfile.TemporaryFile() as tmp:
        await asyncio.to_thread(book.save, tmp)
        size = tmp.tell()
        tmp.seek(0)
        response = web.StreamResponse(headers={
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Cache-Control": "no-store", "Content-Disposition": _filename(request, "xlsx"),
            "Content-Length": str(size)})
        await response.prepare(request)
        while chunk := tmp.read(64 * 1024):
            await response.write(chunk)
    await response.write_eof()
    return response


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(i + 1)
