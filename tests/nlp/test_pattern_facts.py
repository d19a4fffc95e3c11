"""The regexes' analyses kept in nlp/data/pattern_facts.json (nlp/pattern_facts.py): current,
equal to working them out, never used for another regex, and changing no reading."""
from __future__ import annotations

import json

import pytest

from nlp import prefilter
from nlp.alternatives import _splittable
from nlp.evaluate import load_tsv, parts
from nlp.features import Lexicon
from nlp.normalize import Normalizer
from nlp.pattern_facts import FACTS_PATH, PatternFacts, written_facts
from nlp.risk import RiskRules


@pytest.fixture(scope="module")
def rules() -> RiskRules:
    return RiskRules(facts=PatternFacts())


def test_the_shipped_file_is_what_the_command_writes():
    shipped = PatternFacts.load().as_dict()
    fresh = written_facts().as_dict()
    stale = sorted(set(shipped) - set(fresh))
    missing = sorted(set(fresh) - set(shipped))
    assert not missing and not stale, \
        f"{len(missing)} missing, {len(stale)} stale: run `python -m nlp.train facts` after editing the rules"
    assert shipped == fresh


def test_start_up_works_nothing_out_that_the_file_lacks():
    facts = PatternFacts.load()
    before = len(facts.as_dict())
    RiskRules(facts=facts)
    Lexicon(facts=facts)
    assert len(facts.as_dict()) == before


def test_answers_read_back_are_the_analyses_themselves(rules):
    facts = PatternFacts.load()
    for p in rules.sources:
        assert facts.branches(p, _splittable) == _splittable(p)
        assert facts.first_chars(p, digits=True) == prefilter.first_chars(p, digits=True)
    for p in rules.alternatives.flat:
        assert facts.required_grams(p) == prefilter.required_grams(p)
        assert facts.first_chars(p, digits=True) == prefilter.first_chars(p, digits=True)
    assert sum(len(facts.branches(p, _splittable)) > 1 for p in rules.sources) > 10


def test_an_edited_regex_is_analysed_again_not_read_with_the_old_answer(tmp_path):
    path = tmp_path / "facts.json"
    old = PatternFacts()
    assert old.required_grams("(拿|提)着?刀") == prefilter.required_grams("(拿|提)着?刀") is not None
    assert old.branches("砍人|捅人", _splittable) == ["砍人", "捅人"]
    old.save(path)
    loaded = PatternFacts.load(path)
    assert loaded.as_dict() == json.loads(path.read_text(encoding="utf-8"))["facts"]
    # the same regex edited: a new key, worked out afresh
    assert loaded.required_grams("(拿|提|举)着?刀") == prefilter.required_grams("(拿|提|举)着?刀")
    assert loaded.branches("砍人|捅人|放火", _splittable) == ["砍人", "捅人", "放火"]
    assert len(loaded.as_dict()) == len(old.as_dict()) + 2


def test_a_missing_or_broken_file_means_working_everything_out(tmp_path):
    assert PatternFacts.load(tmp_path / "absent.json").as_dict() == {}
    bad = tmp_path / "bad.json"
    for text in ("{not json", "[1, 2]", '{"facts": [1, 2]}', '{"facts": null}'):
        bad.write_text(text, encoding="utf-8")
        assert PatternFacts.load(bad).as_dict() == {}, text


def test_an_answer_of_the_wrong_shape_is_worked_out_again(tmp_path):
    good = PatternFacts()
    good.required_grams("(拿|提)着?刀")
    good.branches("砍人|捅人", _splittable)
    path = tmp_path / "facts.json"
    good.save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["facts"] = {k: (7 if k.startswith("grams:") else ["x"]) for k in data["facts"]}
    path.write_text(json.dumps(data), encoding="utf-8")
    edited = PatternFacts.load(path)
    assert edited.as_dict() == {}
    assert edited.required_grams("(拿|提)着?刀") == prefilter.required_grams("(拿|提)着?刀")
    assert edited.branches("砍人|捅人", _splittable) == ["砍人", "捅人"]


def test_the_kept_answers_change_no_reading(rules):
    shipped = RiskRules()
    norm = Normalizer()
    texts = [norm(t) for p in parts()["chat"] for _, _, t in load_tsv(p)][::7]
    assert len(texts) > 3000
    for t in texts:
        assert [(h.cue.id, h.status, h.start) for h in shipped.hits(t)] == \
            [(h.cue.id, h.status, h.start) for h in rules.hits(t)], t


def test_the_file_is_where_the_readers_look():
    assert FACTS_PATH.name == "pattern_facts.json" and FACTS_PATH.exists()
