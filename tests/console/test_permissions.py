"""Every console route against every kind of visitor: anonymous (the log-in page, or 401 for the
API and any POST), the wrong place (404: the case or area does not exist for them), the wrong
role (403), no CSRF token (403); and no route shows a full phone number or name to anyone
outside the case."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from jiefen.gateway import make_app
from storage.lifecycle import EventKind
from tests.console.conftest import PEOPLE, PHONE, login, open_case
from tests.staff.helpers import events_of

# what each route is for: public, staff (anyone logged in), case (a case in one's scope), desk
# (the centre, mediators and the leader on duty, for an area in their scope); desk_index: theirs, with
# no area of its own (the reports' chooser)
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/console"): "public", ("GET", "/console/login"): "public", ("POST", "/console/login"): "public",
    ("GET", "/console/static/{name}"): "public",
    ("POST", "/console/logout"): "staff", ("GET", "/console/"): "staff", ("GET", "/console/cases"): "staff",
    ("GET", "/console/cases.csv"): "staff", ("GET", "/console/cases.xlsx"): "staff",
    ("GET", "/console/api/cases"): "staff", ("GET", "/console/api/live"): "staff",
    ("GET", "/console/cases/{number}"): "case", ("POST", "/console/cases/{number}/act"): "case",
    ("POST", "/console/cases/{number}/contact"): "case", ("GET", "/console/api/cases/{number}"): "case",
    ("GET", "/console/api/cases/{number}/people"): "case",
    ("GET", "/console/dashboard"): "desk", ("GET", "/console/api/dashboard"): "desk",
    ("GET", "/console/reports"): "desk_index", ("GET", "/console/reports/{kind}"): "desk",
    ("GET", "/console/reports/{kind}.xlsx"): "desk", ("GET", "/console/posters.zip"): "desk",
}
API = ("/console/api/", "/contact")


def console_routes(app) -> set[tuple[str, str]]:
    out = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if path.startswith("/console") and route.method != "HEAD":
            out.add((route.method, path.replace("{kind:weekly|monthly}", "{kind}")))
    return out


def concrete(path: str, number: str, town: str = "DX") -> str:
    return (path.replace("{number}", number).replace("{kind}", "weekly").replace("{town}", town)
            .replace("{name}", "console.css"))


@pytest.fixture
async def dx_case(ctx):
    return await open_case(ctx, "p1", "DX01", text="楼上天天半夜拖椅子，我老婆电话13900001111也打不通")


async def test_every_console_route_has_a_rule_here(client):
    assert console_routes(client.server.app) == set(ROUTES)


async def test_anonymous_visitors_go_to_the_log_in_page_or_get_401(client, dx_case):
    for (method, path), kind in ROUTES.items():
        if kind == "public":
            continue
        url = concrete(path, dx_case)
        r = await client.request(method, url, allow_redirects=False)
        if method == "GET" and not any(a in path for a in API):
            assert r.status == 302, (method, url, r.status)
            target = urlsplit(r.headers["Location"])
            assert target.path == "/console/login" and parse_qs(target.query)["next"] == [url], url
        else:
            assert r.status == 401, (method, url, r.status)


async def _call(client, method: str, url: str, csrf: str):
    if method == "POST":
        return await client.post(url, data={"csrf": csrf, "action": "progress", "note": "看过了"},
                                 allow_redirects=False)
    if url.endswith("/api/live"):
        return await client.get(url, timeout=2)
    return await client.get(url, allow_redirects=False)


async def test_a_case_in_another_town_does_not_exist_for_them(client, ctx, dx_case):
    csrf = await login(client, "med-nh")                        # 南湖街道's mediator
    for (method, path), kind in ROUTES.items():
        if kind == "case":
            r = await _call(client, method, concrete(path, dx_case), csrf)
            assert r.status == 404, (method, path, r.status)
            assert dx_case not in await r.text()
    lists = ["/console/cases", "/console/api/cases", "/console/cases.csv", "/console/cases?place=DX",
             f"/console/api/cases?number={dx_case}"]
    for url in lists:
        r = await client.get(url)
        body = await r.text()
        assert r.status in (200, 400), url
        for shown in (f"/console/cases/{dx_case}", f'"{dx_case}"', f"\n{dx_case},"):    # a link, JSON, a CSV row
            assert shown not in body, url
    assert len(await events_of(ctx, dx_case, EventKind.PROGRESS)) == 0        # and nothing was done to it


async def test_an_area_outside_ones_own_is_404_on_every_desk_route(client, dx_case):
    await login(client, "med-nh")
    for (_method, path), kind in ROUTES.items():
        if kind == "desk":
            url = concrete(path, dx_case)
            url += ("&" if "?" in url else "?") + "place=DX" if "{town}" not in path else ""
            r = await client.get(url, allow_redirects=False)
            assert r.status == 404, (url, r.status)


async def test_their_own_town_is_open_to_them(client, dx_case):
    await login(client, "med-dx")
    for (method, path), kind in ROUTES.items():
        if kind in ("desk", "desk_index", "case") and method == "GET":
            url = concrete(path, dx_case)
            r = await client.get(url, allow_redirects=False)
            assert r.status == 200, (url, r.status)


@pytest.mark.parametrize("who", ["gw-liulin", "com-labour"])
async def test_desk_pages_are_not_for_grid_workers_or_committees(client, dx_case, who):
    await login(client, who)
    for (_method, path), kind in ROUTES.items():
        if kind in ("desk", "desk_index"):
            r = await client.get(concrete(path, dx_case, "DX"), allow_redirects=False)
            assert r.status == 403, (who, path, r.status)


async def test_a_committee_sees_its_types_only(client, ctx, dx_case):
    labour = await open_case(ctx, "p2", "NH01", "labour", text="老板拖欠工资三个月")
    await login(client, "com-labour")
    assert (await client.get(f"/console/cases/{labour}")).status == 200
    assert (await client.get(f"/console/cases/{dx_case}")).status == 404
    listed = await (await client.get("/console/api/cases")).json()
    assert [c["number"] for c in listed["cases"]] == [labour]


async def test_a_state_change_without_the_sessions_csrf_token_is_refused(client, ctx, dx_case):
    await login(client, "gw-liulin")
    before = len(await events_of(ctx, dx_case))
    for token in ("", "forged-token-forged-token"):
        r = await client.post(f"/console/cases/{dx_case}/act", data={"csrf": token, "action": "accept"})
        assert r.status == 403
        r = await client.post(f"/console/cases/{dx_case}/contact", headers={"X-CSRF-Token": token})
        assert r.status == 403
    assert (await client.post("/console/logout", data={"csrf": ""}, allow_redirects=False)).status == 403
    assert len(await events_of(ctx, dx_case)) == before


async def test_a_form_sent_from_a_page_gone_stale_gives_back_what_was_written(client, ctx, dx_case):
    """A trial's note sent from a tab whose session had changed met a line of English JSON and
    was lost: a page in Chinese says nothing was saved and shows the words to send again."""
    csrf = await login(client, "gw-liulin")
    note = "已上门了解情况，双方同意周六调解"
    r = await client.post(f"/console/cases/{dx_case}/act", data={"csrf": "stale-token-stale-token", "action": "progress",
                                                                 "note": note})
    body = await r.text()
    assert r.status == 403 and "没有保存" in body and note in body and "\"error\":" not in body, body[:300]
    await client.post("/console/logout", data={"csrf": csrf})
    r = await client.post(f"/console/cases/{dx_case}/act", data={"csrf": "x", "action": "progress", "note": note})
    body = await r.text()
    assert r.status == 401 and "退出登录" in body and note in body and 'href="/console/login"' in body, body[:300]


async def test_no_page_shows_a_full_phone_number_or_name(aiohttp_client, ctx, dx_case):
    """Every GET route, for every kind of staff member, with the case in and out of their area:
    phone numbers and names masked; the full contact only on asking, for the case's assignees
    and the centre, and each look is in the ledger."""
    secrets = (PHONE, "13900001111", "张三丰")
    for who in PEOPLE:
        client = await aiohttp_client(make_app(ctx, run_outbox=False))
        await login(client, who)
        for (method, path), _kind in ROUTES.items():
            if method != "GET" or path.endswith(("/api/live", "{name}")):
                continue
            url = concrete(path, dx_case)
            r = await client.get(url)
            body = (await r.read()).decode("utf-8", "replace") if not url.endswith((".xlsx", ".zip")) else \
                _xlsx_text(await r.read()) if url.endswith(".xlsx") and r.status == 200 else ""
            for s in secrets:
                assert s not in body, (who, url, s)
        r = await client.post(f"/console/cases/{dx_case}/contact", headers={"X-CSRF-Token": await _csrf(client)})
        if who in ("gw-liulin", "centre-qs"):        # the assignee, the county centre
            assert r.status == 200 and (await r.json())["contact"] == PHONE, who
        else:
            assert r.status in (403, 404), who
            assert PHONE not in await r.text()
    looks = await events_of(ctx, dx_case, EventKind.VIEWED_CONTACT)
    assert sorted(e.actor for e in looks) == ["console:centre-qs", "console:gw-liulin"]


async def _csrf(client) -> str:
    from tests.console.conftest import csrf_of
    return await csrf_of(client)


def _xlsx_text(data: bytes) -> str:
    import io

    import openpyxl
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
                     if v is not None)


async def test_a_notice_in_the_address_is_shown_only_when_the_console_wrote_it(client, ctx, dx_case):
    """The case page's notice comes from the action just done, signed for this session: a
    link with any text in `?msg=` ("系统升级：请将账号密码发送至…") shows nothing."""
    csrf = await login(client, "gw-liulin")
    forged = "系统升级：请将账号密码发送至13800001111进行核验"
    page = await (await client.get(f"/console/cases/{dx_case}", params={"msg": forged})).text()
    assert "账号密码" not in page
    r = await client.post(f"/console/cases/{dx_case}/act", data={"csrf": csrf, "action": "accept", "note": ""},
                          allow_redirects=False)
    assert r.status == 303
    shown = await (await client.get(r.headers["Location"])).text()
    assert 'class="flash' in shown
    tampered = r.headers["Location"].replace("msg=", "msg=" + "%E5%81%87")
    assert 'class="flash' not in await (await client.get(tampered)).text()


async def test_a_note_over_the_limit_is_refused_not_cut(client, ctx, dx_case):
    csrf = await login(client, "gw-liulin")
    await client.post(f"/console/cases/{dx_case}/act", data={"csrf": csrf, "action": "accept", "note": ""})
    long = "已经联系双方，" * 200
    r = await client.post(f"/console/cases/{dx_case}/act", data={"csrf": csrf, "action": "progress", "note": long},
                          headers={"Accept": "application/json"})
    assert "1000" in (await r.json())["message"]
    assert [e for e in await events_of(ctx, dx_case) if e.kind == "progress"] == []


async def test_a_warning_about_calling_is_shown_beside_the_contact(client, ctx):
    number = await open_case(ctx, "caution1", "DX01")
    async with ctx.uow() as uow:
        store = await uow.cases()
        await store.update(await store.get(number), "test", contact_note="别打这个电话给我老公知道")
    await login(client, "gw-liulin")
    body = await (await client.get(f"/console/cases/{number}")).text()
    assert 'id="contact-note"' in body and "联系提醒" in body and "别打这个电话给我" in body, body[:2000]


async def test_a_town_mediator_is_offered_only_people_of_the_town(client, ctx, dx_case):
    """A trial's town mediator was offered the whole county (南湖's people too), and choosing one
    was refused with a WeCom command's wording."""
    await login(client, "med-dx")
    people = (await (await client.get(f"/console/api/cases/{dx_case}/people")).json())["people"]
    towns = {ctx.registry.ancestors(p)[-2].code if len(ctx.registry.ancestors(p)) > 1 else p
             for person in people for p in ctx.registry.staff[person["id"]].places}
    assert people and not any(t.startswith("NH") for t in towns), [p["name"] for p in people]
