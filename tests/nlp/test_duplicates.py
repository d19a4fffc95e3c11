from datetime import datetime, timedelta

import pytest

from nlp.duplicates import CaseDigest, burst_risk, find_duplicate, raise_risk, similarity

NOW = datetime(2024, 5, 1, 12, 0)


def case(no, text, typ="neighbour", place="DX01", days=1.0, reporter="u1", open_=True):
    return CaseDigest(no, text, typ, place, NOW - timedelta(days=days), reporter, open_)


def test_same_reporter(u):
    r = u.read("楼上那家天天半夜拖椅子吵得睡不着")
    m = find_duplicate(r, "DX01", "u1", NOW, [case("A1", "楼上半夜拖椅子太吵了")])
    assert m and m.number == "A1" and m.reason == "same_reporter"


def test_other_party_and_place_inside(u):
    r = u.read("楼上老刘家天天半夜拖椅子吵得睡不着")
    m = find_duplicate(r, "DX01-G1", "u9", NOW, [case("A1", "老刘家半夜拖椅子太吵了")],
                       place_parents={"DX01-G1": "DX01", "DX01": "DX"})
    assert m and m.reason == "other_party"


def test_upstairs_said_by_two_residents_is_two_households(u):
    """"楼上", "隔壁", "对门" are said from where the writer lives: two residents of one village
    who both complain of "楼上" name two households unless something absolute (a name, a
    building) is shared. The same resident's "楼上" is the same household."""
    r = u.read("楼上那家天天半夜拖椅子吵得睡不着")
    cands = [case("A1", "楼上半夜拖椅子太吵了")]
    assert find_duplicate(r, "DX01", "u9", NOW, cands) is None
    assert find_duplicate(r, "DX01", "u1", NOW, cands).reason == "same_reporter"
    r = u.read("3栋楼上那家天天半夜拖椅子吵得睡不着")                # one building has many flats upstairs
    assert find_duplicate(r, "DX01", "u9", NOW, [case("A1", "我住3栋，楼上半夜拖椅子太吵了")]) is None
    r = u.read("楼上老刘家天天半夜拖椅子")
    assert find_duplicate(r, "DX01", "u9", NOW, [case("A1", "楼上老刘家半夜拖椅子太吵了")]) is not None
    r = u.read("隔壁邻居家的狗天天晚上叫")
    assert find_duplicate(r, "DX01", "u9", NOW, [case("A1", "隔壁家的狗晚上一直叫", typ=r.type)]) is None
    # someone's own relative is not a named neighbour; 姓孙 and 姓钱 are two people (a re-check, res6)
    r = u.read("堂哥占了我家的宅基地 不让我盖房")
    assert find_duplicate(r, "DX01", "u9", NOW, [case("A1", "隔壁老孙家占了我家的宅基地", typ=r.type)]) is None
    r = u.read("包工头姓孙 欠我工资八千")
    assert find_duplicate(r, "DX01", "u9", NOW, [case("A1", "包工头姓钱 欠了我们三个月工资", typ=r.type)]) is None
    # the first told in traditional characters, as written (a trial's two households were one case)
    r = u.read("南湖社区 楼上邻居天天半夜剁肉 咚咚的")
    first = case("A1", "我是南湖社區的住戶，樓上鄰居每天晚上十二點以後還在跳繩，咚咚咚的", typ=r.type)
    assert find_duplicate(r, "DX01", "u9", NOW, [first]) is None


def test_a_husband_or_a_son_told_by_two_residents_is_two_families(u):
    """"我老公", "我儿子", "我婆婆" are said from the writer's family, as 楼上 from their home: two
    women of one village who both write that their husband beats them are two cases (the
    same woman writing again is her own case)."""
    cands = [case("A", "我老公喝了酒就打我 我是桃源村的", typ="marriage_family", reporter="u1")]
    r = u.read("我老公喝了酒就打我 我是桃源村的")
    assert find_duplicate(r, "DX01", "u2", NOW, cands) is None
    assert find_duplicate(r, "DX01", "u1", NOW, cands).reason == "same_reporter"
    r = u.read("我婆婆天天骂我 不让我回家")
    assert find_duplicate(r, "DX01", "u2", NOW, [case("A", "婆婆天天骂我 不让我进门", typ=r.type)]) is None


def test_different_people_or_buildings_named_are_different_disputes(u):
    """Two tellings that name different people (老王 / 老李, 张强 / 李明) or different
    buildings, units, rooms or village groups are different disputes, even from one resident;
    the same name or number told two ways (老王 / 王大爷, 三号楼 / 3号楼) is not a difference."""
    r = u.read("老王家的狗天天半夜叫，吵得睡不着")
    assert find_duplicate(r, "DX01", "u2", NOW, [case("A", "老李家的狗天天半夜叫，吵得睡不着", typ=r.type)]) is None
    assert find_duplicate(r, "DX01", "u2", NOW, [case("A", "王大爷家的狗天天晚上叫个不停", typ=r.type)]) is not None
    r = u.read("朋友张强借了我两万块钱一直不还")
    debt = [case("A", "同事李明借了我两万块钱一直不还", typ=r.type)]
    assert find_duplicate(r, "DX01", "u1", NOW, debt) is None
    r = u.read("3号楼楼上漏水到我家卫生间")
    assert find_duplicate(r, "DX01", "u1", NOW, [case("A", "5号楼楼上漏水到我家卫生间", typ=r.type)]) is None
    assert find_duplicate(r, "DX01", "u1", NOW, [case("A", "三号楼楼上漏水到我家卫生间", typ=r.type)]) is not None
    r = u.read("柳林村3组两户人家为排水沟吵架")
    assert find_duplicate(r, "DX01", "u2", NOW, [case("A", "柳林村5组两户人家为排水沟吵架", typ=r.type)]) is None
    assert find_duplicate(r, "DX01", "u2", NOW, [case("A", "柳林村三组有两户为排水沟吵起来了", typ=r.type)]) is not None


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


def test_the_same_business_told_by_three_residents_is_one_dispute(u):
    """Residents of one village complaining of "the pig farm" in their own words complain of
    one farm (told as 养猪场, 猪场, 养猪场老板); another business of the village (the brick
    works) is another dispute."""
    first = case("A", "我是柳林村的 村东头那个养猪场臭得要命 苍蝇到处飞", typ="environment", reporter="u1")
    r = u.read("柳林村养猪场太臭了 夏天窗户都不敢开")
    assert find_duplicate(r, "DX01", "u2", NOW, [first]).number == "A"
    r = u.read("我们柳林村的猪场 粪水直接排到河里")
    assert find_duplicate(r, "DX01", "u3", NOW, [first]).number == "A"
    r = u.read("猪场的粪水流到我们柳林村的渠里了")                  # the same farm, another harm of it
    assert find_duplicate(r, "DX01", "u6", NOW, [first]).number == "A"
    told_traditionally = case("T", "我是柳林村的 村東頭那個養豬場臭得要命", typ="environment", reporter="u4")
    r = u.read("柳林村东头养猪场臭死了 夏天窗户都不敢开")           # a case's words are kept as written
    assert find_duplicate(r, "DX01", "u5", NOW, [told_traditionally]).number == "T"
    r = u.read("柳林村的砖厂太臭了 夏天窗户都不敢开")
    assert find_duplicate(r, "DX01", "u2", NOW, [case("A", "柳林村养猪场太臭了 夏天窗户都不敢开",
                                                      typ="environment", reporter="u1")]) is None


def test_similarity_bounds():
    assert similarity("", "abc") == 0.0
    assert similarity("楼上拖椅子", "楼上拖椅子") == 1.0


@pytest.mark.parametrize("text, case_text, other", [
    ("我家隔壁装修天天早上七点就开始电钻", "楼上那家天天半夜拖椅子", True),
    ("楼上今天又拖了一晚上椅子", "楼上那家天天半夜拖椅子", False),
    ("他今天又来了 还骂人", "楼上那家天天半夜拖椅子", False),          # no party named: the same
    ("拖欠的工资老板说下个月也给不了", "在砖厂干了半年，老板一分钱工资没给", False),
    ("老李家的狗也天天叫", "老王家的狗天天半夜叫", True),
    ("5号楼的也漏水了", "3号楼楼上漏水到我家", True),
    ("楼上家又漏水了", "楼上漏水到我家卫生间", False),
])
def test_another_matter_of_the_same_type(text, case_text, other):
    from nlp.duplicates import other_matter
    assert other_matter(text, case_text) is other


def test_aboutness_picks_the_case_words_are_about(u):
    from nlp.duplicates import aboutness
    noise, lift = ("楼上那家天天半夜拖椅子", "neighbour"), ("电梯坏了一个月物业不修还收费", "property_mgmt")
    dog, debt = ("老王家的狗天天晚上叫 吵得睡不着", "neighbour"), ("同事李强借了我两万块钱一直不还", "debt")
    for said, right, wrong in (("楼上那个事有人管没有啊", noise, lift), ("补充一下 楼上昨晚又拖到两点", noise, lift),
                               ("老王家的狗今天又把我孙子咬了", dog, debt), ("李强那个钱的事有人管没有", debt, dog),
                               ("电梯的事怎么样了", lift, noise)):
        r = u.read(said)
        assert aboutness(r, *right) > aboutness(r, *wrong), said


@pytest.mark.parametrize("said, case_text, share", [
    ("砍树的事有人管吗", "隔壁老刘把我家门口的两棵树砍了", 1.0),
    ("漏水那个呢", "楼上卫生间漏水 我家天花板都湿了", 1.0),
    ("你们到底来不来", "楼上卫生间漏水 我家天花板都湿了", 0.0),     # nothing named
    ("砍树的事有人管吗", "老板欠我工资八千块不给", 0.0),
])
def test_subject_overlap(said, case_text, share):
    from nlp.duplicates import subject_overlap
    assert subject_overlap(said, case_text) == share


@pytest.mark.parametrize("first, second", [
    ("我是杏花村的，隔壁周家装修天天砸墙，电话13722225555", "我是杏花村的，邻居吴建军家的狗天天咬我家鸡，电话13722226666"),
    ("我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678", "我是柳林村的，邻居钱国华家的狗天天叫，电话13812340000"),
])
def test_the_words_every_report_says_do_not_make_two_matters_one(u, first, second):
    """A trial's two residents of one village, one about a neighbour's renovation and one about
    another's dog, were one case: "我是杏花村的", "天天" and "电话" were most of what the two
    texts shared. Who writes from where, and how to reach them, say nothing of the matter."""
    r = u.read(second)
    place = "NH03" if "杏花村" in first else "DX01"
    assert find_duplicate(r, place, "u2", NOW, [case("A", first, typ=r.type, place=place)]) is None
    # the same matter told by another resident in other words still joins
    again = u.read("杏花村周家装修天天砸墙，砸得人不得安宁" if "杏花村" in first else "我是柳林村的，楼上半夜拖椅子太吵了")
    if "杏花村" in first:
        assert find_duplicate(again, place, "u3", NOW, [case("A", first, typ=again.type, place=place)]) is not None


def test_the_same_callers_number_in_two_tellings_is_one_dispute(u):
    """Three hotline operators each reworded one call (the caller's number in each): three cases."""
    first = "南湖社区3栋有人在楼道堆垃圾，臭味很大，来电人13811112222"
    again = u.read("13811112222来电：南湖社区3号楼过道里杂物成堆，影响通行，请物业清理")
    m = find_duplicate(again, "NH01", "op8", NOW, [case("A", first, typ=again.type, place="NH01", reporter="op7")])
    assert m is not None and m.number == "A"


def test_two_residents_without_a_place_are_two_reports(u):
    """Two people's likeness of words, with no place told, says nothing of one dispute (a
    second resident's "我不想活了" joined a stranger's case and got no urgent reply)."""
    r = u.read("楼上半夜拖椅子吵得睡不着")
    assert find_duplicate(r, None, "u2", NOW, [case("A1", "楼上天天半夜拖椅子", place=None, reporter="u1")]) is None
    # the same resident telling it again still joins
    assert find_duplicate(r, None, "u1", NOW, [case("A1", "楼上天天半夜拖椅子", place=None, reporter="u1")])


def test_someones_own_distress_never_joins_another_persons_case(u):
    r = u.read("邻居天天吵 我真的不想活了")
    assert r.risk == "red"
    cands = [case("A1", "邻居天天吵 不想活了", reporter="u1")]
    assert find_duplicate(r, "DX01", "u2", NOW, cands) is None
    assert find_duplicate(r, "DX01", "u1", NOW, cands)


def test_the_other_partys_number_in_two_reports_is_no_same_caller(u):
    """A trial's residents of one village each gave "他电话是13344440000" (the other party's) of
    two different neighbours: joined as one case, then raised red as a crowd."""
    r = u.read("我在桃源村 隔壁老周把我家宅基地占了一米多；他电话是13344440000")
    cands = [case("A1", "我在桃源村 隔壁刘家把我家宅基地占了一米多；他电话是13344440000", typ=r.type,
                  place="DX02", reporter="u1")]
    assert find_duplicate(r, "DX02", "u2", NOW, cands) is None


def test_two_residents_dangers_join_only_when_they_tell_one_scene(u):
    """A re-check (res8): a child in a cesspit, a child in a pond at the village entrance and
    "someone in the water" in one village became one case at 0.3-0.45 (each caller told
    "已合并", none asked for a phone); bystanders telling one scene alike still join."""
    first = "小孩掉到粪坑里了 桃源村"
    for other in ("快来人 有个小孩掉水塘里了 桃源村村口", "快来人啊 有人掉水里了 桃源村"):
        r = u.read(other)
        assert r.risk == "red", other
        assert find_duplicate(r, "DX01", "u2", NOW, [case("A1", first, typ=r.type, reporter="u1")]) is None, other
    r = u.read("快来人 柳林村村口河里有人落水了")
    assert find_duplicate(r, "DX01", "u2", NOW, [case("A1", "村口河里有人落水了 柳林村", typ=r.type, reporter="u1")])


def test_two_employers_workers_are_two_disputes(u):
    """A re-check (res9): '超市老板欠我两个月工资' joined '砖厂老板欠我工资八千' (0.406), and the
    supermarket worker's threat then turned the brick-factory case red."""
    r = u.read("超市老板欠我两个月工资")
    cands = [case("A1", "砖厂老板欠我工资八千", typ=r.type, reporter="u1")]
    assert find_duplicate(r, "DX01", "u2", NOW, cands) is None
    # the same employer in other words still joins
    r = u.read("砖厂的老板欠了我们好几个月工资")
    assert find_duplicate(r, "DX01", "u2", NOW, [case("A1", "砖厂老板欠我工资八千", typ=r.type, reporter="u1")])
