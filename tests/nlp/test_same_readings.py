"""scripts/same_readings.py: a change that reads every labelled text the same is told apart
from one that does not."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import same_readings  # noqa: E402


@pytest.fixture(scope="module")
def head_tree(tmp_path_factory):
    tree = tmp_path_factory.mktemp("same") / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), "HEAD"], check=True)
    yield tree
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)


@pytest.fixture(scope="module")
def texts(tmp_path_factory):
    import pickle
    listed = tmp_path_factory.mktemp("texts") / "texts.pickle"
    texts = same_readings.labelled_texts(150)
    with open(listed, "wb") as f:
        pickle.dump(texts, f)
    return texts, listed


def test_a_rule_taken_away_is_seen_and_the_same_code_is_not(head_tree, texts, tmp_path):
    texts, listed = texts
    assert len(texts) > 50
    risk = head_tree / "nlp" / "data" / "risk.yaml"
    same = same_readings.dump_in(head_tree, listed, tmp_path / "same.pickle")
    # read again by another process (another hash seed): the same
    assert same_readings.compare(texts, same, same_readings.dump_in(head_tree, listed, tmp_path / "again.pickle")) == []
    # two cues taken out (no will to live, wishing to die): the texts that named them read otherwise
    text = risk.read_text(encoding="utf-8")
    risk.write_text("".join(line for line in text.splitlines(keepends=True)
                            if "{id: wish_to_die," not in line and "{id: no_will_to_live," not in line),
                    encoding="utf-8")
    assert risk.read_text(encoding="utf-8") != text
    changed = same_readings.compare(texts, same, same_readings.dump_in(head_tree, listed, tmp_path / "changed.pickle"))
    assert changed, "a cue taken away changed no reading"
    assert len(changed) < len(texts) / 2


def test_a_difference_is_named_by_its_text():
    texts = ["甲", "乙"]
    assert same_readings.compare(texts, [(1,), (2,)], [(1,), (3,)]) == ["乙"]
    assert same_readings.compare(texts, [(1,), (2,)], [(1,), (2,)]) == []
