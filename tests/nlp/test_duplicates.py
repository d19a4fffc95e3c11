from datetime import datetime, timedelta

from nlp.duplicates import CaseDigest, burst_risk, find_duplicate, raise_risk, similarity

NOW = datetime(2024, 5, 1, 12, 0)


def case(no, text, typ="neighbour", place="DX01", days=1.0, reporter="u1", open_=True):
    return CaseDigest(no, text, typ, place, NOW - timedelta(days=days), reporter, open_)


def test_same_reporter(u):
    r = u.read("楼上那家天天半夜拖椅子吵得睡不着")
    m = find_duplicate(r, "DX01", "u1", NOW, [case("A1", "楼上半夜拖椅子太吵了")])
    assert m and m.number == "A1" and m.reason == "same_reporter"


def test_other_party_and_place_inside(u):
    r = u.read("楼上那家天天半夜拖椅子吵得睡不着")
    m = find_duplicate(r, "DX01-G1", "u9", NOW, [case("A1", "楼上半夜拖椅子太吵了")],
                       place_parents={"DX01-G1": "DX01", "DX01": "DX"})
    assert m and m.reason == "other_party"


def test_not_duplicate_when_type_place_time_or_closed_differ(u):
    r = u.read("楼上那家天天半夜拖椅子吵得睡不着")
    base = "楼上半夜拖椅子太吵了"
    assert find_duplicate(r, "DX01", "u1", NOW, [case("A", base, typ="labour")]) is None
    assert find_duplicate(r, "DX02", "u1", NOW, [case("A", base)]) is None
    assert find_duplicate(r, "DX01", "u1", NOW, [case("A", base, days=10)]) is None
    assert find_duplicate(r, "DX01", "u1", NOW, [case("A", base, days=10)], window_days=14) is not None
    assert find_duplicate(r, "DX01", "u1", NOW, [case("A", base, open_=False)]) is None
    assert find_duplicate(r, "DX01", "u1", NOW, [case("A", "对门把鞋柜放在楼道里")]) is None
    assert find_duplicate(u.read("你好"), "DX01", "u1", NOW, [case("A", "你好", typ="none")]) is None


def test_a_close_call_between_two_types_still_links():
    from nlp.reading import Reading
    # the second telling read as land (runner-up neighbour); the case was opened as neighbour
    r = Reading(text="柳林村3组那两户又因为排水沟吵起来了，水淹院子", type="land_forest", confidence=0.7,
                runner_up="neighbour")
    cands = [case("A", "柳林村3组两户人家为排水沟堵了吵架，水都淹到院子里了")]
    assert find_duplicate(r, "DX01", "u2", NOW, cands).number == "A"
    far = Reading(text=r.text, type="land_forest", confidence=0.7, runner_up="labour")
    assert find_duplicate(far, "DX01", "u2", NOW, cands) is None


def test_many_reporters_and_burst(u):
    r = u.read("化工厂往河里排黑水鱼都死了")
    cands = [case(f"B{i}", "化工厂往河里排黑水", typ="environment", place="DX02", days=i / 24, reporter=f"r{i}")
             for i in range(1, 6)]
    m = find_duplicate(r, "DX02", "x", NOW, cands)
    assert m and m.reason == "many_reporters" and m.number == "B5"   # the earliest open case
    b = burst_risk(r, "DX02", "x", NOW, cands)
    assert b and b.risk == "red" and b.reporters == 6
    raised = raise_risk(r, b)
    assert raised.risk == "red" and b.reasons[0] in raised.risk_reasons
    assert burst_risk(r, "DX02", "x", NOW, cands[:1]) is None
    b3 = burst_risk(r, "DX02", "x", NOW, cands[:2])
    assert b3 and b3.risk == "yellow"


def test_similarity_bounds():
    assert similarity("", "abc") == 0.0
    assert similarity("楼上拖椅子", "楼上拖椅子") == 1.0
