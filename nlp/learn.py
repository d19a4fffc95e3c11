"""Label sets learned from a ledger of labelled past cases (`jiefen nlp train`).

Pure Python (no scikit-learn, no numpy at runtime). Features: jieba tokens (private
tokenizer) and character unigrams/bigrams of the normalised text, sub-linear tf × idf,
L2-normalised. The model is linear: Complement Naive Bayes weights (Rennie et al. 2003,
smoothing alpha=0.1), optionally refined by epochs of averaged one-vs-rest hinge SGD
(`epochs`, off by default: on the hotline data 5-fold CV preferred plain CNB). Saved as JSON in DIR (model.json) with the learned weighted keywords per label
(keywords.yaml, for people to read).
"""
from __future__ import annotations

import csv
import json
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from nlp.chat_model import _DIGITS, _PUNCT, grams
from nlp.normalize import Normalizer

MODEL_FILE = "model.json"


@dataclass(frozen=True)
class TypeResult:
    type: str
    confidence: float
    runner_up: str | None
    evidence: tuple[str, ...]
    scores: dict


def _softconf(top: float, second: float) -> float:
    if top <= 0:
        return 0.0
    margin = top / (top + second) if top + second > 0 else 1.0
    strength = 1.0 - math.exp(-top / 3.0)
    return round(max(0.0, min(1.0, strength * (0.4 + 0.6 * margin))), 3)


def _jieba_tokenizer():
    import logging

    import jieba
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    return tk


class Featurizer:
    def __init__(self, ngram=(1, 2), use_words=True, tokenizer=None):
        self.ngram = tuple(ngram)
        self.use_words = use_words
        self._tk = tokenizer
        self._norm = Normalizer()

    def attach(self, tokenizer_factory: Callable | None) -> None:
        if tokenizer_factory is not None and self._tk is None:
            self._tk = tokenizer_factory() if callable(tokenizer_factory) else tokenizer_factory

    @property
    def tokenizer(self):
        if self._tk is None:
            self._tk = _jieba_tokenizer()
        return self._tk

    def counts(self, text: str, normalised: bool = False) -> Counter:
        t = _DIGITS.sub("0", text if normalised else self._norm(text))
        c: Counter = Counter("c:" + g for g in grams(t, self.ngram))
        if self.use_words:
            for w in self.tokenizer.lcut(t):
                w = w.strip()
                if len(w) >= 2 and not _PUNCT.fullmatch(w):
                    c["w:" + w] += 1
        return c


def _tfidf(c: Counter, idf: dict[str, float]) -> dict[str, float]:
    v = {f: (1.0 + math.log(n)) * idf[f] for f, n in c.items() if f in idf}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {f: x / norm for f, x in v.items()}


class LearnedModel:
    def __init__(self, labels: Sequence[str], weights: dict[str, list[float]], bias: list[float],
                 idf: dict[str, float], config: dict):
        self.labels = list(labels)
        self.weights = weights
        self.bias = bias
        self.idf = idf
        self.config = config
        self.featurizer = Featurizer(tuple(config.get("ngram", (1, 2))), bool(config.get("use_words", True)))

    # -- training ---------------------------------------------------------------
    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str], *, ngram=(1, 2), use_words=True,
              min_df: int = 2, epochs: int = 0, lr: float = 0.2, nb_scale: float = 50.0, seed: int = 13, alpha: float = 0.1,
              featurizer: Featurizer | None = None, progress: Callable | None = None) -> "LearnedModel":
        fz = featurizer or Featurizer(ngram, use_words)
        docs = [fz.counts(t) for t in texts]
        df: Counter = Counter()
        for d in docs:
            df.update(d.keys())
        n = len(docs)
        idf = {f: math.log((1 + n) / (1 + k)) + 1.0 for f, k in df.items() if k >= min_df}
        X = [_tfidf(d, idf) for d in docs]
        labs = sorted(set(labels))
        li = {l: i for i, l in enumerate(labs)}
        y = [li[l] for l in labels]
        K = len(labs)
        # Complement NB warm start (Rennie et al. 2003), scaled down
        tot_c = [defaultdict(float) for _ in range(K)]
        all_f: dict[str, float] = defaultdict(float)
        for x, yi in zip(X, y):
            for f, v in x.items():
                tot_c[yi][f] += v
                all_f[f] += v
        W: dict[str, list[float]] = {f: [0.0] * K for f in idf}
        V = len(idf)
        grand = sum(all_f.values())
        for k in range(K):
            comp_tot = grand - sum(tot_c[k].values())
            logs = {}
            for f in idf:
                comp = all_f.get(f, 0.0) - tot_c[k].get(f, 0.0)
                logs[f] = math.log((comp + alpha) / (comp_tot + alpha * V))
            s = sum(abs(v) for v in logs.values()) or 1.0
            mean = sum(logs.values()) / max(len(logs), 1)
            for f, v in logs.items():
                W[f][k] = -(v - mean) / s * nb_scale
        b = [0.0] * K
        # averaged one-vs-rest hinge-loss SGD (perceptron with margin), warm-started
        rnd = random.Random(seed)
        order = list(range(n))
        Wsum: dict[str, list[float]] = {f: [0.0] * K for f in W}
        bsum = [0.0] * K
        for ep in range(epochs):
            rnd.shuffle(order)
            for i in order:
                x, yi = X[i], y[i]
                for k in range(K):
                    sc = b[k]
                    for f, v in x.items():
                        sc += W[f][k] * v
                    target = 1.0 if k == yi else -1.0
                    if target * sc < 1.0:
                        step = lr * target
                        for f, v in x.items():
                            W[f][k] += step * v
                        b[k] += step * 0.1
            for f, w in W.items():
                ws = Wsum[f]
                for k in range(K):
                    ws[k] += w[k]
            for k in range(K):
                bsum[k] += b[k]
            if progress:
                progress(ep)
        count = epochs
        if epochs == 0:
            Wsum, bsum, count = W, b, 1
        Wavg = {f: [v / count for v in ws] for f, ws in Wsum.items()}
        bavg = [v / count for v in bsum]
        # prune tiny weights
        Wavg = {f: [round(v, 5) for v in ws] for f, ws in Wavg.items() if max(abs(v) for v in ws) > 1e-4}
        config = {"ngram": list(fz.ngram), "use_words": fz.use_words, "min_df": min_df, "epochs": epochs,
                  "lr": lr, "nb_scale": nb_scale, "alpha": alpha, "n_train": n}
        m = cls(labs, Wavg, bavg, {f: round(v, 5) for f, v in idf.items() if f in Wavg}, config)
        m.featurizer = fz
        return m

    # -- use ----------------------------------------------------------------------
    def attach(self, tokenizer_factory) -> None:
        """Share the Understanding's private jieba tokenizer (lazy)."""
        self.featurizer._tk = None
        self._factory = tokenizer_factory

    def _features(self, text: str, normalised: bool) -> dict[str, float]:
        fz = self.featurizer
        if fz._tk is None and getattr(self, "_factory", None) is not None and fz.use_words:
            fz._tk = self._factory()
        return _tfidf(fz.counts(text, normalised=normalised), self.idf)

    def scores(self, text: str, normalised: bool = False) -> tuple[list[float], dict[str, float]]:
        x = self._features(text, normalised)
        K = len(self.labels)
        s = list(self.bias)
        for f, v in x.items():
            w = self.weights.get(f)
            if w is not None:
                for k in range(K):
                    s[k] += w[k] * v
        return s, x

    def predict(self, text: str) -> str:
        s, _ = self.scores(text)
        return self.labels[max(range(len(s)), key=s.__getitem__)]

    def classify(self, text: str) -> TypeResult:
        s, x = self.scores(text, normalised=True)
        if not self.labels:
            return TypeResult("other", 0.0, None, (), {})
        order = sorted(range(len(s)), key=lambda k: -s[k])
        k1 = order[0]
        k2 = order[1] if len(order) > 1 else None
        # softmax over margins for a 0..1 confidence
        mx = s[k1]
        exps = [math.exp(min(50.0, 4.0 * (v - mx))) for v in s]
        conf = round(exps[k1] / sum(exps), 3)
        contrib = sorted(((self.weights[f][k1] * v, f) for f, v in x.items() if f in self.weights), reverse=True)
        ev = tuple(f[2:] for c, f in contrib[:6] if c > 0)
        return TypeResult(self.labels[k1], conf, self.labels[k2] if k2 is not None else None, ev,
                          {l: round(v, 4) for l, v in zip(self.labels, s)})

    # -- persistence --------------------------------------------------------------
    def save(self, out_dir: str | Path) -> Path:
        d = Path(out_dir)
        d.mkdir(parents=True, exist_ok=True)
        data = {"format": "jiefen-nlp-model/1", "labels": self.labels, "bias": self.bias,
                "config": self.config, "idf": self.idf, "weights": self.weights}
        with open(d / MODEL_FILE, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
        # human-readable: the strongest keywords per label
        import yaml
        top = {}
        for k, l in enumerate(self.labels):
            best = sorted(((w[k], f) for f, w in self.weights.items()), reverse=True)[:40]
            top[l] = {f[2:]: round(w, 3) for w, f in best if w > 0}
        with open(d / "keywords.yaml", "w", encoding="utf-8") as fh:
            fh.write("# strongest learned keywords per label (weights of the linear model); for reading only\n")
            yaml.safe_dump(top, fh, allow_unicode=True, sort_keys=False)
        return d

    @classmethod
    def load(cls, model_dir: str | Path) -> "LearnedModel":
        p = Path(model_dir)
        if p.is_dir():
            p = p / MODEL_FILE
        with open(p, encoding="utf-8") as fh:
            data = json.load(fh)
        return cls(data["labels"], data["weights"], data["bias"], data["idf"], data.get("config", {}))


def read_csv(path: str | Path, text_cols: Sequence[str], label_col: str) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rd = csv.DictReader(fh)
        missing = [c for c in list(text_cols) + [label_col] if c not in (rd.fieldnames or [])]
        if missing:
            raise SystemExit(f"columns not in {path}: {missing} (have {rd.fieldnames})")
        for row in rd:
            lab = (row.get(label_col) or "").strip()
            if not lab:
                continue
            texts.append("。".join((row.get(c) or "").strip() for c in text_cols))
            labels.append(lab)
    return texts, labels


def train_from_csv(input_csv: str, text_cols: Sequence[str], label_col: str, out_dir: str) -> dict:
    texts, labels = read_csv(input_csv, text_cols, label_col)
    if len(set(labels)) < 2:
        raise SystemExit("need at least two labels to learn a label set")
    m = LearnedModel.train(texts, labels, min_df=2 if len(texts) >= 50 else 1)
    m.save(out_dir)
    train_acc = sum(m.predict(t) == l for t, l in zip(texts, labels)) / len(texts)
    return {"out": str(out_dir), "rows": len(texts), "labels": dict(Counter(labels)),
            "features": len(m.weights), "train_accuracy": round(train_acc, 4)}

