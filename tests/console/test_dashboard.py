"""The dashboard's figures equal counts computed from the cases in the database, and every
figure's link opens a case list of exactly that many cases; a type rising in one village shows
on the heat map; a town sees its own area."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from storage.models import Case
from tests.console.conftest import login, open_case

CN = ZoneInfo("Asia/Shanghai")
PERIOD = "from=2026-11-01&to=2026-11-30"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CN).astimezone(UTC)


async def history(ctx, clock) -> None:
    """October (the previous period) and November: places, types, channels, codes; some resolved,
    closed and rated, one ended and one withdrawn, one overdue, one under a red card, a labour rise in 石桥村."""
    spots = [("DX01", "neighbour", "web", "DX01"), ("DX02", "land_forest", "wechat_mp", ""), ("NH01", "property_mgmt",
             "wechat_mp", "NH01"), ("NH03", "marriage_family", "web", ""), ("DX01-G1", "neighbour", "wecom_bot", "")]
    clock.set(local(2026, 10, 12, 9, 0))
    await open_case(ctx, "o1", "DX03", "labour")
    for i, spot in enumerate(spots):
        await open_case(ctx, f"o{i + 2}", spot[0], spot[1], channel=spot[2], source=spot[3])
    for i in range(8):                                   # a comparable previous period (no rise from nothing)
        await open_case(ctx, f"p{i}", "NH02-G1", "debt" if i % 2 else "consumer", channel="web")
    numbers = []
    for i in range(20):
        clock.set(local(2026, 11, 2 + i, 10, 30))
        place, kind, channel, code = spots[i % len(spots)]
        numbers.append(await open_case(ctx, f"n{i}", place, kind, channel=channel, source=code,
                                       risk="yellow" if i % 7 == 0 else "green"))
    for i in range(5):                                   # 石桥村: labour 1 → 5
        clock.set(local(2026, 11, 20 + i, 15, 0))
        await open_case(ctx, f"l{i}", "DX03-G1", "labour", channel="web")
    clock.set(local(2026, 11, 29, 16, 0))
    async with ctx.uow() as uow:
        store = await uow.cases()
        for i, number in enumerate(numbers):
            case = await store.get_for_update(number)
            if i % 3 == 0:
                await store.transition(case, "mediating", "t")
                await store.transition(case, "resolved", "t")
                if i % 2 == 0:
                    await store.update(case, "t", satisfaction=5 if i % 4 == 0 else 3)
                    await store.transition(case, "closed", "t")
            elif i == 1:                                 # the mediation ended: concluded, not 化解
                await store.transition(case, "resolved", "t", result="ended")
            elif i == 2:                                 # withdrawn and archived: not 化解 either
                await store.transition(case, "resolved", "t", result="withdrawn")
                await store.transition(case, "closed", "t")
            elif i == 4:
                case.overdue_since = clock.now()
            elif i == 5:
                case.overdue_since = case.red_card_at = clock.now()
            elif i == 7:                                 # red-carded, escalated: its new clocks not past yet
                case.red_card_at = clock.now()
    clock.set(local(2026, 12, 1, 9, 0))


async def list_total(client, link: str) -> int:
    """What the case list behind a link counts (its JSON twin)."""
    parts = urlsplit(link)
    assert parts.path == "/console/cases", link
    r = await client.get("/console/api/cases", params=parse_qsl(parts.query))
    assert r.status == 200, link
    return (await r.json())["total"]


async def db_count(ctx, *where) -> int:
    async with ctx.db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(Case).where(*where)))


async def test_satisfaction_links_to_the_cases_rated(client, ctx, clock):
    """满意度 opens the cases whose residents rated them (not every closed case: a case closed
    without a rating has no say in it)."""
    await history(ctx, clock)
    start, end = local(2026, 11, 1), local(2026, 12, 1)
    async with ctx.db.session() as s:
        number = await s.scalar(select(Case.number).where(Case.status == "resolved", Case.created_at >= start,
                                                          Case.created_at < end).limit(1))
    async with ctx.uow() as uow:                        # one resolved case closed without a rating
        store = await uow.cases()
        await store.transition(await store.get_for_update(number), "closed", "t")
    await login(client, "centre-qs")
    d = await (await client.get(f"/console/api/dashboard?{PERIOD}")).json()
    sat = {k["key"]: k for k in d["headline"]}["satisfaction"]
    rated = await db_count(ctx, Case.created_at >= start, Case.created_at < end, Case.satisfaction.is_not(None))
    closed = await db_count(ctx, Case.created_at >= start, Case.created_at < end, Case.status == "closed")
    assert 0 < rated < closed
    assert await list_total(client, sat["link"]) == rated and sat["note"] == f"{rated}人评价"


async def test_every_figure_equals_the_database_and_its_case_list(client, ctx, clock):
    await history(ctx, clock)
    await login(client, "centre-qs")
    d = await (await client.get(f"/console/api/dashboard?{PERIOD}")).json()
    start, end = local(2026, 11, 1), local(2026, 12, 1)
    in_period = (Case.created_at >= start, Case.created_at < end)
    figures = {k["key"]: k for k in d["headline"] + d["now"]}
    assert figures["received"]["value"] == await db_count(ctx, *in_period) == 25
    assert figures["received"]["before"] == await db_count(ctx, Case.created_at < start) == 14
    concluded = Case.status.in_(("resolved", "closed"))
    assert figures["resolved"]["value"] == await db_count(ctx, *in_period, concluded, Case.result == "settled") == 7
    assert figures["unsettled"]["value"] == await db_count(ctx, *in_period, concluded, Case.result != "settled") == 2
    # 办结: a result, settled or not (the archived among them are a note)
    assert figures["concluded"]["value"] == await db_count(ctx, *in_period, concluded) == 9
    assert figures["concluded"]["note"] == f"其中已归档 {await db_count(ctx, *in_period, Case.status == 'closed')}" == "其中已归档 5"
    assert figures["completion_rate"]["value"] == f"{9 / 25 * 100:.1f}%"
    assert figures["success_rate"]["value"] == f"{7 / 25 * 100:.1f}%"
    assert figures["satisfaction"]["value"] == "4.00"
    open_now = ("received", "dispatched", "mediating", "escalated")
    assert figures["open"]["value"] == await db_count(ctx, Case.status.in_(open_now))
    assert figures["overdue"]["value"] == await db_count(ctx, Case.status.in_(open_now),
                                                         Case.overdue_since.is_not(None)) == 2
    assert figures["red_card"]["value"] == await db_count(ctx, Case.red_card_at.is_not(None)) == 2
    assert figures["red"]["value"] == await db_count(ctx, Case.status.in_(open_now), Case.risk == "red")
    # 待分派: the cases nobody has been given yet (a newcomer found them nowhere on the page)
    assert figures["to_dispatch"]["value"] == await db_count(ctx, Case.status == "received")
    for k in d["headline"] + d["now"]:                   # every count's drill-down lists as many cases
        if isinstance(k["value"], int):
            assert await list_total(client, k["link"]) == k["value"], k["key"]
    for table in ("by_type", "by_place", "by_channel", "codes"):
        assert d[table], table
        for row in d[table]:
            if row["link"]:
                assert await list_total(client, row["link"]) == row["cases"], (table, row["name"])
                assert await list_total(client, row["resolved_link"]) == row["resolved"], (table, row["name"])
    for key in ("red", "yellow", "carded", "escalated"):       # the board's totals link to their whole lists
        assert await list_total(client, d["board"]["links"][key]) == d["board"][f"{key}_total"], key
    for row in d["by_type"] + [r for r in d["by_place"] if r.get("open_link")]:   # 在办, 超期 of the period's cases
        assert await list_total(client, row["open_link"]) == row["open"], row["name"]
        assert await list_total(client, row["overdue_link"]) == row["overdue"], row["name"]
    assert sum(r["overdue"] for r in d["by_type"]) == 2
    by_type = {r["key"]: r["cases"] for r in d["by_type"]}
    assert by_type["labour"] == await db_count(ctx, *in_period, Case.type == "labour") == 5
    assert sum(r["cases"] for r in d["by_place"]) == 25
    codes = {r["key"]: r for r in d["codes"]}
    assert codes["DX01"]["cases"] == await db_count(ctx, *in_period, Case.source == "DX01") == 4
    heat = d["heat"]
    assert sum(c["value"] for c in heat["cells"]) == 25              # every case of the period is on the map
    for c in heat["cells"]:
        if c["value"]:
            assert await list_total(client, c["link"]) == c["value"]
    assert {"place": "东溪镇石桥村", "type": "劳动争议", "now": 5, "before": 1} in \
        [{k: r[k] for k in ("place", "type", "now", "before")} for r in heat["rises"]]
    assert d["times"]["result_median_days"] is not None and d["times"]["dispatched"] > 0
    page = await client.get(f"/console/dashboard?{PERIOD}")
    html = await page.text()
    assert page.status == 200 and 'id="chart-heat"' in html and "/console/static/echarts.min.js" in html


async def test_a_town_reads_its_own_area(client, ctx, clock):
    await history(ctx, clock)
    await login(client, "med-dx")
    d = await (await client.get(f"/console/api/dashboard?{PERIOD}")).json()
    dx = [c for c, p in ctx.registry.places.items() if c == "DX" or c.startswith("DX")]
    start, end = local(2026, 11, 1), local(2026, 12, 1)
    received = next(k for k in d["headline"] if k["key"] == "received")
    assert d["area"] == "DX" and received["value"] == \
        await db_count(ctx, Case.created_at >= start, Case.created_at < end, Case.place_code.in_(dx)) == 17
    assert await list_total(client, received["link"]) == 17
    assert {r["key"] for r in d["by_place"]} == {"DX01", "DX02", "DX03"}
    assert d["heat"]["place_codes"] == ["DX01", "DX02", "DX03"]
    assert (await client.get(f"/console/api/dashboard?{PERIOD}&place=DX01")).status == 200   # a village of it


async def test_every_places_dashboard_page_opens(client, ctx, clock):
    """A trial's village dashboards (/console/dashboard?place=DX03) were a 500 in English: the
    place's own row had no links to its open and overdue cases. Every place's page opens."""
    await history(ctx, clock)
    await login(client, "centre-qs")
    for code in sorted(ctx.registry.places):
        r = await client.get(f"/console/dashboard?{PERIOD}&place={code}")
        assert r.status == 200, (code, r.status, (await r.text())[:200])


async def test_the_period_choices(client, ctx, clock):
    clock.set(local(2026, 11, 18, 10, 0))
    await login(client, "lead-duty")
    for period, since in (("7", "2026-11-12"), ("30", "2026-10-20"), ("week", "2026-11-16"), ("month", "2026-11-01"),
                          ("quarter", "2026-10-01"), ("365", "2025-11-19")):
        d = await (await client.get(f"/console/api/dashboard?period={period}")).json()
        assert (d["period"]["from"], d["period"]["to"]) == (since, "2026-11-18"), period
    # this month and this quarter so far are compared with the same days of the month / quarter before
    for period, before in (("month", ("2026-10-01", "2026-10-18")), ("quarter", ("2026-07-01", "2026-08-18")),
                           ("7", ("2026-11-05", "2026-11-11")), ("week", ("2026-11-09", "2026-11-11"))):
        d = await (await client.get(f"/console/api/dashboard?period={period}")).json()
        assert (d["period"]["previous"]["from"], d["period"]["previous"]["to"]) == before, period
    for bad in ("from=2026-13-01", "from=2026-11-10&to=2026-11-01"):
        assert (await client.get(f"/console/api/dashboard?{bad}")).status == 400
    # a range ending after today is kept (what falls due later counts), and says so
    d = await (await client.get("/console/api/dashboard?from=2026-11-10&to=2026-12-31")).json()
    assert (d["period"]["from"], d["period"]["to"]) == ("2026-11-10", "2026-12-31") and "今天" in d["period"]["notice"]


@pytest.mark.parametrize("query, shown, says", [
    ("from=2026-11-10&to=2026-11-01", ("2026-11-01", "2026-11-10"), "开始日期晚于结束日期，已对调"),
    ("from=2026-13-01", ("2026-10-20", "2026-11-18"), "没有看懂"),
    ("from=2026-12-01&to=2026-12-20", ("2026-12-01", "2026-12-20"), "以后的日子还没有案件"),
    ("from=2001-01-01&to=2026-11-18", ("2016-11-10", "2026-11-18"), "最长十年"),
    ("from=2026-01-01&to=9999-12-31", ("2026-10-20", "2026-11-18"), "超出范围"),      # were 500s
    ("from=0001-01-01&to=0001-12-31", ("2026-10-20", "2026-11-18"), "超出范围"),
])
async def test_the_page_shows_a_mistyped_period_as_meant_and_says_so(client, ctx, clock, query, shown, says):
    """A trial turned the range round on the dashboard and got a bare "起止日期有误。" in plain
    text, without the menu or the form to put it right."""
    clock.set(local(2026, 11, 18, 10, 0))
    await login(client, "lead-duty")
    r = await client.get(f"/console/dashboard?{query}")
    body = await r.text()
    assert r.status == 200 and says in body and f"{shown[0]} 至 {shown[1]}" in body, body[:400]
    assert 'id="dash-form"' in body


async def test_periods_across_months_read_whole_months_and_days_alike(client, ctx, clock):
    """A year reads months' kept rows and the days of the months it covers in part: the same
    counts as the days would give, and as the database."""
    await history(ctx, clock)
    await login(client, "centre-qs")
    for since, until in (("2026-10-12", "2026-11-20"), ("2026-10-01", "2026-11-30"), ("2025-12-01", "2026-11-30"),
                         ("2026-10-13", "2026-11-01")):
        d = await (await client.get(f"/console/api/dashboard?from={since}&to={until}")).json()
        y, m, dd = map(int, until.split("-"))
        start = local(*map(int, since.split("-")))
        end = local(y, m, dd) + timedelta(days=1)
        received = next(k for k in d["headline"] if k["key"] == "received")
        assert received["value"] == await db_count(ctx, Case.created_at >= start, Case.created_at < end), since
        assert sum(d["trend"]["received"]) == received["value"], since           # the trend adds up too
        assert sum(r["cases"] for r in d["by_type"]) == received["value"]


@pytest.mark.parametrize("path", ["/console/api/dashboard?from=0001-01-01&to=0001-12-31",
                                  "/console/reports/weekly?place=QS&at=0001-01-01",
                                  "/console/reports/monthly?at=9999-12-31", "/console/reports/weekly.xlsx?at=9999-12-31"])
async def test_days_out_of_range_are_refused_not_a_500(client, ctx, clock, path):
    clock.set(local(2026, 11, 18, 10, 0))
    await login(client, "centre-qs")
    assert (await client.get(path)).status == 400


async def test_the_clocks_run_without_wecom_and_the_figures_count_what_is_overdue(aiohttp_client, ctx, clock):
    """The laptop demo (no WeCom): a case past its dispatch deadline said 已超期 on its page and
    nowhere in the figures, because the clocks ran only with WeCom."""
    from jiefen.gateway import SCHEDULER_KEY, make_app
    assert not ctx.settings.wecom_corpid
    clock.set(local(2026, 11, 2, 10, 0))
    await open_case(ctx, "late1", "DX01")
    app = make_app(ctx, run_outbox=False)
    scheduler = app[SCHEDULER_KEY]
    clock.set(local(2026, 11, 6, 10, 0))                  # a working day and more after it came in
    await scheduler.run_once()
    assert await db_count(ctx, Case.overdue_since.is_not(None)) == 1
    client = await aiohttp_client(app)
    await login(client, "centre-qs")
    d = await (await client.get("/console/api/dashboard?from=2026-11-01&to=2026-11-30")).json()
    assert {k["key"]: k for k in d["now"]}["overdue"]["value"] == 1


async def test_a_villages_map_and_table_hold_the_cases_filed_at_the_village_itself(client, ctx, clock):
    """A trial's 柳林村 heat map summed 390 of 527 cases (the village's own were left off), and
    its 本级 row said 上期 0 against 8."""
    clock.set(local(2026, 10, 12, 9, 0))
    for i in range(3):
        await open_case(ctx, f"v-before{i}", "DX01", "neighbour")
    clock.set(local(2026, 11, 12, 9, 0))
    for i in range(2):
        await open_case(ctx, f"v-own{i}", "DX01", "neighbour")
    await open_case(ctx, "v-grid", "DX01-G1", "labour")
    clock.set(local(2026, 12, 1, 9, 0))
    await login(client, "centre-qs")
    d = await (await client.get(f"/console/api/dashboard?{PERIOD}&place=DX01")).json()
    assert sum(c["value"] for c in d["heat"]["cells"]) == 3 == {k["key"]: k for k in d["headline"]}["received"]["value"]
    assert "柳林村（本级）" in d["heat"]["places"]
    own = next(r for r in d["by_place"] if r["name"].endswith("（本级）"))
    assert (own["cases"], own["before"]) == (2, 3), own


def test_a_change_on_a_small_base_is_told_in_cases_not_percent():
    """A trial's village dashboard said "上期 2（+26250%）"."""
    from adapters.console.dashboard import _change
    assert _change(527, 2)["text"] == "+525件" and _change(1, 3)["text"] == "-2件"
    assert _change(0, 0)["text"] == "—" and _change(5, 0)["text"] == "新增"
    assert _change(30, 20)["text"] == "+50%"


def test_the_centre_is_told_when_next_years_holidays_are_not_known():
    from datetime import date

    from adapters.console.dashboard import calendar_notice
    from bot import clocks
    if clocks.calendar_known(2027):
        pytest.skip("the installed chinesecalendar knows 2027")
    assert "2027年" in calendar_notice(date(2026, 12, 5)) and calendar_notice(date(2026, 6, 5)) == ""
