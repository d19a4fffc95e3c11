"""The weekly bulletin and the monthly report: the last whole week or month (or the one holding
?at=), against the one before; every dispute type, and the fifteen lines of the people's
mediation statistics; the XLSX opens with openpyxl and says what
the page says."""
from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select

from tests.console.conftest import login, open_case
from tests.console.test_dashboard import history


async def test_the_monthly_report_page_and_its_workbook(client, ctx, clock):
    await history(ctx, clock)                        # November: 25 cases, October: 14; today 1 December
    await login(client, "centre-qs")
    page = await client.get("/console/reports/monthly")
    html = await page.text()
    assert page.status == 200 and "青山县" in html and "月督办通报" in html
    assert "2026-11-01 至 2026-11-30" in html and "上期 2026-10-01 至 2026-10-31" in html
    r = await client.get("/console/reports/monthly.xlsx")
    assert r.status == 200
    book = openpyxl.load_workbook(io.BytesIO(await r.read()))
    assert book.sheetnames == ["概况", "按类型", "十五类", "按地区", "解纷码", "红牌督办"]
    summary = {row[0]: row[1:] for row in book["概况"].iter_rows(min_row=4, values_only=True)}
    assert summary["受理"][:2] == (25, 14) and summary["办结"][0] == 9 and summary["终止或撤回"][0] == 2
    types = [row for row in book["按类型"].iter_rows(min_row=4, values_only=True)]
    assert len(types) == 16 and dict((t[0], t[1]) for t in types)["劳动争议"] == 5     # every type, zeros too
    standard = [row for row in book["十五类"].iter_rows(min_row=4, values_only=True) if row[1] is not None]
    assert [r[0] for r in standard][:4] == ["婚姻家庭纠纷", "邻里纠纷", "房屋宅基地纠纷", "合同纠纷"]
    assert len(standard) == 15 and standard[-1][0] == "其他纠纷"
    assert sum(r[1] for r in standard) == 25 and sum(r[2] for r in standard) == 14       # every case on one line
    by_line = {r[0]: r for r in standard}
    assert by_line["合同纠纷"][2] == 4 and by_line["劳动争议纠纷"][1] == 5                # October's debts are contracts
    assert "人民调解统计十五类" in html and "债务借贷计入合同纠纷" in html
    places = {row[0]: row for row in book["按地区"].iter_rows(min_row=4, values_only=True)}
    assert places["东溪镇"][1] == 17 and places["南湖街道"][1] == 8
    assert sum(p[6] for p in places.values()) == 2 and sum(p[7] for p in places.values()) == 2   # overdue, red card now
    assert [row[0] for row in book["红牌督办"].iter_rows(min_row=4, values_only=True)] != []
    satisfaction = summary.get("满意度")
    assert isinstance(satisfaction[0], (int, float)), \
        satisfaction                                       # a number Excel can average, not the text "4.43"
    cell = next(r[1] for r in book["概况"].iter_rows(min_row=4) if r[0].value == "满意度")
    assert "%" not in cell.number_format, cell.number_format          # 4.00, not 400.0%
    assert "制表时间 2026-12-01 09:00" in book["概况"]["A2"].value and "截至制表时（2026-12-01 09:00）" in html
    rates = [row[5] for row in book["按类型"].iter_rows(min_row=4, values_only=True)]
    assert any(isinstance(r, float) and 0 <= r <= 1 for r in rates), rates     # numbers, shown as percentages
    assert "filename*=UTF-8''" in r.headers["Content-Disposition"] and "%E6%9C%88%E6%8A%A5" in r.headers["Content-Disposition"]
    assert "在办 在办" not in html


async def test_a_weekly_bulletin_for_the_week_of_a_day_and_a_town(client, ctx, clock):
    await history(ctx, clock)
    await login(client, "med-dx")
    page = await client.get("/console/reports/weekly?at=2026-11-18")
    html = await page.text()
    assert page.status == 200 and "东溪镇矛盾纠纷化解周通报" in html
    assert "2026-11-16 至 2026-11-22" in html and "上期 2026-11-09 至 2026-11-15" in html
    assert (await client.get("/console/reports/weekly?at=18-11-2026")).status == 400
    assert (await client.get("/console/reports/weekly?place=NH")).status == 404


def test_every_dispute_type_is_counted_on_exactly_one_line_of_the_statistics():
    from bot.standard_types import STANDARD_TYPES
    from storage.lifecycle import CASE_TYPES
    assert len(STANDARD_TYPES) == 15 and STANDARD_TYPES[-1][0] == "其他纠纷"
    assert sorted(t for _, ours in STANDARD_TYPES for t in ours) == sorted(CASE_TYPES)
    assert dict(STANDARD_TYPES)["合同纠纷"] == ("contract", "debt")


async def test_a_bulletin_names_every_case_under_a_red_card(client, ctx, clock):
    """A supervision bulletin listed the first 30 of 34 red-carded cases."""
    from storage.models import Case
    numbers = [await open_case(ctx, f"rc{i}", "DX01") for i in range(33)]
    async with ctx.db.session() as s:
        for case in (await s.scalars(select(Case).where(Case.number.in_(numbers)))).all():
            case.red_card_at = clock.now()
    await login(client, "centre-qs")
    html = await (await client.get("/console/reports/weekly")).text()
    assert "红牌督办案件（33 件）" in html and all(n in html for n in numbers)
    book = openpyxl.load_workbook(io.BytesIO(await (await client.get("/console/reports/weekly.xlsx")).read()))
    assert len([r for r in book["红牌督办"].iter_rows(min_row=4, values_only=True) if r[0]]) == 33
