"""Figures for nlp/RESULTS.md.

1. Hotline label set (../shared/data/hotline_dev.csv): 5-fold stratified cross-validation
   of the learned-keyword model (nlp.learn, pure Python) against a TF-IDF (char n-grams)
   + LinearSVC baseline (scikit-learn, benchmark dependency only) on the same folds.
2. Chat sets: type accuracy and red recall/precision on the sets the chat model was
   trained on and on the two blind sets (the out-of-author estimate is
   `python -m nlp.author_cv cv`).

    python scripts/nlp_report.py [--csv PATH] [--folds 5] [--seed 0] [--skip-chat]
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
        for i, p in zip(te, clf.predict(vec.transform([texts[i] for i in te]))):
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


def chat_figures() -> list[str]:
    from nlp.cli import _load_places
    from nlp.evaluate import PARTS, evaluate, load_tsv
    from nlp.understanding import Understanding
    u = Understanding(_load_places(None))
    out = []
    for part in ("trained", "blind"):
        rows = [r for p in PARTS[part] for r in load_tsv(p)]
        rep = evaluate(u, rows)
        out.append(f"| {part} | {rep.n} | {rep.accuracy:.3f} | {rep.red_recall:.3f} ({rep.red_tp}/{rep.red_tp + rep.red_fn}) "
                   f"| {rep.red_precision:.3f} ({rep.red_tp}/{rep.red_tp + rep.red_fp}) |")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", default=str(ROOT.parent / "shared" / "data" / "hotline_dev.csv"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, action="append")
    ap.add_argument("--skip-chat", action="store_true")
    args = ap.parse_args()
    seeds = args.seed or [0]
    print("| seed | rows | ours acc | ours macro-F1 | baseline acc | baseline macro-F1 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for s in seeds:
        r = hotline_cv(args.csv, args.folds, s)
        print(f"| {s} | {r['rows']} | {r['ours_acc']:.3f} | {r['ours_f1']:.3f} | {r['base_acc']:.3f} | {r['base_f1']:.3f} |",
              flush=True)
    if not args.skip_chat:
        print("\n| chat set | n | type accuracy | red recall | red precision |")
        print("| --- | --- | --- | --- | --- |")
        print("\n".join(chat_figures()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
