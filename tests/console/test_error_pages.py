"""What staff see when something is wrong: a page in Chinese with the menu and a way back,
never aiohttp's "404: Not Found" nor a message in English; the ledger in Chinese too."""
from __future__ import annotations

import re

import pytest

from jiefen.gateway import make_app
from tests.console.conftest import login, open_case


@pytest.fixture
async def client(aiohttp_client, ctx):
    return await aiohttp_client(make_app(ctx, run_outbox=False))


def no_latin_words(text: str) -> bool:
    body = re.sub(r"<[^>]+>|&\w+;", " ", text)
    return not re.search(r"\b(?:not|unknown|Not Found|Forbidden|Bad Request|is one of|a number)\b", body)


@pytest.mark.parametrize("path, status, says", [
    ("/console/foo", 404, "没有这个页面"),
    ("/console/cases/JF000000-001", 404, "没有这个案件"),
    ("/console/cases?from=2026-13-45", 400, "日期"),
    ("/console/cases?sort=whatever", 400, "排序"),
    ("/console/cases?place=nowhere", 400, "地点"),
])
async def test_errors_are_pages_in_chinese_with_a_way_back(client, ctx, path, status, says):
    await login(client, "centre-qs")
    r = await client.get(path)
    body = await r.text()
    assert r.status == status and says in body and no_latin_words(body), body[:300]
    assert 'href="/console/cases"' in body and "<html" in body


async def test_an_unknown_page_knows_who_is_logged_in(client, ctx):
    """No route reads the session on a path that does not exist: the page offered 登录 to
    someone logged in, and hid their menu."""
    await login(client, "centre-qs")
    body = await (await client.get("/console/nowhere")).text()
    assert 'href="/console/login"' not in body and 'href="/console/dashboard"' in body, body[:600]
    client.session.cookie_jar.clear()
    body = await (await client.get("/console/nowhere")).text()
    assert 'href="/console/login"' in body and 'href="/console/dashboard"' not in body


async def test_the_api_keeps_its_plain_answers(client, ctx):
    await login(client, "centre-qs")
    r = await client.get("/console/api/cases/JF000000-001")
    assert r.status == 404 and "<html" not in await r.text()


async def test_the_ledger_names_changed_fields_in_chinese(client, ctx):
    number = await open_case(ctx, "e1", "DX01")
    async with ctx.uow() as uow:
        store = await uow.cases()
        case = await store.get(number)
        await store.update(case, "test:e1", contact="13998765432", description="新的描述", risk="red",
                           risk_reasons=["暴力或暴力威胁：“打人”"])
    await login(client, "centre-qs")
    body = await (await client.get(f"/console/cases/{number}")).text()
    assert not re.search(r"[a-z_]+(?:、[a-z_]+)* ?已更新", body)
    assert re.search(r"联系电话、情况描述、风险 ?已更新", body)


async def test_a_list_opened_from_the_dashboard_keeps_its_condition_when_refined(client, ctx):
    """"在办" from the dashboard is /console/cases?open=1: the form shows it ticked, so adding a
    type keeps it (the trial got archived cases after ticking 劳动争议)."""
    await login(client, "centre-qs")
    body = await (await client.get("/console/cases?open=1")).text()
    assert re.search(r'<input type="checkbox" name="open" value="1" checked>', body)


async def test_the_list_finds_a_case_by_number_or_code_as_typed(client, ctx):
    number = await open_case(ctx, "n1", "DX01")                        # JF261123-001
    await login(client, "centre-qs")
    digits = number[2:]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)          # ＪＦ２６１１２３－００１
    for typed in (digits, digits.replace("-", ""), number.lower(), digits[:6], full_width):
        body = await (await client.get("/console/cases", params={"number": typed})).text()
        assert number in body and '<b id="total">1</b>' in body, typed


async def test_the_search_takes_each_word(client, ctx):
    """A trial's "工资 厂" found nothing: the box read it as one phrase."""
    from tests.console.conftest import open_case as open_one
    number = await open_one(ctx, "w1", "DX01", "labour", text="在厂里干了三个月，工资一分没拿到")
    await open_one(ctx, "w2", "DX01", "labour", text="工资拖了两个月")
    await login(client, "centre-qs")
    body = await (await client.get("/console/cases", params={"q": "工资 厂"})).text()
    assert number in body and '<b id="total">1</b>' in body


async def test_the_list_finds_a_dispute_code_by_its_place_name(client, ctx):
    number = await open_case(ctx, "c1", "DX01", source="DX01")
    await login(client, "centre-qs")
    for typed in ("DX01", "dx01", "柳林村"):
        body = await (await client.get("/console/cases", params={"code": typed})).text()
        assert number in body and '<b id="total">1</b>' in body, typed


async def test_logging_in_warns_before_the_lock_and_takes_the_id_in_any_case(client, ctx):
    from tests.console.conftest import PASSWORD

    async def attempt(staff_id: str, password: str):
        page = await client.get("/console/login")
        token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
        return await client.post("/console/login", data={"staff_id": staff_id, "password": password, "csrf": token},
                                 allow_redirects=False)
    said = [await (await attempt("gw-liulin", "wrong")).text() for _ in range(4)]
    assert "再错" not in said[0] and "再错2次" in said[2] and "再错1次" in said[3]
    r = await attempt("GW-LIULIN ", PASSWORD)
    assert r.status == 302                                           # the same account, however typed


def test_a_push_to_a_channel_not_run_here_is_not_a_failure_in_the_ledger(ctx):
    """The laptop demo has no WeCom: every dispatch showed "企业微信 第1次：失败"."""
    from adapters.console.views import event_text
    from bot.outbox import NO_CHANNEL
    from storage.models import CaseEvent
    data = {"channel": "wecom_app", "outcome": "failed", "detail": NO_CHANNEL, "attempt": 1, "text": "【新案件】…"}
    said = event_text(CaseEvent(kind="notification", data=data), ctx.registry)
    assert "未配置" in said and "失败" not in said, said
    said = event_text(CaseEvent(kind="notification", data={**data, "detail": "errcode 40014"}), ctx.registry)
    assert "失败" in said, said


async def test_a_fault_on_a_page_is_a_page_in_chinese(client, ctx, monkeypatch, caplog):
    """A trial met "500 Internal Server Error / Server got itself in trouble", in English and
    without the menu, where a page of ours failed: the fault is logged and the page says so."""
    from adapters.console import dashboard

    def broken(*args, **kwargs):
        raise RuntimeError("a fault of ours")
    monkeypatch.setattr(dashboard, "_by_place", broken)
    await login(client, "centre-qs")
    r = await client.get("/console/dashboard")
    body = await r.text()
    assert r.status == 500 and "出错了" in body and no_latin_words(body) and 'href="/console/cases"' in body, body[:300]
    assert "a fault of ours" in caplog.text


async def test_the_console_without_its_slash_leads_to_its_home(client, ctx):
    resp = await client.get("/console", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/console/"
    await login(client, "centre-qs")
    resp = await client.get("/console")
    assert resp.status == 200 and resp.url.path != "/console/login"
