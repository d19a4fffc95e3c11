"""Accuracy on the labelled chat sets. The held-out set is evaluated, never tuned on.

Floors are the measured figures (regression guards); the issue's targets are asserted in
a separate test, marked xfail while they are not met on the held-out set (see RESULTS.md).
"""
import pytest

from nlp.evaluate import PARTS, evaluate, load_tsv


@pytest.fixture(scope="module")
def heldout(u):
    return evaluate(u, [r for p in PARTS["heldout"] for r in load_tsv(p)])


@pytest.fixture(scope="module")
def dev(u):
    return evaluate(u, [r for p in PARTS["dev"] for r in load_tsv(p)])


def test_sets_are_large_and_cover_all_types():
    from nlp.reading import DISPUTE_TYPES
    for part in ("dev", "heldout"):
        rows = [r for p in PARTS[part] for r in load_tsv(p)]
        assert len(rows) >= 200
        assert set(DISPUTE_TYPES) | {"none"} <= {g for g, _, _ in rows}


def test_dev_floor(dev):
    assert dev.accuracy >= 0.93
    assert dev.red_recall >= 0.95 and dev.red_precision >= 0.7


def test_heldout_floor(heldout):
    assert heldout.accuracy >= 0.82
    assert heldout.red_recall >= 0.65
    assert heldout.red_precision >= 0.7


@pytest.mark.xfail(reason="issue targets not yet met on the held-out set (see nlp/RESULTS.md)", strict=False)
def test_heldout_targets(heldout):
    assert heldout.accuracy >= 0.85
    assert heldout.red_recall >= 0.95 and heldout.red_precision >= 0.7
