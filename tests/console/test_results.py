"""The case page's 终止调解 and 群众撤回: the same actions as the WeCom commands, the case's
status shown with how it ended, and the list filtered by result."""
from __future__ import annotations

from tests.console.conftest import give_passwords, login, open_case


async def test_ending_a_mediation_from_the_case_page(client, ctx):
    await give_passwords(ctx)
    number = await open_case(ctx, "end1", "DX01")
    other = await open_case(ctx, "end2", "DX01")
    csrf = await login(client, "gw-liulin")
    page = await (await client.get(f"/console/cases/{number}")).text()
    assert 'id="act-end"' in page and 'id="act-withdraw"' in page
    r = await client.post(f"/console/cases/{number}/act", data={"csrf": csrf, "action": "end",
                                                                "note": "对方不同意调解"}, allow_redirects=False)
    assert r.status == 303
    page = await (await client.get(f"/console/cases/{number}")).text()
    assert "调解终止（未化解）" in page and 'id="act-end"' not in page
    r = await client.post(f"/console/cases/{other}/act", data={"csrf": csrf, "action": "withdraw", "note": ""},
                          allow_redirects=False)
    assert r.status == 303
    ended = await (await client.get("/console/api/cases", params={"result": "ended"})).json()
    withdrawn = await (await client.get("/console/api/cases", params={"result": "withdrawn"})).json()
    assert [c["number"] for c in ended["cases"]] == [number]
    assert [c["number"] for c in withdrawn["cases"]] == [other]
    assert (await client.get("/console/api/cases", params={"result": "lost"})).status == 400


async def test_an_archived_or_settled_case_is_not_taken_on_again_by_accept(client, ctx, aiohttp_client):
    """A newcomer's grid worker saw 接单 on an archived case: one click moved it closed → mediating,
    told the resident "正在调解" and took it off the dashboard's 化解."""
    from jiefen.gateway import make_app
    from storage.cases import CaseStore
    await give_passwords(ctx)
    number = await open_case(ctx, "arch1", "DX01")
    csrf = await login(client, "gw-liulin")
    centre = await aiohttp_client(make_app(ctx, run_outbox=False))
    centre_csrf = await login(centre, "centre-qs")

    async def act(who, token: str, action: str, note: str = "") -> None:
        r = await who.post(f"/console/cases/{number}/act", data={"csrf": token, "action": action, "note": note},
                           allow_redirects=False)
        assert r.status == 303, await r.text()

    async def status() -> str:
        async with ctx.db.session() as s:
            return (await CaseStore(s, now=ctx.clock.now()).get(number)).status
    await act(client, csrf, "accept")
    await act(client, csrf, "resolve", "双方达成一致，已装静音垫")
    for step in ("resolved", "closed"):
        if step == "closed":
            await act(centre, centre_csrf, "close", "回访：双方满意")
        assert await status() == step
        page = await (await client.get(f"/console/cases/{number}")).text()
        assert 'id="act-accept"' not in page, step
        await client.post(f"/console/cases/{number}/act", data={"csrf": csrf, "action": "accept", "note": ""},
                          allow_redirects=False)
        assert await status() == step           # not reopened
