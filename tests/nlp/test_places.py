import pytest

from nlp.reading import PlaceRef
from nlp.understanding import Understanding


def codes(ms):
    return [m.code for m in ms]


def test_village_with_group_number(u):
    r = u.read("我是柳林村3组的，工资没发")
    assert r.places and r.places[0].code == "DX01"
    r = u.read("柳林村1组的")
    assert r.places[0].code == "DX01-G1"


def test_short_name_and_alias(u):
    assert codes(u.read("我是柳林的").places)[:1] == ["DX01"]
    assert codes(u.read("住在南湖小区三栋").places)[:1] == ["NH01-G1-M1"]


def test_most_specific_first(u):
    assert codes(u.read("东溪镇石桥村的").places)[:2] == ["DX03", "DX"]


def test_fuzzy_match_places(u):
    ms = u.match_places("桃园村")              # typo for 桃源村
    assert ms and ms[0].code.startswith("DX02")
    assert u.match_places("") == []


def test_set_places():
    u = Understanding([])
    assert u.read("我是柳林村的").places == ()
    u.set_places([PlaceRef("X1", "柳林村", "village")])
    assert codes(u.read("我是柳林村的").places) == ["X1"]


def test_a_phone_or_a_building_number_is_not_a_grid(u):
    """"柳林村 13800138000": the 1 begins a phone, not 柳林村第一网格; "2号楼" is a building."""
    for text, village in (("柳林村 13800138000", "DX01"), ("南湖社区 13912345678", "NH01"), ("柳林村 2号楼", "DX01")):
        assert codes(u.read(text).places)[:1] == [village], text
        assert codes(u.match_places(text))[:1] == [village], text
    assert codes(u.read("柳林村1网格的").places)[:1] == ["DX01-G1"]


@pytest.mark.parametrize("text, place", [
    # a person's name is no place: after 叫, or after a neighbour word
    ("我叫杨柳林 住在新华社区", "NH"), ("对门的叫石桥生 天天在楼道抽烟 我在新华社区", "NH"),
    ("我住新华社区 对门的石桥生天天在楼道抽烟", "NH"), ("新华社区 隔壁石桥生家的狗老叫", "NH"),
    # … but a place after a neighbour word is one
    ("隔壁石桥村的老王占了我的地", "DX03"), ("对门的石桥那家天天吵", "DX03"), ("对面的柳林村人来闹", "DX01"),
])
def test_a_persons_name_is_not_a_place(u, text, place):
    assert codes(u.read(text).places)[:1] and codes(u.read(text).places)[0].startswith(place), (text, u.read(text).places)
    if place == "NH":
        assert not any(c.startswith("DX") for c in codes(u.read(text).places)), text
