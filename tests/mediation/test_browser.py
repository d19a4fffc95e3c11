"""The respondent opens the mediator's link on a phone: the page joins them to the case, drops
the code from the address bar, and what they write is their statement."""
from __future__ import annotations

import re

import pytest

from jiefen.gateway import make_app, web_channel
from jiefen.testing import TestBot
from tests.browser.conftest import PHONE, browser, shots  # noqa: F401  (fixtures)
from tests.staff.helpers import events_of, report, staff_bot


@pytest.fixture
async def site(ctx, aiohttp_server):
    server = await aiohttp_server(make_app(ctx, channels=[web_channel(ctx)], run_outbox=False))
    return f"http://127.0.0.1:{server.port}"


async def test_the_respondent_joins_from_the_link_on_a_phone(browser, site, ctx, shots):  # noqa: F811
    number = await report(TestBot(ctx))
    staff = staff_bot(ctx, "LiHongMei")
    await staff.say(f"接单 {number}")
    reply = await staff.last(f"邀请 {number} 王强 13900001111 关于夜间噪音")
    token = re.search(r"invite=([A-Z0-9]{10})", reply).group(1)
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(f"{site}/?invite={token}")
    await page.wait_for_function("document.querySelectorAll('.row.bot').length > 0")
    joined = (await page.locator(".row.bot .msg").last.inner_text()).strip()
    assert number in joined and "被申请人" in joined and "13812345678" not in joined
    assert "一起邻里纠纷（" in joined                                 # not "纠纷纠纷"
    assert "invite" not in page.url                              # single use: not left in the address bar
    await page.fill("#t", "孩子写作业挪椅子，我愿意垫上垫子")
    await page.click("#b")
    await page.wait_for_function("document.querySelectorAll('.row.bot').length > 1")
    assert "已记录" in (await page.locator(".row.bot .msg").last.inner_text())
    await page.screenshot(path=str(shots / "web-chat-respondent.png"), full_page=True)
    await context.close()             # the page's socket closes now, not when the server gives up on it
    statements = await events_of(ctx, number, "party_statement")
    assert [e.data["text"] for e in statements] == ["孩子写作业挪椅子，我愿意垫上垫子"]
