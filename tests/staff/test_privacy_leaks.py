"""Privacy by construction (issue 11): one test per leak that was measured."""
from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import text

from bot import routing
from bot.privacy import MaskingFormatter, names_of
from jiefen.admin import case_json, event_json
from jiefen.testing import TestBot
from storage.cases import CaseStore, NewCase
from tests.staff.helpers import case_of, neighbour_reports, outbox, report, staff_bot


async def test_a_joined_reporter_never_reads_the_other_residents_name_or_phone(bot, ctx):
    number = await report(bot, "我是柳林村的张建国，楼上老刘家天天半夜拖椅子，电话13812345678")
    neighbour, joined = await neighbour_reports(ctx, number)
    assert number in joined
    case = await case_of(ctx, number)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    await li.say(f"进展 {number} 已电话联系{case.reporter_name or '张建国'}（13812345678）和楼上住户")
    detail = await neighbour.last(f"查询 {number}")
    assert number in detail and "13812345678" not in detail and "138****5678" not in detail   # no staff note at all
    for push in await outbox(ctx, "test"):
        assert "13812345678" not in push.text, push.text
        assert "13900001111" not in push.text


async def test_a_red_alert_to_the_centre_masks_the_summary_too(bot, ctx):
    """The centre is told of a red case at once but is not its assignee: a trial found the
    card's contact line masked and the summary above it carrying the number in full."""
    await report(bot, "我叫王大明 柳林村的 隔壁拿着菜刀说要砍死我 电话13812345678")
    alerts = [p for p in await outbox(ctx, "wecom_app") if p.kind == "alert"]
    to_centre = [p.text for p in alerts if p.user == "QSCentre"]
    to_leader = [p.text for p in alerts if p.user == "GaoZhenHua"]
    assert to_centre and to_leader
    assert all("13812345678" not in t and "王大明" not in t and "138****5678" in t for t in to_centre), to_centre
    assert any("13812345678" in t for t in to_leader)            # the leader on duty owns the case


async def test_the_ledger_json_masks_a_phone_however_deep(bot, ctx):
    number = await report(bot)
    async with ctx.uow() as uow:
        store = await uow.cases()
        case = await store.get(number)
        await store.update(case, "test:resident-1", contact="13998765432")     # an 'updated' event: before/after
    async with ctx.db.session() as s:
        store = CaseStore(s, now=ctx.clock.now())
        case = await store.get(number)
        shown = json.dumps([event_json(e, names_of(case)) for e in await store.events(case)], ensure_ascii=False)
        listed = json.dumps(case_json(case, ctx.registry), ensure_ascii=False)
    for digits in ("13812345678", "13998765432"):
        assert digits not in shown and digits not in listed


async def test_names_inside_a_description_are_masked_in_lists(bot, ctx):
    number = await report(bot, "我是柳林村的王秀英，楼上那家天天半夜拖椅子，电话13812345678")
    async with ctx.db.session() as s:
        case = await CaseStore(s, now=ctx.clock.now()).get(number)
    case.reporter_name = case.reporter_name or "王秀英"
    listed = case_json(case, ctx.registry)
    assert "王秀英" not in listed["description"] and "王**" in listed["description"]


async def test_a_database_error_puts_no_parameters_in_the_log(ctx, caplog):
    with pytest.raises(Exception) as err:
        async with ctx.db.session() as s:
            await s.execute(text("INSERT INTO no_such_table (phone) VALUES (:p)"), {"p": "13812345678"})
    assert "13812345678" not in str(err.value)                     # the engine hides them
    record = logging.LogRecord("jiefen", logging.ERROR, __file__, 1, "failed: %s", (err.value,), None)
    assert "13812345678" not in MaskingFormatter("%(message)s").format(record)


async def test_a_residents_words_reach_a_staff_card_inert(ctx):
    words = '楼上天天吵<script>alert(1)</script><a href="http://evil.example">点我</a>'
    async with ctx.uow() as uow:
        case, _ = await (await uow.cases()).open(NewCase(intake_key="k1", type="neighbour", risk="green",
                                                          place_code="DX01", channel="test", reporter="r1",
                                                          description=words, reporter_name="<b>王</b>"))
        card = routing.case_card(ctx, case, title="新案件", with_contact=True)
    assert "<script>" not in card and "<a " not in card and "http://evil" not in card and "<b>" not in card
    assert "＜script＞" in card and "http[:]//evil" in card
