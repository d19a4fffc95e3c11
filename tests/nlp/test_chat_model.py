"""The learned chat model (nlp/chat_model.py): packed scoring, file format, trainers, and
how the reading uses its red output (the safety question, never red on its own)."""
import glob
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.chat_model import RED, LinearModel, fit, grams, values
from nlp.evaluate import DATA_DIR, load_tsv

TEXTS = ["他拿刀要砍我", "隔壁天天半夜吵", "老板欠我三个月工资", "我不想活了", "你好", "谢谢你们",
         "他说再来就打死他", "楼上漏水到我家", "工资一直拖着不给", "大家明天一起去县政府堵门"]
RED_LINES = [True, False, False, True, False, False, True, False, False, True]
TYPES = ["neighbour", "neighbour", "labour", "other", "none", "none", "neighbour", "neighbour", "labour", "other"]


def feats(t):
    return grams(t, (1, 2))


@pytest.fixture(scope="module", params=["python", "sklearn"])
def toy(request):
    if request.param == "sklearn":
        pytest.importorskip("sklearn")
    X = [values(feats(t), binary=True) for t in TEXTS]
    outputs, weights, bias = fit(X, TYPES, RED_LINES, C=100.0, backend=request.param, epochs=60)
    return LinearModel(outputs, weights, bias, {"labels": [o for o in outputs if o != RED], "binary": True})


def slow_margins(m: LinearModel, fs) -> list[float]:
    out = list(m.bias)
    for f in set(fs):
        if f in m.weights:
            out = [o + w for o, w in zip(out, m.weights[f])]
    return out


def test_training_separates_what_it_saw(toy):
    for t, r, typ in zip(TEXTS, RED_LINES, TYPES):
        ms = toy.margins(feats(t))
        assert (toy.probability(RED, ms) > 0.5) == r, t
        assert toy.probabilities(ms)[0][0] == typ, t
    probs = toy.probabilities(toy.margins(feats("工资没给")))
    assert abs(sum(p for _, p in probs) - 1.0) < 1e-9


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="他拿刀要砍我工资吵天天0123，。 !漏水🙂", max_size=40))
def test_packed_sum_equals_plain_sum(toy, text):
    fast, slow = toy.margins(feats(text)), slow_margins(toy, feats(text))
    assert all(abs(a - b) < 1e-5 for a, b in zip(fast, slow))


def test_save_and_load_round_trip(toy, tmp_path):
    p = toy.save(tmp_path / "m.json")
    assert (tmp_path / "m.weights").exists()
    back = LinearModel.load(p)
    assert back.outputs == toy.outputs and back.meta == toy.meta
    for t in TEXTS:
        assert back.margins(feats(t)) == pytest.approx(toy.margins(feats(t)), abs=1e-6)
    assert back.evidence(RED, feats("他拿刀要砍我"), n=2)


def test_a_long_text_sums_past_what_one_field_holds(toy):
    # a court's findings: more distinct features than 32-bit fields can sum at once
    text = "".join(chr(0x4E00 + i) for i in range(3000))
    fs = feats(text)
    assert len(set(fs)) > 4 * 512
    # every feature known, each at the largest weight: the sums a field overflows first
    m = LinearModel(toy.outputs, {f: [toy.weights[max(toy.weights, key=lambda g: max(toy.weights[g]))][0]]
                                  * len(toy.outputs) for f in fs}, toy.bias, toy.meta)
    fast, slow = m.margins(fs), slow_margins(m, fs)
    assert all(abs(a - b) < 1e-4 * max(1.0, abs(b)) for a, b in zip(fast, slow)), (fast[:3], slow[:3])


def test_a_model_saved_in_the_older_format_still_loads(toy, tmp_path):
    # jiefen-chat-model/3 (a model trained from the ledger before): 2^30 scale, 2^31 offset
    import json
    from array import array
    p = toy.save(tmp_path / "m.json")
    head = json.loads(p.read_text(encoding="utf-8"))
    top = max(abs(w) for ws in toy.weights.values() for w in ws)
    scale = float(1 << 30) / top
    a = array("I", [round(w * scale) + (1 << 31) for f in head["features"] for w in toy.weights[f]])
    (tmp_path / "m.weights").write_bytes(a.tobytes())
    p.write_text(json.dumps({**head, "format": "jiefen-chat-model/3", "scale": scale}), encoding="utf-8")
    back = LinearModel.load(p)
    for t in TEXTS:
        assert back.margins(feats(t)) == pytest.approx(toy.margins(feats(t)), abs=1e-5)


def test_load_refuses_another_format(tmp_path):
    p = tmp_path / "m.json"
    p.write_text('{"format": "jiefen-chat-model/2", "outputs": []}', encoding="utf-8")
    with pytest.raises(ValueError):
        LinearModel.load(p)


def test_python_trainer_approaches_the_exact_optimum():
    pytest.importorskip("sklearn")
    X = [values(feats(t), binary=True) for t in TEXTS * 3]
    ys, rs = TYPES * 3, RED_LINES * 3
    a = LinearModel(*fit(X, ys, rs, C=1.0, backend="sklearn"), {"labels": sorted(set(ys)), "binary": True})
    b = LinearModel(*fit(X, ys, rs, C=1.0, backend="python", epochs=200), {"labels": sorted(set(ys)), "binary": True})
    for t in TEXTS:
        pa, pb = a.probability(RED, a.margins(feats(t))), b.probability(RED, b.margins(feats(t)))
        assert abs(pa - pb) < 0.1, (t, pa, pb)


def test_digits_are_one_gram():
    assert grams("电话13812345678", (1, 1)) == ["电", "话", "0"]


def test_built_in_model_has_every_type_and_red():
    from nlp.reading import DISPUTE_TYPES
    m = LinearModel.load(DATA_DIR / "chat_model.json")
    assert set(DISPUTE_TYPES) | {"none", RED} <= set(m.outputs)
    assert m.meta["features"]["words"] and m.meta["features"]["lexicon"]


def test_red_always_has_a_rule_reason_naming_words(u):
    """The contract: a learned score alone never makes a reading red."""
    from nlp.corpus import chat_groups, rows
    texts = [x for paths in chat_groups().values() for _, r, x in rows(paths) if r == "red"][::3]
    texts += ["我在楼顶吹风，不想下去了", "我把孩子送到我妈家了，我也不想再拖累谁了"]
    n_red = 0
    for t in texts:
        r = u.read(t)
        if r.risk == "red":
            n_red += 1
            kept = [h for h in u.rules.hits(r.text) if h.cue.colour == "red" and h.kept
                    and u.decision.tier(h.cue.id) != "drop"]
            assert kept, (t, r.risk_reasons)
            assert any("：“" in reason for reason in r.risk_reasons), r.risk_reasons
    assert n_red > len(texts) / 2


def test_no_cue_no_red_whatever_the_score(u):
    from nlp.decision import Decision
    d = Decision()
    assert d.colour([], 1.0).colour != "red"
    assert d.colour([], 1.0).ask_safety
    assert not d.colour([], 0.0).ask_safety


def test_rules_set_aside_is_not_overruled(u):
    # "不会动手": the rules found the cue and set it aside; the learned reading does not undo it
    r = u.read("你放心我不会动手的，就是想讨个公道")
    assert r.risk != "red" and not r.ask_safety


def test_the_exact_trainer_reaches_the_optimum():
    """The red output fitted on a few thousand chat lines stands where the objective's gradient
    (the weighted log losses plus ||w||^2 / 2C) vanishes. scikit-learn's default tolerance
    stopped lbfgs after ~20 iterations (worst gradient 0.17 here), and the built-in model's red
    reading of a line swung from 0.89 to 0.02 when a few hundred rows were added."""
    pytest.importorskip("sklearn")
    rows = []
    for p in sorted(glob.glob(str(DATA_DIR / "gen" / "w1[0-9]_*.tsv")))[:8]:
        rows += [(t, r == "red", x) for t, r, x in load_tsv(p)]
    X = [values(feats(x), binary=True) for _, _, x in rows]
    red = [r for _, r, _ in rows]
    outputs, weights, bias = fit(X, [t if t != "*" else None for t, _, _ in rows], red, C=5.0, backend="sklearn")
    j = outputs.index(RED)
    grad: dict[str, float] = {}
    for x, y in zip(X, red, strict=True):
        e = 1 / (1 + math.exp(-(bias[j] + sum(weights[f][j] * v for f, v in x.items() if f in weights)))) - y
        for f, v in x.items():
            grad[f] = grad.get(f, 0.0) + e * v
    worst = max(abs(g + (weights[f][j] if f in weights else 0.0) / 5.0) for f, g in grad.items())
    assert len(rows) > 2000 and worst < 0.02, worst
