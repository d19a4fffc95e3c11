"""The headline test (nlp/headline.py): plain weights read without scikit-learn, a
threshold from the decision stage, and cross-fitting that never scores a line with a
model that saw its author."""
from __future__ import annotations

import json

import pytest

from nlp import headline
from nlp.headline import HeadlineModel, HeadlineTest, Sentences, cross_fit, grams, load_titles, sentences
from nlp.normalize import Normalizer
from nlp.risk import RiskRules


def test_grams_are_runs_of_one_to_three_characters():
    assert grams("男子遭") == {"男", "子", "遭", "男子", "子遭", "男子遭"}


def test_a_saved_model_reads_the_same(tmp_path):
    m = HeadlineModel({"遭": 2.0, "身亡": 1.5, "我": -3.0}, -1.0, {"titles": 3})
    p = m.save(tmp_path / "h.json")
    back = HeadlineModel.load(p)
    assert back is not None and back.meta == {"titles": 3}
    for text in ("工人遭欠薪坠楼身亡", "我家的狗被打了", ""):
        assert back.score(text) == pytest.approx(m.score(text), abs=1e-3)
    assert m.score("工人遭欠薪坠楼身亡") > 0.9 > 0.1 > m.score("我家的狗被打了")
    assert HeadlineModel.load(tmp_path / "missing.json") is None


def test_the_threshold_and_the_cross_fitted_scores():
    m = HeadlineModel({"遭": 4.0}, -2.0)
    t = HeadlineTest(m, 0.8)
    assert t("富商遭绑架") and not t("富商被绑架")
    # a cross-fitted score stands in for the model's own
    assert not HeadlineTest(m, 0.8, {"富商遭绑架": 0.3})("富商遭绑架")
    assert not HeadlineTest(None, 0.8)("富商遭绑架")       # no model shipped: never a headline


def test_the_shipped_test_reads_decision_yaml(tmp_path):
    (tmp_path / "d.yaml").write_text("colour:\n  headline_min: 0.42\n", encoding="utf-8")
    assert HeadlineTest.shipped(tmp_path / "d.yaml").minimum == 0.42
    (tmp_path / "e.yaml").write_text("colour: {}\n", encoding="utf-8")
    assert HeadlineTest.shipped(tmp_path / "e.yaml").minimum > 1           # unset: off


def test_the_shipped_model_tells_news_from_a_resident():
    m = HeadlineModel.load()
    assert m is not None and m.meta["titles"] > 10000
    assert m.score("研究生因论文压力跳楼身亡") > 0.9
    assert m.score("隔壁老张拿着菜刀在楼道里转") < 0.1


def test_sentences_end_at_full_stops_and_the_draft_join_not_at_spaces():
    text = "研究生跳楼身亡 遗书称对不起父母；隔壁老张拿着菜刀。快来！"
    assert sentences(text) == ["研究生跳楼身亡 遗书称对不起父母", "隔壁老张拿着菜刀", "快来"]
    s = Sentences(text)
    assert s.span(0) == s.span(8) == s.span(15) == (0, 16)
    assert s.span(16) == (0, 16)                                   # on the break: the sentence it ends
    assert text[slice(*s.span(17))] == "隔壁老张拿着菜刀"
    assert text[slice(*s.span(len(text) - 2))] == "快来"
    assert sentences("没有句号") == ["没有句号"] and Sentences("没有句号").span(2) == (0, 4)
    assert Sentences("！！快来").span(0) == (0, 0) and Sentences("！！快来").span(2) == (2, 4)


def test_a_headline_in_a_draft_does_not_make_the_next_message_a_headline():
    # a draft joins a resident's messages with "；": a pasted headline, then what they saw
    norm, rules = Normalizer(), RiskRules()

    def red(text):
        return {h.words: h.status for h in rules.hits(norm(text)) if h.cue.colour == "red"}

    pasted = "研究生因论文压力跳楼身亡 遗书称对不起父母"
    told = "隔壁老张拿着菜刀在楼道里转"
    assert set(red(pasted).values()) == {"headline"}
    assert set(red(told).values()) == {"kept"}
    both = red(pasted + "；" + told)
    assert both["跳楼"] == "headline" and both["拿着菜刀"] == "kept"


def test_titles_are_read_from_the_headlines_folder(tmp_path):
    (tmp_path / "headlines").mkdir()
    (tmp_path / "headlines" / "a.tsv").write_text("society\t男子遭抢\nsports\t国足出线\n", encoding="utf-8")
    (tmp_path / "b.tsv").write_text("none\tgreen\t不是标题\n", encoding="utf-8")
    assert load_titles(tmp_path) == ["男子遭抢", "国足出线"]


def test_cross_fit_never_scores_a_line_with_a_model_that_saw_its_author(monkeypatch):
    pytest.importorskip("sklearn")
    seen: list[tuple[set, set]] = []
    real_train = headline.train

    def spy(titles, others, meta=None):
        seen.append((set(titles), set(others)))
        return real_train(titles, others, meta)

    monkeypatch.setattr(headline, "train", spy)
    titles = [f"{c}地男子遭抢劫身亡" for c in "甲乙丙丁戊己庚辛壬癸"] * 2
    titles = [t + str(i) for i, t in enumerate(titles)]
    others = [(f"author{i % 7}", f"我家隔壁{i}号又吵了") for i in range(40)]
    others.append(("author3", "男子遭抢劫；我家隔壁又吵了"))
    scores = cross_fit(titles, others, k=5)
    # each sentence is scored too: the risk rules ask of a cue's sentence
    assert len(seen) == 5 and set(scores) == set(titles) | {x for _, x in others} | {"男子遭抢劫", "我家隔壁又吵了"}
    by_author: dict[str, set] = {}
    for g, x in others:
        by_author.setdefault(g, set()).add(x)
    for xs in by_author.values():
        # the fold that scored this author's lines trained on none of them
        assert sum(1 for _, o in seen if not (o & xs)) >= 1
        assert all(not (o & xs) or xs <= o for _, o in seen)        # an author is in or out whole
    for t in titles:
        assert sum(1 for ts, _ in seen if t not in ts) == 1         # each title left out once
    assert json.dumps(scores)                                       # plain floats


@pytest.mark.parametrize("text, voiceless", [
    ("男子砍伤邻居被刑拘", True), ("南邵镇政府强拆民房被判违法", True),
    ("我家隔壁天天吵", False), ("你们管不管", False), ("男子砍人了", False), ("现在男子在门口", False),
    ("痛心！研究生跳楼身亡", False), ("最近楼上装修", False),
])
def test_voiceless_is_the_headline_shape(text, voiceless):
    assert RiskRules(headline=lambda t: True).voiceless(Normalizer()(text)) is voiceless


def test_is_news_needs_the_setting_the_shape_and_the_score():
    from nlp.decision import Decision
    asked: list[str] = []

    def ask(what, answer):
        def f():
            asked.append(what)
            return answer
        return f

    on, off = Decision(data={"type": {"news_min": 0.99}}), Decision(data={"type": {}})
    assert on.is_news(ask("shape", True), ask("score", 0.995))
    assert not on.is_news(ask("shape", True), ask("score", 0.98))
    assert not on.is_news(ask("shape", False), ask("score", 1.0))       # a voice: the score is not asked
    assert not off.is_news(ask("shape", True), ask("score", 1.0))       # off: nothing asked
    assert asked == ["shape", "score", "shape", "score", "shape"]


def test_a_news_title_is_no_dispute_when_the_decision_stage_says_so(tmp_path):
    import yaml

    from nlp.understanding import Understanding
    dec = yaml.safe_load(open(headline.DATA_DIR / "decision.yaml", encoding="utf-8"))
    title = "南邵镇政府强拆民房被判违法"
    readings = {}
    for on in (False, True):
        dec["type"]["news_min"] = 0.9 if on else 1.01
        path = tmp_path / f"d{on}.yaml"
        path.write_text(yaml.safe_dump(dec, allow_unicode=True), encoding="utf-8")
        readings[on] = Understanding(decision_file=path).read(title)
    assert readings[False].type == "land_acquisition"
    assert readings[True].type == "none" and readings[True].runner_up == "land_acquisition"
    # a resident telling of it is not news
    assert Understanding(decision_file=tmp_path / "dTrue.yaml").read("镇政府强拆我家民房").type == "land_acquisition"


def test_the_shipped_reading_takes_news_titles_for_no_dispute():
    from nlp.understanding import DATA_DIR, Understanding
    u = Understanding()
    assert u.decision.news_min <= 1.0
    # 400 titles in ten styles written by a helper in session 48, half of them about what
    # residents complain of, never trained or tuned on (nlp/data/firstcontact/README.md).
    # Typed none: 197 without the news test, 230 with session 47's headline model, 232-233 with
    # session 48's. Three hand-picked titles were checked here before; one of them moved
    # with a re-training (0.9966 against news_min 0.998) while the rate did not.
    path = DATA_DIR / "firstcontact" / "headlines_fresh.txt"
    titles = [t.strip() for t in path.read_text(encoding="utf-8").splitlines() if t.strip()]
    assert len(titles) == 400
    none = sum(u.read(t).type == "none" for t in titles)
    assert none >= 220, none
    for told in ("村里强拆我家民房", "我前夫为争孩子抚养权恐吓我", "楼上那家装修把我家墙震裂了"):
        assert u.read(told).type != "none", told
