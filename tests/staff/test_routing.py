"""Routing as data: who gets a new case, and why, as the ledger says."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot import routing, staffing
from storage.cases import NewCase
from storage.registry import parse_registry, save_registry
from tests.staff.helpers import case_of, events_of, outbox, report


async def test_a_village_case_goes_to_its_grid_worker_with_the_contact(bot, ctx):
    number = await report(bot)
    case = await case_of(ctx, number)
    assert case.status == "dispatched" and case.assignees == ["gw-liulin"] and case.assigned_at is not None
    [assigned] = await events_of(ctx, number, "assigned")
    assert assigned.data["staff"][0]["why"] == "柳林村的网格员" and assigned.actor == "routing"
    [push] = await outbox(ctx, "wecom_app")
    assert push.user == "LiHongMei" and push.kind == "assignment" and number in push.text
    assert "13812345678" in push.text                         # the assignee may call back
    [told] = [p for p in await outbox(ctx, "test") if "分派" in p.text]
    assert "柳林村的网格员" in told.text and "李红梅" not in told.text


async def test_a_committee_type_also_goes_to_its_committee(bot, ctx):
    number = await report(bot, "我是石桥村的老板拖欠我三个月工资一直不给电话13812345678")
    case = await case_of(ctx, number)
    assert case.assignees == ["gw-shiqiao", "com-labour"]
    why = {s["id"]: s["why"] for s in (await events_of(ctx, number, "assigned"))[0].data["staff"]}
    assert "劳动争议" in why["com-labour"] and "最少" in why["com-labour"]


REG = """
places:
  - {code: C, name: 县, level: county}
  - {code: T, name: 镇, level: town, parent: C}
  - {code: V, name: 甲村, level: village, parent: T}
  - {code: G, name: 甲村一组, level: grid, parent: V}
  - {code: M, name: 甲村一组北片, level: microgrid, parent: G}
  - {code: W, name: 乙村, level: village, parent: T}
staff:
  - {id: gw-v, name: 村网格员, role: grid_worker, places: [V]}
  - {id: gw-g, name: 组网格员, role: grid_worker, places: [G]}
  - {id: med-t, name: 镇调解员, role: mediator, places: [T]}
  - {id: c1, name: 劳动甲, role: committee, places: [C], types: [labour], capacity: 2}
  - {id: c2, name: 劳动乙, role: committee, places: [C], types: [labour], capacity: 2}
  - {id: day, name: 白班领导, role: leader_on_duty, places: [C], on_duty: ["1-5 08:00-18:00"]}
  - {id: night, name: 夜班领导, role: leader_on_duty, places: [C], on_duty: ["1-5 18:00-08:00", "6,7 00:00-24:00"]}
  - {id: centre, name: 中心, role: centre, places: [C]}
"""


def test_the_nearest_grid_worker_wins_and_a_village_without_one_goes_to_the_town():
    reg = parse_registry(REG)
    assert [c.staff.id for c in staffing.grid_workers(reg, "M")] == ["gw-g"]     # micro-grid → its grid
    assert [c.staff.id for c in staffing.grid_workers(reg, "V")] == ["gw-v"]
    assert [c.staff.id for c in staffing.grid_workers(reg, "W")] == ["med-t"]    # nobody in 乙村


def test_the_least_loaded_committee_mediator_under_capacity():
    reg = parse_registry(REG)
    assert staffing.committee(reg, "labour", "V", Counter({"c1": 1})).staff.id == "c2"
    assert staffing.committee(reg, "labour", "V", Counter({"c1": 0, "c2": 2})).staff.id == "c1"
    assert staffing.committee(reg, "labour", "V", Counter({"c1": 2, "c2": 3})).staff.id == "c1"  # all full
    assert staffing.committee(reg, "neighbour", "V", Counter()) is None


def test_the_leader_on_duty_by_the_hour():
    reg = parse_registry(REG)
    monday_noon, monday_night, sunday = datetime(2026, 11, 23, 12), datetime(2026, 11, 23, 23), datetime(2026, 11, 29, 3)
    assert [c.staff.id for c in staffing.leaders_on_duty(reg, "V", monday_noon)] == ["day"]
    assert [c.staff.id for c in staffing.leaders_on_duty(reg, "V", monday_night)] == ["night"]
    assert [c.staff.id for c in staffing.leaders_on_duty(reg, "V", sunday)] == ["night"]


async def test_least_loaded_counts_open_cases(ctx):
    async with ctx.db.session() as s:
        await save_registry(s, parse_registry(REG))
    await ctx.reload_registry()
    committees = []
    for n in range(3):      # opened directly: the intake would merge them as duplicates
        async with ctx.uow() as uow:
            case, _ = await (await uow.cases()).open(NewCase(f"k{n}", "labour", "green", "V", "test", f"r{n}", "欠薪"))
            await routing.route_new_case(ctx, uow, case)
            committees.append([a for a in case.assignees if a.startswith("c")])
    assert committees == [["c1"], ["c2"], ["c1"]]


async def test_a_red_case_alerts_the_leader_and_the_centre_before_anything_else(bot, ctx):
    reply = await bot.last("柳林村有人拿着刀说要砍人")
    assert "110" in reply
    number = next(iter(reply.split("案件编号：")[1].split()))[:12]
    pushes = await outbox(ctx, "wecom_app")
    assert [(p.user, p.kind) for p in pushes[:2]] == [("GaoZhenHua", "alert"), ("QSCentre", "alert")]
    assert [(p.user, p.kind) for p in pushes[2:]] == [("LiHongMei", "assignment")]
    case = await case_of(ctx, number)
    assert case.assignees == ["gw-liulin", "lead-duty"] and case.status == "dispatched"
    [alert] = await events_of(ctx, number, "alert")
    assert alert.data["to"] == ["lead-duty", "centre-qs"]


def test_who_may_act_follows_the_tree():
    from storage.models import Case
    from storage.registry import DEMO_FILE, read_registry_file
    reg = read_registry_file(DEMO_FILE)
    case = Case(number="JF261123-001", place_code="DX01", assignees=["gw-liulin"])
    allowed = {s for s in reg.staff if staffing.may_act(reg, reg.staff[s], case)}
    assert allowed == {"gw-liulin", "med-dx", "med-county", "lead-duty", "centre-qs"}
    town = Case(number="JF261123-002", place_code="DX01", assignees=["med-dx"])
    assert {s for s in reg.staff if staffing.may_act(reg, reg.staff[s], town)} == \
        {"med-dx", "med-county", "lead-duty", "centre-qs"}
    nowhere = Case(number="JF261123-003", place_code=None, assignees=["centre-qs"])
    assert {s for s in reg.staff if staffing.may_act(reg, reg.staff[s], nowhere)} == {"centre-qs", "lead-duty"}
    # a county committee's mediator has nobody above them in the tree; the county's centre and
    # its leader on duty still supervise (a trial's centre could not act once it had dispatched)
    county_level = Case(number="JF261123-004", place_code="DX02", assignees=["gw-taoyuan", "com-marriage"])
    assert {s for s in reg.staff if staffing.may_act(reg, reg.staff[s], county_level)} == \
        {"gw-taoyuan", "com-marriage", "lead-duty", "centre-qs"}


async def test_on_duty_times_are_checked_kept_and_shown(ctx):
    import pytest

    from storage.registry import RegistryError, read_registry
    with pytest.raises(RegistryError, match="on_duty"):
        parse_registry(REG.replace('"1-5 08:00-18:00"', '"weekdays 8-18"'))
    async with ctx.db.session() as s:
        await save_registry(s, parse_registry(REG))
    async with ctx.db.session() as s:
        reg = await read_registry(s)
    assert reg.staff["night"].on_duty == ("1-5 18:00-08:00", "6,7 00:00-24:00")
    shown = {row["id"]: row for row in reg.as_dict()["staff"]}      # what `jiefen registry --json` prints
    assert shown["night"]["on_duty"] == ["1-5 18:00-08:00", "6,7 00:00-24:00"]


async def test_a_red_alert_overtakes_a_backlog_in_the_outbox(bot, ctx):
    from bot.message import Push
    from jiefen.testing import RecordingSender
    staff = ctx.channels["wecom_app"] = RecordingSender()
    async with ctx.uow() as uow:
        for n in range(60):
            await uow.push(Push("wecom_app", "LiHongMei", f"提醒{n}", kind="reminder", key=f"r{n}"))
    await bot.say("柳林村有人拿着刀说要砍人")
    await ctx.outbox.run_once(limit=10)
    assert [(p.user, p.kind) for p in staff.pushes[:2]] == [("GaoZhenHua", "alert"), ("QSCentre", "alert")]
