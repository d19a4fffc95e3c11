from __future__ import annotations

import pytest

from storage.registry import (
    DEMO_FILE,
    PlaceInfo,
    Registry,
    RegistryError,
    parse_registry,
    read_registry,
    read_registry_file,
    save_registry,
)


def test_the_demo_county_is_complete():
    reg = read_registry_file(DEMO_FILE)
    levels = [p.level for p in reg.places.values()]
    assert levels.count("county") == 1 and levels.count("town") == 2
    assert levels.count("village") + levels.count("community") >= 5
    assert "grid" in levels and "microgrid" in levels
    villages = [p.code for p in reg.places.values() if p.level in ("village", "community")]
    grid_workers = [s for s in reg.staff.values() if s.role == "grid_worker"]
    for v in villages:
        assert any(v in s.places for s in grid_workers), v
    roles = {s.role for s in reg.staff.values()}
    assert {"grid_worker", "mediator", "leader_on_duty", "centre"} <= roles


def test_full_names_and_ancestors():
    reg = read_registry_file(DEMO_FILE)
    assert reg.full_name("DX01-G1") == "东溪镇柳林村第一网格"            # not 柳林村柳林村第一网格
    assert [p.code for p in reg.ancestors("DX01-G1-M1")] == ["DX01-G1-M1", "DX01-G1", "DX01", "DX", "QS"]
    assert reg.at_level("DX01-G1", "town").code == "DX"


def test_a_name_that_repeats_the_place_above_it_says_only_what_it_adds():
    reg = Registry(places={p.code: p for p in [
        PlaceInfo("QS", "青山县", "county"), PlaceInfo("NH", "南湖街道", "town", "QS"),
        PlaceInfo("NH01", "南湖社区", "community", "NH"), PlaceInfo("G1", "南湖社区第一网格", "grid", "NH01"),
        PlaceInfo("M3", "南湖社区3栋", "microgrid", "G1")]})
    assert reg.full_name("M3") == "南湖街道南湖社区第一网格3栋"
    assert reg.full_name("NH01") == "南湖街道南湖社区" and reg.full_name("QS") == ""


@pytest.mark.parametrize("doc, problem", [
    ("places: [{code: A, name: 县, level: county}, {code: B, name: 村, level: hamlet, parent: A}]", "level"),
    ("places: [{code: A, name: 县, level: county}, {code: B, name: 镇, level: town, parent: Z}]", "parent Z"),
    ("places: [{code: A, name: 镇, level: town}]", "only a county"),
    ("places: [{code: A, name: 县, level: county}, {code: A, name: 县, level: county}]", "twice"),
    ("places: [{code: A, name: 县, level: county}, {code: B, name: 镇, level: town, parent: C},"
     " {code: C, name: 村, level: village, parent: A}]", "cannot sit under"),
    ("places: [{code: A, name: 县, level: county}]\nstaff: [{id: s, name: 甲, role: boss, places: [A]}]", "role"),
    ("places: [{code: A, name: 县, level: county}]\nstaff: [{id: s, name: 甲, role: mediator, places: [Q]}]", "place Q"),
    ("places: [{code: A, name: 县, level: county}]\nstaff: [{id: s, name: 甲, role: committee, types: [magic]}]",
     "dispute type"),
    ("places: [{code: A}]", r"places\[0\]: missing 'name'"),
    ("[1, 2]", "mapping"),
    ("places: [", "YAML"),
])
def test_bad_files_are_refused_with_the_reason(doc, problem):
    with pytest.raises(RegistryError, match=problem):
        parse_registry(doc)


async def test_reloading_keeps_open_cases_assigned_and_staff_inactive(ctx, bot):
    await bot.say("我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678")
    await bot.say("确认")
    smaller = parse_registry("""
places:
  - {code: QS, name: 青山县, level: county}
  - {code: DX, name: 东溪镇, level: town, parent: QS}
  - {code: DX01, name: 柳林村, level: village, parent: DX}
staff:
  - {id: gw-new, name: 新网格员, role: grid_worker, places: [DX01]}
""")
    async with ctx.db.session() as s:
        await save_registry(s, smaller)
    async with ctx.db.session() as s:
        reg = await read_registry(s)
    assert "NH01" in reg.places                 # places that cases may point at stay
    assert reg.staff["gw-liulin"].active is False and reg.staff["gw-new"].active is True
    assert [s["id"] for s in reg.as_dict()["staff"]] == ["gw-new"]
    await ctx.reload_registry()
    assert "JF261123-001" in await bot.last("查询 JF261123-001")


def test_work_groups_map_chats_to_places():
    reg = read_registry_file(DEMO_FILE)
    group = reg.group_for_chat("wrkSFfCgAALiuLin01")
    assert group.place == "DX01" and group.webhook_key
    assert reg.group_for_chat("unknown") is None


@pytest.mark.parametrize("groups, problem", [
    ("[{id: g, place: Z}]", "place Z"),
    ("[{id: g, place: A, chats: [c1]}, {id: h, place: A, chats: [c1]}]", "chat c1 already"),
    ("[{id: g}]", "missing 'place'"),
])
def test_bad_groups_are_refused(groups, problem):
    with pytest.raises(RegistryError, match=problem):
        parse_registry(f"places: [{{code: A, name: 县, level: county}}]\ngroups: {groups}")


async def test_groups_are_saved_and_read_back(ctx):
    assert ctx.registry.group_for_chat("wrkSFfCgAANanHu001").place == "NH01"


async def test_a_running_server_follows_a_registry_loaded_while_it_serves(tmp_path, clock):
    """A clock trial changed the leader on duty's WeCom id with `jiefen registry load`: alerts
    went to the old id until a restart."""
    from dataclasses import replace

    from jiefen.testing import make_context
    from storage.registry import read_registry, save_registry
    ctx = await make_context(tmp_path, clock=clock)
    try:
        await ctx.follow_registry()                             # whatever the test context loaded after starting
        assert not await ctx.follow_registry()                 # nothing changed since
        async with ctx.db.session() as s:                       # another process loads a new file
            changed = await read_registry(s)
            changed.staff["lead-duty"] = replace(changed.staff["lead-duty"], wecom_userid="GaoNewId")
            await save_registry(s, changed)
        assert ctx.registry.staff["lead-duty"].wecom_userid == "GaoZhenHua"
        for job in ctx.on_tick:
            await job(ctx)
        assert ctx.registry.staff["lead-duty"].wecom_userid == "GaoNewId"
        assert not await ctx.follow_registry()                 # once
    finally:
        await ctx.close()
