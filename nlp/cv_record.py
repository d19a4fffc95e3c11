"""The record of the validation (nlp/data/cv.json): its figures, and the fingerprint of what
they depend on (the chat sets, the rules, the settings, the code that runs them; the real
sets, one hash per source), which the suite checks against the files in the checkout."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from nlp.corpus import chat_groups, real_dir, real_groups, rows, ways_groups
from nlp.headline import load_titles
from nlp.train import CHOSEN, DATA_DIR, FOLDS, TIER_RULE, Line

CV_RECORD = DATA_DIR / "cv.json"


# the code the validation runs (reading the sets, features, rules, decision, training)
CODE_FILES = ("normalize.py", "scanner.py", "prefilter.py", "pattern_facts.py", "alternatives.py", "tiers.py", "segment.py", "features.py", "risk.py", "negation.py",
              "clauses.py", "decision.py",
              "chat_model.py", "train.py", "corpus.py", "files.py", "headline.py")
DATA_FILES = ("taxonomy.yaml", "risk.yaml", "typos.yaml", "words.json", "decision.yaml", "headline.json")


def fingerprint() -> dict:
    """What the recorded validation depends on: `committed` (the chat sets, the vocabulary,
    the rules, the decision and training settings, and the code that runs them), which
    every checkout can check; `real` (one hash per real-text source) and `headlines` (the
    news titles), which only a checkout with the real sets can (not in git: nlp/corpus.py)."""
    return {"committed": committed_fingerprint(), "real": real_fingerprints(), "headlines": headline_fingerprint()}


def committed_fingerprint() -> str:
    import hashlib
    h = hashlib.sha256()
    for g, paths in sorted({**chat_groups(), **ways_groups()}.items()):
        h.update(g.encode())
        for r in rows(paths):
            h.update("\t".join(r).encode() + b"\n")
    for n in DATA_FILES:
        h.update(n.encode())
        h.update((DATA_DIR / n).read_bytes())
    for n in CODE_FILES:
        h.update(n.encode())
        h.update(_code_tokens(Path(__file__).with_name(n)))
    h.update(json.dumps([CHOSEN, TIER_RULE, FOLDS], sort_keys=True, default=list).encode())
    return h.hexdigest()[:16]


def real_fingerprints() -> dict[str, str]:
    """One hash per real source present: of its rows (type, risk, text), not of its
    comment lines, so a rebuild with scripts/build_real_sets.py matches."""
    import hashlib
    out = {}
    for g, paths in sorted(real_groups().items()):
        h = hashlib.sha256()
        for r in rows(paths):
            h.update("\t".join(r).encode() + b"\n")
        out[g] = h.hexdigest()[:16]
    return out


def headline_fingerprint() -> str | None:
    """Of the news titles the headline test is cross-fitted with (scripts/build_headlines.py),
    when present; like the real sets, outside git."""
    import hashlib
    titles = load_titles(real_dir())
    return hashlib.sha256("\n".join(titles).encode()).hexdigest()[:16] if titles else None


def hotline_fingerprint() -> str:
    """The code of the hotline comparison (scripts/nlp_report.py --record-hotline): the
    label-set learner and what it reads texts with."""
    import hashlib
    h = hashlib.sha256()
    for n in ("learn.py", "normalize.py", "scanner.py", "prefilter.py", "chat_model.py", "files.py"):
        h.update(n.encode())
        h.update(_code_tokens(Path(__file__).with_name(n)))
    h.update((DATA_DIR / "typos.yaml").read_bytes())
    return h.hexdigest()[:16]


def _code_tokens(path: Path) -> bytes:
    """A module's tokens without comments and layout: editing a comment does not make the
    record stale, changing what the code does does."""
    import io
    import tokenize
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENCODING, tokenize.ENDMARKER}
    toks = tokenize.tokenize(io.BytesIO(path.read_bytes()).readline)
    return "\x00".join(t.string for t in toks if t.type not in skip).encode()


def record(cfg: dict, out: dict, lines: list[Line], colour: dict, kfold: dict | None = None,
           folds: int = FOLDS) -> dict:
    """The validation figures of the settings in use, for README/RESULTS and the suite's
    floors (tests/nlp/test_accuracy.py checks them against this fingerprint)."""
    chat = {l.group for l in lines if l.kind == "chat"}
    t = out["types"]

    def pooled(gs):
        a, b = sum(t[g][0] for g in gs), sum(t[g][1] for g in gs)
        return {"correct": a, "n": b, "accuracy": round(a / max(b, 1), 4)}
    (key, agg), = [(k, v) for k, v in out["colour"].items()]
    red = {}
    ways = {l.group for l in lines if l.kind == "ways"}
    for name, keep in (("chat", lambda g: g in chat), ("new_voices", lambda g: g in chat and g.startswith("w")),
                       ("real_green", lambda g: g == "real"), ("ways_of_saying", lambda g: g in ways)):
        a = defaultdict(int)
        for g, v in agg.items():
            if keep(g):
                for k, x in v.items():
                    a[k] += x
        red[name] = {**a, "recall": round(a["tp"] / max(a["red"], 1), 4),
                     "red_or_asked": round((a["tp"] + a["asked"]) / max(a["red"], 1), 4),
                     "false_red_per_1000": round(1000 * a["fp"] / max(a["neg"], 1), 1),
                     "asked_per_1000": round(1000 * a["neg_asked"] / max(a["neg"], 1), 1)}
    rec = {"fingerprint": fingerprint(), "config": cfg, "tier_rule": TIER_RULE, "folds": folds, "colour": colour,
           "types": {"chat": pooled(sorted(chat)), "real": pooled(sorted(set(t) - chat)),
                     "groups": {g: {"correct": a, "n": b} for g, (a, b) in sorted(t.items())}},
           "red": red}
    if CV_RECORD.exists():
        # the hotline comparison is recorded by scripts/nlp_report.py --record-hotline
        old = json.loads(CV_RECORD.read_text(encoding="utf-8"))
        if "hotline" in old:
            rec["hotline"] = old["hotline"]
    if kfold:
        ok, n = sum(v[0] for v in kfold.values()), sum(v[1] for v in kfold.values())
        rec["types"]["real_sources_known"] = {"correct": ok, "n": n, "accuracy": round(ok / max(n, 1), 4),
                                              "groups": {g: {"correct": a, "n": b}
                                                         for g, (a, b) in sorted(kfold.items())}}
    CV_RECORD.write_text(json.dumps(rec, ensure_ascii=False, indent=1, default=list) + "\n", encoding="utf-8")
    return rec
