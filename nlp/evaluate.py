"""Accuracy on the labelled chat sets (nlp/data/eval_chat_*.tsv).

Lines: type<TAB>risk<TAB>text; '#' comments; type '*' = risk only.
The dev part is tuned on; the held-out part is only evaluated (see nlp/RESULTS.md).
"""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from nlp.reading import DISPUTE_TYPES, NOT_A_DISPUTE

DATA_DIR = Path(__file__).with_name("data")
PARTS = {"dev": [DATA_DIR / "eval_chat_dev.tsv", DATA_DIR / "eval_chat_dev4.tsv"],
         "heldout": [DATA_DIR / "eval_chat_heldout.tsv"],
         "heldout2": [DATA_DIR / "eval_chat_heldout2.tsv"],
         "heldout3": [DATA_DIR / "eval_chat_heldout3.tsv"],
         "heldout4": [DATA_DIR / "eval_chat_heldout4.tsv"]}
# "heldout" (round 1) has been looked at and tuned on since round 3: it is dev now,
# kept as a part of its own so its figures stay comparable across rounds
# "heldout3" became dev for TYPES in round 4 (its type errors were printed; its risk
# errors were not). "heldout4" is blind.
# round 5: eight sets by eight fresh authors (nlp/data/gen/); two of them, drawn at random,
# stay blind (nlp/author_cv.py BLIND); the chat model is trained on every other set,
# held-out 1-4 included, so those are dev from round 5 on
_GEN = DATA_DIR / "gen"
# drawn with random.Random(2026).sample(sorted(names), 2) before any set was looked at
BLIND = ("v2_urban_young", "v3_migrant_workers")
PARTS["gen"] = [p for p in sorted(_GEN.glob("*.tsv")) if p.stem not in BLIND]
PARTS["blind"] = [_GEN / f"{n}.tsv" for n in BLIND]
PARTS["trained"] = (PARTS["dev"] + PARTS["heldout"] + PARTS["heldout2"] + PARTS["heldout3"] + PARTS["heldout4"]
                    + PARTS["gen"])
PARTS["all"] = (PARTS["dev"] + PARTS["heldout"] + PARTS["heldout2"] + PARTS["heldout3"] + PARTS["heldout4"]
                + PARTS["gen"] + PARTS["blind"])


def load_tsv(path) -> list[tuple[str, str, str]]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                raise ValueError(f"{path}: bad line {line!r}")
            rows.append((parts[0], parts[1], parts[2]))
    return rows


@dataclass
class Report:
    n: int = 0
    correct: int = 0
    per_type: dict = field(default_factory=dict)       # type -> (precision, recall, support)
    red_tp: int = 0
    red_fp: int = 0
    red_fn: int = 0
    red_asked: int = 0       # red lines read as not red, but with the safety question asked
    neg: int = 0             # lines not labelled red
    neg_asked: int = 0       # ... read as not red, with the safety question asked
    errors: list = field(default_factory=list)         # (gold, pred, text)
    risk_errors: list = field(default_factory=list)    # (gold, pred, text, reasons)

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def red_recall(self) -> float:
        d = self.red_tp + self.red_fn
        return self.red_tp / d if d else 1.0

    @property
    def red_precision(self) -> float:
        d = self.red_tp + self.red_fp
        return self.red_tp / d if d else 1.0

    @property
    def red_or_asked_recall(self) -> float:
        """Red lines that were read red or got the safety question."""
        d = self.red_tp + self.red_fn
        return (self.red_tp + self.red_asked) / d if d else 1.0

    @property
    def false_red_per_1000(self) -> float:
        """Non-red lines read as red, per 1,000 (independent of the share of reds in a set)."""
        return 1000.0 * self.red_fp / self.neg if self.neg else 0.0

    @property
    def asked_per_1000(self) -> float:
        """Non-red lines (read as not red) that got the safety question, per 1,000."""
        return 1000.0 * self.neg_asked / self.neg if self.neg else 0.0


def evaluate(understanding, rows) -> Report:
    rep = Report()
    tp, fp, fn, sup = Counter(), Counter(), Counter(), Counter()
    for gold, gold_risk, text in rows:
        r = understanding.read(text)
        if gold != "*":
            rep.n += 1
            sup[gold] += 1
            if r.type == gold:
                rep.correct += 1
                tp[gold] += 1
            else:
                fp[r.type] += 1
                fn[gold] += 1
                rep.errors.append((gold, r.type, text, r.evidence))
        if gold_risk == "red" and r.risk == "red":
            rep.red_tp += 1
        elif gold_risk == "red":
            rep.red_fn += 1
            rep.red_asked += r.ask_safety
            rep.risk_errors.append((gold_risk, r.risk + ("?" if r.ask_safety else ""), text, r.risk_reasons))
        else:
            rep.neg += 1
            if r.risk == "red":
                rep.red_fp += 1
                rep.risk_errors.append((gold_risk, r.risk, text, r.risk_reasons))
            elif r.ask_safety:
                rep.neg_asked += 1
    for t in list(DISPUTE_TYPES) + [NOT_A_DISPUTE]:
        p = tp[t] / (tp[t] + fp[t]) if tp[t] + fp[t] else 0.0
        rc = tp[t] / sup[t] if sup[t] else 0.0
        rep.per_type[t] = (p, rc, sup[t])
    return rep


def format_report(rep: Report, title: str = "") -> str:
    from nlp.reading import TYPE_NAMES
    out = []
    if title:
        out.append(f"## {title}")
    out.append(f"{'type':<18}{'name':<8}{'precision':>10}{'recall':>8}{'n':>5}")
    for t, (p, r, n) in rep.per_type.items():
        out.append(f"{t:<18}{TYPE_NAMES.get(t, t):<8}{p:>10.2f}{r:>8.2f}{n:>5}")
    out.append(f"type accuracy {rep.accuracy:.3f} ({rep.correct}/{rep.n})")
    out.append(f"red recall {rep.red_recall:.3f} ({rep.red_tp}/{rep.red_tp + rep.red_fn}), "
               f"red precision {rep.red_precision:.3f} ({rep.red_tp}/{rep.red_tp + rep.red_fp}), "
               f"non-red read as red {rep.false_red_per_1000:.0f} per 1,000 ({rep.red_fp}/{rep.neg})")
    out.append(f"red or safety question {rep.red_or_asked_recall:.3f} ({rep.red_tp + rep.red_asked}/{rep.red_tp + rep.red_fn}), "
               f"safety question on non-red {rep.asked_per_1000:.0f} per 1,000 ({rep.neg_asked}/{rep.neg})")
    return "\n".join(out)


def main_report(args) -> int:
    from nlp.cli import _load_places
    from nlp.understanding import Understanding
    paths = [Path(p) for p in args.data] if args.data else PARTS[args.part]
    u = Understanding(_load_places(args.registry))
    rows = [row for p in paths for row in load_tsv(p)]
    rep = evaluate(u, rows)
    print(format_report(rep, ", ".join(p.name for p in paths)))
    if args.errors:
        print("\n# type errors (gold → predicted)")
        for g, p, t, ev in rep.errors:
            print(f"{g:>16} → {p:<16} {t}   {list(ev)}")
        print("\n# red errors (gold → predicted)")
        for g, p, t, rs in rep.risk_errors:
            print(f"{g:>7} → {p:<7} {t}   {list(rs)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    from nlp.cli import main
    sys.exit(main(["nlp", "report", *sys.argv[1:]]))
