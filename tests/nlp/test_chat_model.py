"""The learned chat model (nlp/chat_model.py) and how the reading uses it for red."""
import math
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

from nlp.chat_model import LinearModel, grams
from nlp.evaluate import DATA_DIR
from nlp.risk import RiskAssessor

TEXTS = ["他拿刀要砍我", "隔壁天天半夜吵", "老板欠我三个月工资", "我不想活了", "你好", "谢谢你们",
         "他说再来就打死他", "楼上漏水到我家", "工资一直拖着不给", "大家明天一起去县政府堵门"]
RED = [True, False, False, True, False, False, True, False, False, True]


@pytest.fixture(scope="module")
def toy():
    return LinearModel.train(TEXTS, {"red": RED, "labour": ["工资" in t for t in TEXTS]},
                             ngram=(1, 2), min_df=1, epochs=30)


def slow_margins(m: LinearModel, text: str) -> list[float]:
    c = Counter(grams(text, m.ngram))
    out = list(m.bias)
    for g, n in c.items():
        if g in m.weights:
            out = [o + (1 + math.log(n)) * w for o, w in zip(out, m.weights[g])]
    return out


def test_training_separates_what_it_saw(toy):
    for t, r in zip(TEXTS, RED):
        assert (toy.probability("red", toy.margins(t)) > 0.5) == r, t
    assert toy.probability("labour", toy.margins("工资没给")) > 0.5


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="他拿刀要砍我工资吵天天0123，。 !漏水🙂", max_size=40))
def test_packed_sum_equals_plain_sum(toy, text):
    fast, slow = toy.margins(text), slow_margins(toy, text)
    assert all(abs(a - b) < 1e-6 for a, b in zip(fast, slow))


def test_save_and_load_round_trip(toy, tmp_path):
    p = toy.save(tmp_path / "m.json")
    back = LinearModel.load(p)
    assert back.outputs == toy.outputs
    for t in TEXTS:
        assert back.margins(t) == pytest.approx(toy.margins(t))


def test_load_refuses_another_format(tmp_path):
    p = tmp_path / "m.json"
    p.write_text('{"format": "jiefen-nlp-model/1", "labels": []}', encoding="utf-8")
    with pytest.raises(ValueError):
        LinearModel.load(p)


def test_digits_are_one_gram():
    assert grams("电话13812345678", (1, 1)) == ["电", "话", "0"]


def test_built_in_model_has_every_type_and_red():
    from nlp.reading import DISPUTE_TYPES
    m = LinearModel.load(DATA_DIR / "chat_model.json")
    assert set(DISPUTE_TYPES) | {"none", "red"} <= set(m.outputs)
    assert 0 < m.meta["red_threshold"] < 1 and m.meta["blend_weight"] > 0


@pytest.mark.parametrize("text", ["我在楼顶吹风，不想下去了", "我把孩子送到我妈家了，我也不想再拖累谁了"])
def test_learned_score_asks_never_reds(u, text):
    # no rule fires on these; the learned half reads them like the red reports: the bot
    # asks the safety question (a learned score alone never wakes the leader)
    assert RiskAssessor().assess(u._normalize(text)).colour != "red"
    r = u.read(text)
    assert r.risk != "red"
    assert r.ask_safety
    assert r.extra["safety_cues"]


def test_rules_set_aside_is_not_overruled(u):
    # "不会动手": the rules found the cue and set it aside; the model must not undo that
    r = u.read("你放心我不会动手的，就是想讨个公道")
    assert r.risk != "red" and not r.ask_safety
    assert RiskAssessor().assess("我不会动手的").set_aside


def test_benign_words_are_blanked_for_the_model():
    ra = RiskAssessor()
    assert "一刀切" not in ra.blank_benign("这个政策一刀切不合理")
    assert "开会" not in ra.blank_benign("明天大家一起去镇政府开会，别迟到")
    assert ra.blank_benign("他拿刀要砍我") == "他拿刀要砍我"
