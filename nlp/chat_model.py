"""The learned half of the built-in reading: one linear model over character n-grams with
one output per dispute type (and `none`) plus one for "reads like a red report".

Each output is an L2-regularised logistic regression (one-vs-rest), trained by AdaGrad
SGD in pure Python on the labelled chat sets (nlp/author_cv.py chooses its settings by
leave-one-author-out validation and writes nlp/data/chat_model.json). A text's features
are its distinct n-grams, each weighing 1 + ln(count): no idf and no length norm, so a
text's margins are the biases plus plain sums of per-gram weight vectors — computed for
all outputs at once in one pass (see `margins`).
"""
from __future__ import annotations

import json
import math
import random
import re
import struct
from collections import Counter, defaultdict
from operator import add
from pathlib import Path
from typing import Mapping, Sequence

FORMAT = "jiefen-chat-model/2"
_PUNCT = re.compile(r"[\s，。！？；：、,.!?;:\"'“”‘’（）()\[\]【】《》<>…\-—~～/\\|@#%&*+=_^`]+")
_DIGITS = re.compile(r"\d+")


def grams(text: str, ngram: tuple[int, int]) -> list[str]:
    """The character n-grams of a normalised text, within punctuation-free chunks, with
    every run of digits read as one '0' (a phone number is not a word)."""
    lo, hi = ngram
    out: list[str] = []
    for chunk in _PUNCT.split(_DIGITS.sub("0", text)):
        if not chunk:
            continue
        if lo == 1:
            out.extend(chunk)
        if lo <= 2 <= hi:
            out.extend(map(add, chunk, chunk[1:]))
        for n in range(max(lo, 3), hi + 1):
            out.extend(chunk[i:i + n] for i in range(len(chunk) - n + 1))
    return out


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


class LinearModel:
    def __init__(self, outputs: Sequence[str], weights: Mapping[str, Sequence[float]],
                 bias: Sequence[float], ngram=(1, 2), meta: dict | None = None):
        self.outputs = list(outputs)
        self.index = {o: i for i, o in enumerate(self.outputs)}
        self.weights = {g: tuple(ws) for g, ws in weights.items()}
        self.bias = list(bias)
        self.ngram = (int(ngram[0]), int(ngram[1]))
        self.meta = dict(meta or {})
        self._pack()

    def _pack(self) -> None:
        # each gram's k weights packed into one big int (fixed point, offset so every
        # field is non-negative): summing a text's grams is then one C-level `sum` over
        # ints instead of k float additions per gram; unpacked once per text
        k = len(self.outputs)
        top = max((abs(v) for ws in self.weights.values() for v in ws), default=1.0) or 1.0
        self._scale = float(1 << 30) / top             # |weight| -> at most 2^30
        self._off = 1 << 30                            # field value in [0, 2^31]
        self._bits = 64                                # room for 2^33 grams per text
        pack = struct.Struct(f"<{k}Q").pack
        sc, off = self._scale, self._off
        self._packed = {g: int.from_bytes(pack(*[round(w * sc) + off for w in ws]), "little")
                        for g, ws in self.weights.items()}

    def margins(self, text: str) -> list[float]:
        """Every output's margin (logit) for a normalised text."""
        gs = grams(text, self.ngram)
        distinct = set(gs)
        vals = [v for v in map(self._packed.get, distinct) if v is not None]
        k = len(self.outputs)
        out = list(self.bias)
        if vals:
            total = sum(vals)
            bits, mask, base, inv = self._bits, (1 << self._bits) - 1, len(vals) * self._off, 1.0 / self._scale
            out = [b + (((total >> (bits * j)) & mask) - base) * inv for j, b in enumerate(out)]
        if len(distinct) != len(gs):
            # a gram seen c > 1 times weighs 1 + ln c: add the ln c part
            w = self.weights
            for g, c in Counter(gs).items():
                if c > 1 and g in w:
                    e = math.log(c)
                    out = [o + e * x for o, x in zip(out, w[g])]
        return out[:k]

    def probability(self, output: str, margins: Sequence[float]) -> float:
        return _sigmoid(margins[self.index[output]])

    def evidence(self, output: str, text: str, n: int = 4) -> tuple[str, ...]:
        """The n-grams of the text that pushed this output up most (for people to read)."""
        j = self.index[output]
        seen = {g: self.weights[g][j] for g in set(grams(text, self.ngram)) if g in self.weights}
        top = sorted(((w, g) for g, w in seen.items() if w > 0 and len(g) > 1), reverse=True)[:n]
        return tuple(g for _, g in top)

    # -- persistence ----------------------------------------------------------------
    def to_json(self) -> dict:
        return {"format": FORMAT, "outputs": self.outputs, "ngram": list(self.ngram), "bias": self.bias,
                "meta": self.meta, "weights": {g: list(ws) for g, ws in self.weights.items()}}

    @classmethod
    def from_json(cls, data: dict) -> "LinearModel":
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file")
        return cls(data["outputs"], data["weights"], data["bias"], tuple(data["ngram"]), data.get("meta"))

    def save(self, path: str | Path) -> Path:
        p = Path(path)
        with open(p, "w", encoding="utf-8") as fh:
            json.dump(self.to_json(), fh, ensure_ascii=False, separators=(",", ":"))
        return p

    @classmethod
    def load(cls, path: str | Path) -> "LinearModel":
        with open(path, encoding="utf-8") as fh:
            return cls.from_json(json.load(fh))

    # -- training -------------------------------------------------------------------
    @classmethod
    def train(cls, texts: Sequence[str], targets: Mapping[str, Sequence[bool]], *, ngram=(1, 2),
              l2: float = 1e-4, epochs: int = 10, lr: float = 0.5, min_df: int = 2, seed: int = 7,
              meta: dict | None = None) -> "LinearModel":
        """One logistic regression per output (texts normalised; grams seen in fewer
        than `min_df` texts are dropped)."""
        docs = [Counter(grams(t, ngram)) for t in texts]
        df: Counter = Counter()
        for d in docs:
            df.update(d.keys())
        X = [[(g, 1.0 + math.log(c)) for g, c in d.items() if df[g] >= min_df] for d in docs]
        outputs = list(targets)
        cols, bias = [], []
        for o in outputs:
            w, b = _logistic(X, targets[o], l2=l2, epochs=epochs, lr=lr, seed=seed)
            cols.append(w)
            bias.append(round(b, 5))
        vocab = set().union(*cols) if cols else set()
        weights = {}
        for g in vocab:
            ws = [round(c.get(g, 0.0), 5) for c in cols]
            if max(abs(v) for v in ws) > 1e-4:
                weights[g] = ws
        return cls(outputs, weights, bias, ngram, meta)


def _logistic(X, y, *, l2: float, epochs: int, lr: float, seed: int) -> tuple[dict[str, float], float]:
    w: dict[str, float] = defaultdict(float)
    g2: dict[str, float] = defaultdict(lambda: 1e-8)
    b, gb = 0.0, 1e-8
    rnd = random.Random(seed)
    order = list(range(len(X)))
    for _ in range(epochs):
        rnd.shuffle(order)
        for i in order:
            x, t = X[i], 1.0 if y[i] else 0.0
            err = _sigmoid(b + sum(w[f] * v for f, v in x)) - t
            for f, v in x:
                g = err * v + l2 * w[f]
                g2[f] += g * g
                w[f] -= lr * g / math.sqrt(g2[f])
            gb += err * err
            b -= lr * err / math.sqrt(gb)
    return dict(w), b
