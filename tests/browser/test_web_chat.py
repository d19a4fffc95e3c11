"""The web chat as a resident sees it, on a phone and on a desktop (issue 16, items 4, 5, 11)."""
from __future__ import annotations

import pytest

from jiefen.gateway import make_app
from tests.browser.conftest import DESKTOP, PHONE

REPORT = "我是柳林村的，楼上那家天天半夜拖椅子"


@pytest.fixture
async def site(ctx, aiohttp_server):
    server = await aiohttp_server(make_app(ctx, run_outbox=False))
    return f"http://127.0.0.1:{server.port}"


async def last_bot_text(page) -> str:
    return (await page.locator(".row.bot .msg").last.inner_text()).strip()


async def say(page, text: str) -> str:
    before = await page.locator(".row.bot").count()
    await page.fill("#t", text)
    await page.click("#b")
    await page.wait_for_function(f"document.querySelectorAll('.row.bot').length > {before}")
    return await last_bot_text(page)


async def test_a_report_on_a_phone_with_an_optional_phone_number(browser, site, ctx, shots):
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    await page.goto(site + "/")
    await page.wait_for_selector(".row.bot")                       # the greeting
    reply = await say(page, REPORT)
    if "对方是谁" in reply:
        reply = await say(page, "跳过")
    assert "可以不留" in reply and "用本账号联系" not in reply       # on the web a phone is asked for
    reply = await say(page, "跳过")
    assert "未留" in reply and "请核对" in reply
    reply = await say(page, "👍")
    assert "案件编号" in reply
    metas = await page.locator(".row.me .meta").all_inner_texts()
    assert metas and all(":" in m for m in metas)                  # every message shows its time
    await page.screenshot(path=str(shots / "web-chat-phone.png"), full_page=True)
    assert missing == []                                           # no favicon 404, nothing missing
    # the resident comes back later: the conversation and the open case are there
    again = await context.new_page()
    await again.goto(site + "/")
    await again.wait_for_selector(".cases")
    assert "柳林村" in await again.locator(".cases").inner_text()
    assert REPORT in await again.locator("#log").inner_text()
    await again.screenshot(path=str(shots / "web-chat-returning.png"), full_page=True)
    await context.close()


async def test_on_a_desktop_bubbles_stay_readable(browser, site, shots):
    context = await browser.new_context(**DESKTOP)
    page = await context.new_page()
    await page.goto(site + "/")
    await page.wait_for_selector(".row.bot")
    await say(page, REPORT + "，已经连续三个月了，说了好几次都不听，晚上根本睡不着，孩子第二天还要上学，"
                             "老人也被吵得心脏不舒服，希望能找人调解一下")
    widths = await page.eval_on_selector_all(".msg", "els => els.map(e => e.getBoundingClientRect().width)")
    assert max(widths) <= 560                                      # not 80% of a 1280-px window
    await page.screenshot(path=str(shots / "web-chat-desktop.png"))
    await context.close()


async def test_a_message_shows_it_is_being_sent(browser, site, ctx, shots):
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(site + "/")
    await page.wait_for_selector(".row.bot")

    async def slow(handler, message, data):
        import asyncio
        await asyncio.sleep(1.0)
        return await handler(message, data)
    ctx.dispatcher.middlewares.insert(0, slow)
    await page.fill("#t", "你好")
    await page.click("#b")
    await page.wait_for_selector("text=发送中…")
    await page.screenshot(path=str(shots / "web-chat-sending.png"))
    await page.wait_for_function("!document.body.innerText.includes('发送中…')")
    await context.close()


async def test_a_fact_told_with_a_place_is_heard_out_in_the_web_chat(browser, site, shots):
    """Read as none, but it gives the place and a phone: the bot asks what happened and keeps both."""
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(site + "/")
    await page.wait_for_selector(".row.bot")
    reply = await say(page, "我是柳林村的，想说一下充电桩那边的电线，电话13812345006")
    assert "发生了什么" in reply and "您好" not in reply
    reply = await say(page, "电线乱拉在我家窗户底下，物业一直不管，下雨天怕漏电")
    assert "请核对" in reply and "柳林村" in reply and "138****5006" in reply   # place and phone kept
    await page.screenshot(path=str(shots / "web-chat-fact-told.png"), full_page=True)
    await context.close()


async def test_asking_where_the_centre_is_in_the_web_chat(browser, site, shots):
    """"调解中心在哪里" is answered (report here; mediation is free), then the story is asked for."""
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(site + "/")
    await page.wait_for_selector(".row.bot")
    reply = await say(page, "请问调解中心在哪里？调解要交钱吗")
    assert "发生了什么" in reply
    texts = [t.strip() for t in await page.locator(".row.bot .msg").all_inner_texts()]
    assert any("在这里就能反映" in t and "不收任何费用" in t for t in texts), texts
    await page.screenshot(path=str(shots / "web-chat-where-is-the-centre.png"), full_page=True)
    await context.close()


async def test_someone_in_distress_is_answered_with_care_in_the_web_chat(browser, site, shots):
    """"活着没意思 不想活了": the help line, no dispute type, and where they are asked once, gently."""
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(site + "/")
    await page.wait_for_selector(".row.bot")
    await say(page, "活着没意思 不想活了")
    texts = [t.strip() for t in await page.locator(".row.bot .msg").all_inner_texts()]
    assert any("12356" in t for t in texts) and not any("纠纷：" in t or "类型" in t for t in texts[1:]), texts
    reply = await say(page, "我不想说在哪")
    assert "位置" not in reply and "在哪" not in reply
    await page.screenshot(path=str(shots / "web-chat-distress.png"), full_page=True)
    await context.close()


async def test_despair_the_reading_is_unsure_of_is_asked_with_care_in_the_web_chat(browser, site, ctx, shots):
    """Despair in few words that the reading only asks about ('我想一了百了'): the help line first,
    then whether the writer is in danger, not whether anyone is hurt."""
    from tests.test_safety_question import DESPAIR
    asked = [t for t in DESPAIR if (r := ctx.nlp.read(t)).ask_safety and r.risk != "red"]
    if not asked:
        pytest.skip("this model reads every despair text red: nothing to ask about")
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(site + "/")
    await page.wait_for_selector(".row.bot")
    reply = await say(page, asked[0])
    assert "12356" in reply and "有没有危险" in reply and "有没有人受伤" not in reply, reply
    await page.screenshot(path=str(shots / "web-chat-despair-asked.png"), full_page=True)
    await context.close()
