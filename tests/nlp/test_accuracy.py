"""Floors on the development data and on the recorded cross-validation.

The shipped model is trained on every labelled set (chat authors and real sources), so
reading those sets again only guards against regressions. The evidence is the
leave-one-group-out validation (`python -m nlp.train cv --record --kfold 5`, too slow for
the suite: it trains one model per group), recorded in nlp/data/cv.json with a fingerprint
of everything it depends on; the suite checks that the record is the current one and that
its figures hold. Blind sets are scored by `jiefen nlp report --data FILE`, not here.

The real-text sets are third-party text and not in git (nlp/corpus.py: $JIEFEN_REAL_DATA,
default nlp/data/real/). Without them the committed part of the fingerprint (chat sets,
rules, settings, code) and every recorded figure are still checked; the tests that read
the real sets themselves are skipped, saying so.
"""
import json

import pytest

from nlp.corpus import real_dir, real_groups
from nlp.evaluate import evaluate, load_tsv, parts
from nlp.reading import DISPUTE_TYPES

needs_real = pytest.mark.skipif(
    not real_groups(), reason="no real-text sets: build them with scripts/build_real_sets.py and set "
                              f"JIEFEN_REAL_DATA (looked in {real_dir()})")


@pytest.fixture(scope="module")
def record():
    from nlp.cv_record import CV_RECORD
    return json.loads(CV_RECORD.read_text(encoding="utf-8"))


RERUN = "run: python -m nlp.train write && python -m nlp.train cv --record --kfold 5 (with the real sets)"


def test_record_is_of_the_current_chat_sets_rules_settings_and_code(record):
    from nlp.cv_record import committed_fingerprint
    from nlp.train import CHOSEN
    assert record["fingerprint"]["committed"] == committed_fingerprint(), RERUN
    assert {k: (list(v) if isinstance(v, tuple) else v) for k, v in CHOSEN.items()} == record["config"]


@needs_real
def test_record_is_of_the_real_sets_present(record):
    from nlp.cv_record import headline_fingerprint, real_fingerprints
    assert record["fingerprint"]["real"] == real_fingerprints(), RERUN
    assert record["fingerprint"]["headlines"] == headline_fingerprint(), RERUN


def test_record_covers_every_group(record):
    from nlp.corpus import chat_groups
    groups = record["types"]["groups"]
    real = set(groups) - set(chat_groups())
    assert set(chat_groups()) <= set(groups)
    # the real sources it was run with: the ones in the fingerprint, each scored
    assert real == set(record["fingerprint"]["real"]) and len(real) >= 8
    assert sum(groups[g]["n"] for g in real) == record["types"]["real"]["n"] >= 1500


def test_cross_validated_types(record):
    # leave one group out: a chat author or a real source the model never saw
    # measured (session 45: 123 chat authors; the 8 fetched real sources, 2,351 rows, the
    # page excerpts retired): chat 0.936, real 0.753 with each source left out, 0.847 with the
    # sources known (5 random folds over the real rows). With the five page sets (13 sources,
    # 3,004 rows) the last two were 0.784 / 0.856: those sets were the easiest real text, so the
    # sources-known floor moved from 0.85 to 0.83 with the sets, not with the reading
    assert record["types"]["chat"]["accuracy"] >= 0.90
    assert record["types"]["real"]["accuracy"] >= 0.72
    assert record["types"]["real_sources_known"]["accuracy"] >= 0.83


def test_cross_validated_red(record):
    red = record["red"]
    # red = a kept strong cue, or a weak one the learned reading confirms (never the
    # learned score alone); tiers chosen inside each fold
    # measured (30 authors): chat 0.915 / 10 per 1,000; the seventeen newest authors (~10%
    # red, like real intake) 0.918 / 14 per 1,000 (calm reds without the words the cues look
    # for get the safety question); red or asked 0.982 / 0.985, 42 questions per 1,000
    # ordinary messages. These figures are in-sample for the cues, which were completed on
    # the misses of earlier authors: each fresh author's first contact is the honest
    # estimate (w13-w15, read before they were trained on: red recall 0.59 / 0.78 / 0.81,
    # red or asked 0.78 / 1.00 / 0.88; w16 0.84, w17 0.66, w18 0.69, w19 0.91)
    assert red["chat"]["recall"] >= 0.905 and red["chat"]["false_red_per_1000"] <= 12
    assert red["new_voices"]["recall"] >= 0.91 and red["new_voices"]["false_red_per_1000"] <= 25
    assert red["chat"]["red_or_asked"] >= 0.98
    assert red["chat"]["asked_per_1000"] <= 45
    # news headlines, chit-chat and praise: never red
    assert red["real_green"]["fp"] <= 1


def test_chat_sets_are_large_and_cover_all_types():
    chat = [r for f in parts()["chat"] for r in load_tsv(f)]
    assert len(chat) >= 4000
    assert set(DISPUTE_TYPES) | {"none"} <= {g for g, _, _ in chat}


@needs_real
def test_real_sets_are_large_and_cover_all_types():
    real = [r for f in parts()["real"] for r in load_tsv(f)]
    assert len(real) >= 1500
    assert set(DISPUTE_TYPES) | {"none"} <= {g for g, _, _ in real}


@pytest.fixture(scope="module")
def chat_report(u):
    return evaluate(u, [r for f in parts()["chat"] for r in load_tsv(f)])


def test_trained_chat_floor(chat_report):
    # training data: regression guards, not evidence. Measured: type 1.000, red recall
    # 0.955 (rules: a weak cue the model does not confirm stays yellow), 4 non-red per
    # 1,000 read red, red or asked 0.995
    assert chat_report.accuracy >= 0.99
    assert chat_report.red_recall >= 0.94
    assert chat_report.false_red_per_1000 <= 6
    assert chat_report.red_or_asked_recall >= 0.99


@needs_real
def test_trained_real_floor(u):
    rep = evaluate(u, [r for f in parts()["real"] for r in load_tsv(f)])
    assert rep.accuracy >= 0.99
    assert rep.red_fp == 0          # no headline, chit-chat or praise read red


def test_hotline_label_set_beats_tfidf_linearsvc(record):
    """The county's own label set (nlp/learn.py) against TF-IDF + LinearSVC on the same
    folds of the hotline CSV (scripts/nlp_report.py --record-hotline; the CSV is not in
    git). Measured: 0.785 against 0.711 (+7.4 points) over three fold seeds."""
    from nlp.cv_record import hotline_fingerprint
    h = record["hotline"]
    assert h["code"] == hotline_fingerprint(), "run: python scripts/nlp_report.py --skip-chat --seed 10 --seed 11 " \
                                               "--seed 12 --record-hotline"
    assert len(h["runs"]) >= 3 and h["rows"] >= 200
    assert h["mean"]["ours_acc"] >= h["mean"]["base_acc"] + 0.05
    assert all(r["ours_acc"] > r["base_acc"] for r in h["runs"])


def test_hotline_record_is_of_the_csv_present(record):
    import hashlib
    import os
    from pathlib import Path
    default = Path(__file__).resolve().parents[3] / "shared" / "data" / "hotline_dev.csv"
    csv = Path(os.environ.get("JIEFEN_HOTLINE_CSV") or default)
    if not csv.exists():
        pytest.skip(f"no hotline CSV at {csv} (JIEFEN_HOTLINE_CSV)")
    assert record["hotline"]["csv_sha256"] == hashlib.sha256(csv.read_bytes()).hexdigest()[:16]
