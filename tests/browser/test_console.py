"""The centre's console in a real browser (issue 12): log in and out; a town cannot open another
town's case by URL or API; the life of a case walked without WeCom (a resident reports in the
web chat, the centre filters, opens and assigns, the assignee resolves, and the resident's open
page receives the word); the ledger export downloads and opens; the dashboard draws."""
from __future__ import annotations

import asyncio
import io

import openpyxl
import pytest

from jiefen.gateway import make_app
from tests.browser.conftest import PHONE
from tests.browser.test_web_chat import say
from tests.console.conftest import PASSWORD, give_passwords, open_case

LAPTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
REPORT = "我是柳林村的，楼上那家天天半夜拖椅子，吵得老人睡不着"


@pytest.fixture
async def site(ctx, aiohttp_server):
    await give_passwords(ctx)
    server = await aiohttp_server(make_app(ctx, run_outbox=False))
    return f"http://127.0.0.1:{server.port}"


@pytest.fixture
async def browser(browser, aiohttp_server):
    """Every context closed when the test ends, passed or not, before the test server stops (an
    open page's live stream or web-chat socket would otherwise hold its shutdown)."""
    made = []
    original = browser.new_context

    async def new_context(**kw):
        c = await original(**kw)
        made.append(c)
        return c
    browser.new_context = new_context
    yield browser
    browser.new_context = original
    errors = [e for c in made for e in getattr(c, "script_errors", [])]
    for c in made:
        await c.close()
    assert errors == []                                            # no script failed on any page


async def until(page, expression: str, seconds: float = 10.0) -> None:
    """Wait for a page expression to hold (Playwright's wait_for_function evaluates a string,
    which the console's CSP forbids: script-src 'self', no eval)."""
    for _ in range(int(seconds * 10)):
        if await page.evaluate(expression):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{expression} did not hold within {seconds} s on {page.url}")


async def log_in(browser, site, who: str, screen: dict | None = None):
    context = await browser.new_context(**(screen or LAPTOP), accept_downloads=True)
    page = await context.new_page()
    errors = context.script_errors = []                           # looked at when the test ends
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    await page.goto(site + "/console/")
    await page.fill("input[name=staff_id]", who)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form button")
    await page.wait_for_selector("header.top")
    return context, page


async def test_log_in_and_out_and_a_wrong_password(browser, site, shots):
    context = await browser.new_context(**LAPTOP)
    page = await context.new_page()
    await page.goto(site + "/console/cases")
    assert "/console/login" in page.url
    await page.fill("input[name=staff_id]", "med-dx")
    await page.fill("input[name=password]", "not-the-password")
    await page.click("form button")
    assert "账号或密码不正确" in await page.inner_text("body")
    await page.screenshot(path=str(shots / "console-login-wrong.png"))
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form button")
    await page.wait_for_url("**/console/cases")                  # back where they were going
    assert "刘德明" in await page.inner_text("header.top")
    await page.click("header.top .logout button")
    await page.wait_for_url("**/console/login")
    await page.goto(site + "/console/cases")
    assert "/console/login" in page.url                           # the session is gone
    await context.close()


async def test_a_town_cannot_open_another_towns_case_by_url_or_api(browser, site, ctx, shots):
    number = await open_case(ctx, "b1", "DX01")
    context, page = await log_in(browser, site, "med-nh")
    response = await page.goto(f"{site}/console/cases/{number}")
    assert response.status == 404 and "没有这个案件" in await page.inner_text("body")
    api = await page.request.get(f"{site}/console/api/cases/{number}")
    assert api.status == 404
    await page.goto(site + "/console/cases")
    assert number not in await page.inner_text("#list")
    await context.close()


async def test_a_case_walked_from_the_web_chat_to_its_result(browser, site, ctx, shots):
    resident = await browser.new_context(**PHONE)
    chat = await resident.new_page()
    await chat.goto(site + "/")
    await chat.wait_for_selector(".row.bot")
    reply = await say(chat, REPORT)
    for _ in range(3):
        if "请核对" in reply:
            break
        reply = await say(chat, "跳过")
    reply = await say(chat, "确认")
    import re
    number = re.search(r"JF\d{6}-\d{3}", reply).group(0)

    staff, page = await log_in(browser, site, "centre-qs")
    assert "/console/dashboard" in page.url                      # the centre starts on the figures
    await until(page, "document.body.dataset.charts === '4'")
    await page.screenshot(path=str(shots / "console-dashboard.png"), full_page=True)
    await page.click("nav >> text=案件")
    await page.select_option("select[name=place]", "DX")
    await page.fill("input[name=q]", "拖椅子")
    await page.check("input[name=channel][value=web]")
    await page.click("#filters button.primary")
    await page.wait_for_url("**place=DX**")
    assert "channel=web" in page.url and "q=" in page.url          # the filter travels in the URL
    await page.screenshot(path=str(shots / "console-cases.png"))
    await page.click(f"a[href='/console/cases/{number}']")
    await page.wait_for_selector("#act-assign .people input[value=med-dx]")
    await page.check("#act-assign .people input[value=med-dx]")
    await page.click("#act-assign button")
    await page.wait_for_selector("#flash")
    assert "刘德明" in await page.inner_text(".col-side")
    await page.fill("#act-resolve textarea", "双方当面协商，楼上答应晚十点后不再拖动桌椅")
    await page.click("#act-resolve button")
    await page.wait_for_selector("#flash")
    assert "已化解" in await page.inner_text(".case-head")
    await page.screenshot(path=str(shots / "console-case.png"), full_page=True)

    for _ in range(40):                                           # the outbox delivers to the open page
        await ctx.outbox.run_once()
        if await chat.locator(".row.push").count() >= 2:
            break
        await asyncio.sleep(0.1)
    pushed = await chat.locator(".row.push .msg").all_inner_texts()
    assert "已分派给东溪镇的调解员" in pushed[0]
    told = pushed[-1]
    assert "楼上答应晚十点后不再拖动桌椅" in told
    await chat.screenshot(path=str(shots / "console-resident-told.png"), full_page=True)

    await page.goto(site + f"/console/cases?number={number}")
    async with page.expect_download() as info:
        await page.click("#xlsx")
    download = await info.value
    book = openpyxl.load_workbook(io.BytesIO(open(await download.path(), "rb").read()))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][0] == number and "已化解" in rows[1]
    await staff.close()
    await resident.close()


async def test_the_dashboard_and_the_list_follow_a_new_case_live(browser, site, ctx, shots):
    context, page = await log_in(browser, site, "med-dx")
    await until(page, "document.body.dataset.charts === '4'")
    received = page.locator("#headline [data-key=received] .n")
    assert await received.inner_text() == "0"
    await open_case(ctx, "live-b1", "DX02", "labour")             # a report arrives through any worker
    await until(page, "document.body.dataset.refreshed === '1'")
    assert await page.locator("#headline [data-key=received] .n").inner_text() == "1"
    bars = await page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-type'))"
                               ".getOption().series[0].data")
    assert bars == [1]                                            # the charts are redrawn too
    listing = await context.new_page()
    await listing.goto(site + "/console/cases")
    await listing.wait_for_timeout(300)                           # its stream is open
    number = await open_case(ctx, "live-b2", "DX01")
    await until(listing, "document.getElementById('list').dataset.refreshed === '1'")
    assert number in await listing.inner_text("#list")
    assert await listing.locator("#live-note").is_visible()
    await open_case(ctx, "live-b3", "NH01")                       # another town's case: nothing to redraw
    await listing.wait_for_timeout(800)
    assert await listing.evaluate("document.getElementById('list').dataset.refreshed") == "1"


@pytest.mark.parametrize("who", ["centre-qs", "gw-liulin"])
async def test_the_console_fits_a_phone(browser, site, ctx, shots, who):
    """A grid worker opens the console on a phone: no page wider than the screen, the menu on
    one line, the filters folded away (more on a tap), badges not broken over two lines."""
    number = await open_case(ctx, "m1", "DX01")
    context, page = await log_in(browser, site, who, PHONE)
    pages = ["/console/cases", f"/console/cases/{number}"] + (["/console/dashboard"] if who == "centre-qs" else [])
    for path in pages:
        await page.goto(site + path)
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390, path
        await page.screenshot(path=str(shots / f"phone-{who}-{path.strip('/').replace('/', '-')}.png"))
    # the case's 办理 panel before its ledger (a newcomer found it 4,900 px down, after the whole ledger)
    await page.goto(site + f"/console/cases/{number}")
    tops = await page.evaluate("['.actions', '.ledger'].map(s => document.querySelector(s).getBoundingClientRect().top)")
    assert tops[0] < tops[1], tops
    await page.goto(site + "/console/cases")
    heights = await page.evaluate("[...document.querySelectorAll('nav a, .risk, .status')].map(e => e.offsetHeight)")
    assert max(heights) < 40, heights                               # one line each
    assert not await page.is_visible("input[name=type]")
    await page.click("#more-filters summary")
    assert await page.is_visible("input[name=type]")


async def test_the_heat_map_labels_fit_a_phone(browser, site, ctx, shots):
    """Sixteen types across a phone's width: the type names stand upright, each within its
    column (at 40 degrees they ran into each other)."""
    types = ["labour", "neighbour", "marriage_family", "property_mgmt", "other", "debt", "land_forest",
             "consumer", "contract", "homestead_housing", "damages", "environment", "traffic", "land_acquisition",
             "medical", "business"]
    for i, t in enumerate(types):
        await open_case(ctx, f"heat{i}", "DX01" if i % 2 else "DX02", t)
    context, page = await log_in(browser, site, "centre-qs", PHONE)
    await page.goto(site + "/console/dashboard")
    await until(page, "document.body.dataset.charts === '4'")
    got = await page.evaluate("""(() => {
        const node = document.getElementById('chart-heat');
        const o = echarts.getInstanceByDom(node).getOption();
        const g = o.grid[0], x = o.xAxis[0];
        return {rotate: x.axisLabel.rotate, font: x.axisLabel.fontSize || 12, n: x.data.length,
                column: (node.clientWidth - g.left - g.right) / x.data.length};
    })()""")
    assert got["n"] == 16 and got["rotate"] == 90 and got["font"] * 1.2 <= got["column"], got
    await page.locator("#chart-heat").screenshot(path=str(shots / "phone-heat-map.png"))
    await context.close()
