"""Accuracy on the labelled chat sets (nlp/RESULTS.md has the history).

Since round 5 the chat model is trained on every set but the two blind ones
(nlp/evaluate.py BLIND), so only the blind sets are evidence; the others are guarded
against regressions. The out-of-author estimate (leave-one-author-out) is produced by
`python -m nlp.author_cv cv`, too slow for the suite.
"""
import pytest

from nlp.evaluate import PARTS, evaluate, load_tsv


def _rep(u, part):
    return evaluate(u, [r for p in PARTS[part] for r in load_tsv(p)])


@pytest.fixture(scope="module")
def trained(u):
    return _rep(u, "trained")


@pytest.fixture(scope="module")
def blind(u):
    return _rep(u, "blind")


def test_sets_are_large_and_cover_all_types():
    from nlp.reading import DISPUTE_TYPES
    for part in ("dev", "heldout", "heldout2", "heldout3", "heldout4", "gen", "blind"):
        rows = [r for p in PARTS[part] for r in load_tsv(p)]
        assert len(rows) >= 150
        assert set(DISPUTE_TYPES) | {"none"} <= {g for g, _, _ in rows}
    for p in PARTS["blind"]:
        rows = load_tsv(p)
        assert len(rows) >= 290
        assert sum(r[1] == "red" for r in rows) >= 60


def test_blind_sets_were_not_trained_on():
    from nlp.chat_model import LinearModel
    from nlp.evaluate import BLIND, DATA_DIR
    meta = LinearModel.load(DATA_DIR / "chat_model.json").meta
    assert meta["trained_on"] and not set(meta["trained_on"]) & set(BLIND)


def test_trained_floor(trained):
    # every set but the two blind ones is training data for the chat model since round 5:
    # these are regression guards, not evidence. Measured: type 0.99+, red recall 0.998,
    # precision 0.84-0.96 per set (the rules' false alarms)
    # since issue 10 a learned score never makes red (it asks the safety question): red
    # is the rules' alone, 0.870 recall on these sets; red or asked 0.99+
    assert trained.accuracy >= 0.97
    assert trained.red_recall >= 0.86
    assert trained.red_or_asked_recall >= 0.98


def test_blind_floor(blind):
    # two sets by two fresh authors, drawn at random from eight before any was looked at,
    # scored once at the end of round 5: type 0.875 (519/593), red recall 0.985 (134/136),
    # red precision 0.812 (134/165); round-4 code on the same sets: 0.769, 0.794, 0.864
    # issue 10 (learned score asks, never reds): red recall 0.831 (rules alone), red or
    # asked 0.985
    assert blind.accuracy >= 0.87
    assert blind.red_recall >= 0.82
    assert blind.red_or_asked_recall >= 0.98


@pytest.mark.parametrize("name", ["v2_urban_young", "v3_migrant_workers"])
def test_type_accuracy_target_on_each_blind_set(u, name):
    from nlp.evaluate import DATA_DIR
    # measured 0.852 (v2) and 0.899 (v3)
    assert evaluate(u, load_tsv(DATA_DIR / "gen" / f"{name}.tsv")).accuracy >= 0.85


@pytest.mark.xfail(reason="issue 10: rules alone decide red; 0.831 on the blind sets", strict=True)
def test_red_target_on_blind_sets(blind):
    assert blind.red_recall >= 0.95 and blind.red_precision >= 0.7
