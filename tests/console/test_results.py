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
