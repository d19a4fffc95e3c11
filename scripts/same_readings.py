"""Does a change leave every reading of the labelled texts as it was?

The recorded validation (nlp/data/cv.json) is fingerprinted with the code that runs it
(nlp/cv_record.py), so a change to that code makes the record stale even when it changes
no figure (a faster pre-filter, a cache). Re-recording needs the real-text sets, which a
checkout may not have (they are not in git). This script compares, for every labelled text
(the chat sets, first contact, next rounds, ways of saying, and the real sets when present),
what every figure is computed from: the normalised text, the model's features, the
taxonomy's hits, the risk cues' hits and their statuses, and the reading itself, under
REV (checked out in a temporary worktree) and under the working tree.

    python scripts/same_readings.py REV [--every N] [--refingerprint]

With --refingerprint, when nothing differs, cv.json's committed fingerprint is set to the
working tree's: the record's figures stand for the new code because their inputs are the
same. Anything that differs is listed, and the record is left alone.
"""
from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def labelled_texts(every: int = 1) -> list[str]:
    """Every labelled text of this checkout (both codes read the same texts: a text added
    since REV is read by both too)."""
    sys.path.insert(0, str(ROOT))
    from nlp.corpus import chat_groups, real_groups, rows, ways_groups
    from nlp.understanding import DATA_DIR

    paths = [p for gs in (chat_groups(), ways_groups(), real_groups()) for ps in gs.values() for p in ps]
    paths += sorted((DATA_DIR / "firstcontact").glob("*.tsv")) + sorted((DATA_DIR / "next_round").glob("*.tsv"))
    return list(dict.fromkeys(x for _, _, x in rows(paths)))[::every]


def dump(texts: list[str]) -> list[tuple]:
    """What each text is read as, by the nlp package found first on sys.path."""
    from nlp.cli import _load_places
    from nlp.normalize import Normalizer
    from nlp.risk import RiskRules
    from nlp.train import CHOSEN, featurizer
    from nlp.understanding import Understanding

    norm, fz, rules = Normalizer(), featurizer(CHOSEN), RiskRules()
    u = Understanding(_load_places(None))
    out = []
    for t in texts:
        n = norm(t)
        feats, found, pairs = fz.read_pairs(n)
        r = u.read(t)
        out.append((n, sorted(feats), found, [(h.cue.id, h.start, h.end, h.words, h.status) for h in rules.hits(n, pairs)],
                    (r.type, r.confidence, r.runner_up, r.evidence, r.risk, r.risk_reasons, r.ask_safety)))
    return out


def dump_in(tree: Path, texts: Path, out: Path) -> list[tuple]:
    """`dump` of the texts pickled in `texts`, run by the code of `tree` (another process,
    that tree first on its path)."""
    code = ("import pickle, sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2]);"
            "from same_readings import dump; pickle.dump(dump(pickle.load(open(sys.argv[3], 'rb'))), open(sys.argv[4], 'wb'))")
    subprocess.run([sys.executable, "-c", code, str(tree), str(ROOT / "scripts"), str(texts), str(out)],
                   cwd=tree, check=True)
    with open(out, "rb") as f:
        return pickle.load(f)


def compare(texts: list[str], before: list[tuple], after: list[tuple]) -> list[str]:
    """The texts read differently."""
    return [t for t, a, b in zip(texts, before, after, strict=True) if a != b]


def refingerprint() -> tuple[str, str]:
    from nlp.cv_record import CV_RECORD, committed_fingerprint
    rec = json.loads(CV_RECORD.read_text(encoding="utf-8"))
    old = rec["fingerprint"]["committed"]
    rec["fingerprint"]["committed"] = committed_fingerprint()
    CV_RECORD.write_text(json.dumps(rec, ensure_ascii=False, indent=1, default=list) + "\n", encoding="utf-8")
    return old, rec["fingerprint"]["committed"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rev", help="the commit to compare with (e.g. HEAD, the last recorded one)")
    ap.add_argument("--every", type=int, default=1, help="every Nth text only (a quick look)")
    ap.add_argument("--refingerprint", action="store_true", help="when nothing differs, update cv.json's fingerprint")
    a = ap.parse_args(argv)
    texts = labelled_texts(a.every)
    with tempfile.TemporaryDirectory(prefix="jiefen-same-") as tmp:
        listed = Path(tmp) / "texts.pickle"
        with open(listed, "wb") as f:
            pickle.dump(texts, f)
        old_tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(old_tree), a.rev], check=True)
        try:
            before = dump_in(old_tree, listed, Path(tmp) / "before.pickle")
            after = dump_in(ROOT, listed, Path(tmp) / "after.pickle")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old_tree)], check=False)
    differ = compare(texts, before, after)
    print(f"{len(texts)} texts; {len(differ)} read differently")
    for t in differ[:20]:
        print("  " + t[:80])
    if differ:
        return 1
    if a.refingerprint and a.every == 1:
        print("cv.json committed fingerprint: {} -> {}".format(*refingerprint()))
    elif a.refingerprint:
        print("--refingerprint needs every text (--every 1): the record was left alone")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
