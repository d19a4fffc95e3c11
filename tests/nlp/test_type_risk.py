import pytest

from nlp.reading import DISPUTE_TYPES


@pytest.mark.parametrize("text,typ", [
    ("干了半年活老板一分钱没给", "labour"),
    ("楼上天天半夜拖椅子", "neighbour"),
    ("我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678", "neighbour"),
    ("借了我两万不还", "debt"),
    ("被电动车撞了", "traffic"),
    ("物业费涨价", "property_mgmt"),
    ("隔壁养猪场臭死了", "environment"),
    ("我的案子怎么样了", "none"),
    ("你好", "none"),
    ("谢谢", "none"),
    ("好的", "none"),
])
def test_type(u, text, typ):
    r = u.read(text)
    assert r.type == typ, (text, r.type, r.evidence)
    assert 0.0 <= r.confidence <= 1.0


def test_output_fields(u):
    r = u.read("我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678")
    assert r.phones == ("13812345678",)
    assert r.places[0].code == "DX01"
    assert r.evidence
    assert r.type in DISPUTE_TYPES


@pytest.mark.parametrize("text", [
    "拿着刀说要砍人", "他说不想活了", "几十个人要去县政府上访", "我老公说要掐死我",
    "她说要是再这样就从楼上跳下去", "他们开着钩机要强拆，我爸躺在挖机前面",
])
def test_red(u, text):
    r = u.read(text)
    assert r.risk == "red", (text, r.risk_reasons)
    assert r.risk_reasons


@pytest.mark.parametrize("text", [
    "放心，我不会动手的", "我们不会去上访的，只想好好解决", "我没有打他，只是说了两句",
    "他嘴上说要打我，其实他不敢的", "地边那棵大樟树他说是他家的要砍掉卖",
])
def test_not_red(u, text):
    assert u.read(text).risk != "red"


def test_yellow(u):
    assert u.read("他欠我十二万，找了他十几次了").risk == "yellow"
    assert u.read("三个儿子都不管我妈，八十多岁了").risk == "yellow"
    assert u.read("物业费涨价").risk == "green"


def test_red_without_type_word_is_a_dispute(u):
    assert u.read("几十个人要去县政府上访").type != "none"


@pytest.mark.parametrize("text", ["我想反映个事情", "烦死了，不知道找谁", "就是隔壁那个人"])
def test_vague_openings_never_wake_the_leader(u, text):
    # issue 10: these opened a red case with no words named
    r = u.read(text)
    assert r.risk != "red", r.risk_reasons


def test_red_reason_names_its_words_and_reading_its_model(u):
    r = u.read("他拿着菜刀说要弄死我")
    assert r.risk == "red" and not r.ask_safety
    assert any(x.startswith("暴力或暴力威胁：“") and "弄死我" in x for x in r.risk_reasons)
    assert r.model_version and r.model_version == u.model_version == r.extra["model_version"]


@pytest.mark.parametrize("text", ["他借了我五万块钱 现在电话关机 人也找不到", "欠我们的钱一直拖着 现在电话也打不通"])
def test_out_of_reach_owing_the_writer_asks_rather_than_alerts(u, text):
    # one who owes the writer and is out of reach is not a person in danger for certain: the
    # resident is asked, and a yes alerts
    r = u.read(text)
    assert r.risk != "red" and r.ask_safety, (r.risk, r.risk_reasons)
    assert any("待核实" in x for x in r.risk_reasons), r.risk_reasons


@pytest.mark.parametrize("text", ["我妈出门买菜 到现在没回来 电话打不通", "我爸去要工资 到现在没回来 电话关机",
                                  "我哥借了高利贷还不上 今天出门到现在没回来 电话关机"])
def test_out_of_reach_otherwise_is_red_or_asked_without_doubt_about_the_cues(u, text):
    # a relative out of reach, in debt or not, may be in danger or in despair: red, or the safety
    # question when the learned score does not confirm the weak cues (this model reads "我爸去要工资
    # 到现在没回来 电话关机" at 0.086, under the 0.1 that confirms them); never the doubt of the case above.
    # Two weak cues made red on their own were sized: +4 reds and +14 false alarms left out, first
    # contact 550 reds either way and 40 -> 51 false alarms (nlp/RESULTS.md round 18): not taken
    r = u.read(text)
    assert r.risk == "red" or r.ask_safety, r.risk_reasons
    assert not any("待核实" in x for x in r.risk_reasons), r.risk_reasons


def test_a_size_reason_quotes_what_was_said(u):
    """A trial (res5): '涉及人数多：“十几个”“15人”' quoted a number the resident never wrote; the
    number read stands only when no words of the text say it."""
    r = u.read("工地十几个人的工资拖了半年 老板跑了")
    many = [x for x in r.risk_reasons if x.startswith("涉及人数多")]
    assert many and "15人" not in many[0] and "十几个" in many[0], r.risk_reasons
