"""Figures for nlp/RESULTS.md.

1. Hotline label set (../shared/data/hotline_dev.csv): 5-fold stratified cross-validation
   of the learned-keyword model (nlp.learn, pure Python) against a TF-IDF (char n-grams)
   + LinearSVC baseline (scikit-learn, benchmark dependency only) on the same folds.
2. The built-in reading's leave-one-group-out validation, as recorded by
   `python -m nlp.train cv --record` (per chat author, per real source, red).

    python scripts/nlp_report.py [--csv PATH] [--folds 5] [--seed 0] [--skip-chat] [--record-hotline]

--record-hotline writes the hotline comparison (every seed, the means, a hash of the CSV
and of nlp/learn.py) into nlp/data/cv.json, where the suite checks it (the CSV is not in
git: JIEFEN_HOTLINE_CSV, default ../shared/data/hotline_dev.csv).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def hotline_cv(csv_path: str, folds: int, seed: int, **train_kw) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC

    from nlp.learn import Featurizer, LearnedModel, read_csv

    texts, labels = read_csv(csv_path, ["title", "detail"], "label")
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    fz = Featurizer()
    ours_pred = [None] * len(texts)
    base_pred = [None] * len(texts)
    t_ours = t_base = 0.0
    for tr, te in skf.split(texts, labels):
        t0 = time.perf_counter()
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
        Xtr = vec.fit_transform([texts[i] for i in tr])
        clf = LinearSVC(C=1.0).fit(Xtr, [labels[i] for i in tr])
        for i, p in zip(te, clf.predict(vec.transform([texts[i] for i in te])), strict=False):
            base_pred[i] = p
        t_base += time.perf_counter() - t0
        t0 = time.perf_counter()
        m = LearnedModel.train([texts[i] for i in tr], [labels[i] for i in tr], featurizer=fz, **train_kw)
        for i in te:
            ours_pred[i] = m.predict(texts[i])
        t_ours += time.perf_counter() - t0
    return {
        "rows": len(texts), "labels": len(set(labels)), "folds": folds, "seed": seed,
        "ours_acc": accuracy_score(labels, ours_pred), "ours_f1": f1_score(labels, ours_pred, average="macro"),
        "base_acc": accuracy_score(labels, base_pred), "base_f1": f1_score(labels, base_pred, average="macro"),
        "ours_s": t_ours, "base_s": t_base,
    }


def hotline_csv_default() -> str:
    import os
    return os.environ.get("JIEFEN_HOTLINE_CSV") or str(ROOT.parent / "shared" / "data" / "hotline_dev.csv")


def record_hotline(csv_path: str, folds: int, runs: list[dict]) -> dict:
    """Write the comparison into nlp/data/cv.json (key `hotline`)."""
    import hashlib
    import json

    from nlp.cv_record import CV_RECORD, hotline_fingerprint
    keys = ("ours_acc", "ours_f1", "base_acc", "base_f1")
    rec = json.loads(CV_RECORD.read_text(encoding="utf-8"))
    rec["hotline"] = {
        "csv": Path(csv_path).name, "csv_sha256": hashlib.sha256(Path(csv_path).read_bytes()).hexdigest()[:16],
        "code": hotline_fingerprint(), "folds": folds, "rows": runs[0]["rows"], "labels": runs[0]["labels"],
        "baseline": "TfidfVectorizer(char_wb, 1-3, sublinear_tf) + LinearSVC(C=1), same folds",
        "runs": [{"seed": r["seed"], **{k: round(r[k], 4) for k in keys}} for r in runs],
        "mean": {k: round(sum(r[k] for r in runs) / len(runs), 4) for k in keys}}
    CV_RECORD.write_text(json.dumps(rec, ensure_ascii=False, indent=1, default=list) + "\n", encoding="utf-8")
    return rec["hotline"]


def cv_figures() -> list[str]:
    """The leave-one-group-out figures recorded by `python -m nlp.train cv --record`
    (nlp/data/cv.json): type accuracy per chat author and per real source, red."""
    import json

    from nlp.corpus import chat_groups
    from nlp.cv_record import CV_RECORD, fingerprint
    rec = json.loads(CV_RECORD.read_text(encoding="utf-8"))
    chat = set(chat_groups())
    now = fingerprint()
    was = rec["fingerprint"]
    real = ("real sets: as recorded" if now["real"] == was["real"] else
            "real sets: absent here" if not now["real"] else "real sets: NOT the recorded ones")
    out = [f"recorded validation (chat sets, rules, settings, code: "
           f"{'as recorded' if now['committed'] == was['committed'] else 'CHANGED since the record'}; {real})", "",
           "| left out | kind | n | type accuracy | sources known (5 random folds) |",
           "| --- | --- | --- | --- | --- |"]
    known = (rec["types"].get("real_sources_known") or {}).get("groups", {})
    for g, v in sorted(rec["types"]["groups"].items(), key=lambda kv: (kv[0] not in chat, kv[0])):
        k = known.get(g)
        out.append(f"| {g} | {'chat voice' if g in chat else 'real source'} | {v['n']} | {v['correct'] / v['n']:.3f} | "
                   + (f"{k['correct'] / k['n']:.3f} |" if k else "|"))
    for k in ("chat", "real"):
        t = rec["types"][k]
        kn = rec["types"].get("real_sources_known") if k == "real" else None
        out.append(f"| **all {k}** | | {t['n']} | **{t['accuracy']:.3f}** | "
                   + (f"**{kn['accuracy']:.3f}** |" if kn else "|"))
    out += ["", "| red, left out | reds | recall | red or safety question | non-red read red per 1,000 | "
                "safety question on non-red per 1,000 |", "| --- | --- | --- | --- | --- | --- |"]
    for k, name in (("chat", "every chat author"), ("new_voices", "newest authors (the w sets, ~10% red)")):
        r = rec["red"][k]
        out.append(f"| {name} | {r['red']} | {r['recall']:.3f} | {r['red_or_asked']:.3f} | "
                   f"{r['false_red_per_1000']:.1f} ({r['fp']}/{r['neg']}) | {r['asked_per_1000']:.1f} |")
    g = rec["red"]["real_green"]
    out.append(f"| real texts marked green (headlines, chit-chat, praise) | 0 | – | – | {g['fp']} of {g['neg']} | "
               f"{g['asked_per_1000']:.1f} |")
    h = rec.get("hotline")
    if h:
        out += ["", f"hotline label set ({h['csv']}, {h['rows']} rows, {h['labels']} labels, "
                    f"{h['folds']}-fold, same folds): "
                    f"nlp/learn.py against {h['baseline']}", "",
                "| fold seed | ours accuracy | ours macro-F1 | baseline accuracy | baseline macro-F1 |",
                "| --- | --- | --- | --- | --- |"]
        for r in h["runs"] + [{"seed": "mean", **h["mean"]}]:
            out.append(f"| {r['seed']} | {r['ours_acc']:.3f} | {r['ours_f1']:.3f} | {r['base_acc']:.3f} | "
                       f"{r['base_f1']:.3f} |")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", default=hotline_csv_default())
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, action="append")
    ap.add_argument("--skip-chat", action="store_true", help="leave out the recorded validation tables")
    ap.add_argument("--skip-hotline", action="store_true",
                    help="do not re-run the hotline comparison (needs the CSV); the recorded one is printed")
    ap.add_argument("--record-hotline", action="store_true", help="write the hotline comparison into nlp/data/cv.json")
    args = ap.parse_args()
    seeds = [] if args.skip_hotline else (args.seed or [0])
    if seeds:
        print("| seed | rows | ours acc | ours macro-F1 | baseline acc | baseline macro-F1 |")
        print("| --- | --- | --- | --- | --- | --- |")
    runs = []
    for s in seeds:
        r = hotline_cv(args.csv, args.folds, s)
        runs.append(r)
        print(f"| {s} | {r['rows']} | {r['ours_acc']:.3f} | {r['ours_f1']:.3f} | {r['base_acc']:.3f} | "
              f"{r['base_f1']:.3f} |",
              flush=True)
    if args.record_hotline and runs:
        h = record_hotline(args.csv, args.folds, runs)
        print(f"| mean | | {h['mean']['ours_acc']:.3f} | {h['mean']['ours_f1']:.3f} | {h['mean']['base_acc']:.3f} | "
              f"{h['mean']['base_f1']:.3f} |\nrecorded in nlp/data/cv.json")
    if not args.skip_chat:
        print()
        print("\n".join(cv_figures()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
