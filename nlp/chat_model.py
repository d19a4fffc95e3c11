"""The learned half of the built-in reading: one linear model over a text's features
(nlp/features.py) with one output per label (16 types and `none`, read together as a
softmax) and one for "reads like the red reports" (a logistic output of its own).

The file (nlp/data/chat_model.json) holds plain weights: trained offline
(`python -m nlp.train write`, scikit-learn when installed) or by the pure-Python trainer
here (`jiefen nlp train --from-ledger` on a machine without scikit-learn); reading needs
neither. A text's features each weigh 1 + ln(count), the vector optionally divided by
its L2 norm over the features the model knows (`meta["norm"]`), so a text's margins are
the biases plus plain sums of per-feature weight vectors — computed for all outputs in
one pass (`margins`).
"""
from __future__ import annotations

import json
import math
import random
import re
import struct
import sys
from array import array
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from itertools import repeat
from operator import add, sub
from pathlib import Path

FORMAT = "jiefen-chat-model/4"
_OLD_FORMAT = "jiefen-chat-model/3"    # 2^30 scale, 2^31 offset: read and repacked
# a packed field holds round(w * scale) + 2^22 per feature, |round(w * scale)| <= 2^21 (never
# 0, so a packed value is never 0 either), in 32 bits: half the memory of 64-bit fields, and
# the reading is bound by memory (a text's ~50 features are ~50 cache misses into 45,000 of
# them); 512 fields sum below 2^32
_SCALE_BITS = 21
_OFFSET = 1 << 22
_FIELD_BITS = 32
_CHUNK = 512
RED = "red"
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


def values(feats: Sequence[str], binary: bool = False) -> dict[str, float]:
    """Each distinct feature's value: 1 (binary), or 1 + ln(count)."""
    if binary:
        return dict.fromkeys(feats, 1.0)
    return {f: 1.0 + math.log(c) for f, c in Counter(feats).items()}


class LinearModel:
    """Weights per feature and output, kept packed (see `_pack`); `weights` (floats) when
    trained here, or read back from the packed form."""

    def __init__(self, outputs: Sequence[str], weights: Mapping[str, Sequence[float]] | None,
                 bias: Sequence[float], meta: dict | None = None, *, packed: dict[str, int] | None = None,
                 scale: float | None = None):
        self.outputs = list(outputs)
        self.index = {o: i for i, o in enumerate(self.outputs)}
        self.bias = list(bias)
        self.meta = dict(meta or {})
        self.norm = bool(self.meta.get("norm", False))
        self.binary = bool(self.meta.get("binary", False))
        # the outputs read together as one softmax (types and none); the rest are logistic
        self.labels = [o for o in self.meta.get("labels", self.outputs) if o in self.index]
        self._label_cols = [self.index[o] for o in self.labels]
        k = len(self.outputs)
        self._unpack = struct.Struct(f"<{k}I").unpack
        self._nbytes = 4 * k
        self._off = _OFFSET
        self._weights: dict[str, tuple[float, ...]] | None = None
        if packed is not None:
            self._packed, self._scale = packed, float(scale)
        else:
            self._weights = {g: tuple(ws) for g, ws in (weights or {}).items()}
            self._pack()

    @property
    def weights(self) -> dict[str, tuple[float, ...]]:
        if self._weights is None:
            inv = 1.0 / self._scale
            self._weights = {g: tuple((v - self._off) * inv for v in self._unpack(p.to_bytes(self._nbytes, "little")))
                             for g, p in self._packed.items()}
        return self._weights

    def _pack(self) -> None:
        # each feature's k weights packed into one big int, one 32-bit field per output
        # (fixed point, offset so every field is non-negative): summing a text's features
        # is then one C-level `sum` over ints instead of k float additions per feature
        top = max((abs(v) for ws in self._weights.values() for v in ws), default=1.0) or 1.0
        self._scale = float(1 << _SCALE_BITS) / top     # |weight| -> at most 2^21
        pack = struct.Struct(f"<{len(self.outputs)}I").pack
        sc, off = self._scale, self._off
        self._packed = {g: int.from_bytes(pack(*[round(w * sc) + off for w in ws]), "little")
                        for g, ws in self._weights.items()}

    def margins(self, feats: Sequence[str]) -> list[float]:
        """Every output's margin (logit) for a text's features (a multiset)."""
        distinct = set(feats)
        vals = [*filter(None, map(self._packed.get, distinct))]      # packed values are never 0
        if not vals:
            return list(self.bias)
        inv = 1.0 / self._scale
        if len(vals) <= _CHUNK:
            base = len(vals) * self._off
            fields = self._unpack(sum(vals).to_bytes(self._nbytes, "little"))
        else:
            fields, base = self._long_sum(vals)
        if self.binary:
            return [b + (v - base) * inv for b, v in zip(self.bias, fields, strict=True)]
        sums = [(v - base) * inv for v in fields]
        sq = float(len(vals))
        if not self.binary and len(distinct) != len(feats):
            # a feature seen c > 1 times weighs 1 + ln c: add the ln c part
            packed, off, nb = self._packed, self._off, self._nbytes
            for g, c in Counter(feats).items():
                if c > 1:
                    p = packed.get(g)
                    if p is not None:
                        e = math.log(c) * inv
                        row = self._unpack(p.to_bytes(nb, "little"))
                        sums = [x + e * (v - off) for x, v in zip(sums, row, strict=False)]
                        sq += (1.0 + math.log(c)) ** 2 - 1.0
        if self.norm:
            inv_norm = 1.0 / math.sqrt(sq)
            sums = [s * inv_norm for s in sums]
        return [b + s for b, s in zip(self.bias, sums, strict=False)]

    def _long_sum(self, vals: list[int]) -> tuple[list[int], int]:
        """The fields' sums over more features than one 32-bit field holds, `_CHUNK` at a
        time (long texts: a court's findings)."""
        total = [0] * len(self.outputs)
        for i in range(0, len(vals), _CHUNK):
            part = self._unpack(sum(vals[i:i + _CHUNK]).to_bytes(self._nbytes, "little"))
            total = [*map(add, total, part)]
        return total, len(vals) * self._off

    def best_two(self, margins: Sequence[float]) -> tuple[str, float, str | None]:
        """The most probable label, its probability, and the runner-up (the softmax
        without sorting it)."""
        ms = [margins[j] for j in self._label_cols]
        top = max(ms)
        i = ms.index(top)
        s = sum(map(math.exp, map(sub, ms, repeat(top, len(ms)))))
        rest = ms[:i] + ms[i + 1:]
        if not rest:
            return self.labels[i], 1.0 / s, None
        j2 = rest.index(max(rest))          # the first of equals, as `max` takes them
        return self.labels[i], 1.0 / s, self.labels[j2 if j2 < i else j2 + 1]

    def probabilities(self, margins: Sequence[float]) -> list[tuple[str, float]]:
        """The softmax labels with their probabilities, most probable first."""
        ms = [margins[j] for j in self._label_cols]
        top = max(ms)
        ex = [math.exp(m - top) for m in ms]
        s = sum(ex)
        return sorted(((lab, e / s) for lab, e in zip(self.labels, ex, strict=False)), key=lambda x: -x[1])

    def probability(self, output: str, margins: Sequence[float]) -> float:
        """A logistic output's probability (e.g. "red")."""
        return _sigmoid(margins[self.index[output]])

    def weight(self, feature: str, output: str) -> float:
        p = self._packed.get(feature)
        if p is None:
            return 0.0
        j = self.index[output]
        return (((p >> (_FIELD_BITS * j)) & 0xFFFFFFFF) - self._off) / self._scale

    def evidence(self, output: str, feats: Sequence[str], n: int = 4, keep=None) -> tuple[str, ...]:
        """The features of the text that pushed this output up most (for people to read;
        `keep` filters them, e.g. words only)."""
        seen = {f: self.weight(f, output) for f in set(feats) if f in self._packed and (keep is None or keep(f))}
        top = sorted(((x, f) for f, x in seen.items() if x > 0), reverse=True)[:n]
        return tuple(f for _, f in top)

    # -- persistence ----------------------------------------------------------------
    # chat_model.json: outputs, biases, settings and the features in order;
    # chat_model.weights: per feature, per output, round(w * scale) + 2^22 as a
    # little-endian uint32 (the packed fields of `_pack`)
    def save(self, path: str | Path) -> Path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        feats = sorted(self._packed)
        k = len(self.outputs)
        a32 = array("I")
        for f in feats:
            a32.extend(self._unpack(self._packed[f].to_bytes(self._nbytes, "little")))
        if sys.byteorder != "little":
            a32.byteswap()
        head = {"format": FORMAT, "outputs": self.outputs, "bias": self.bias, "meta": self.meta,
                "scale": self._scale, "features": feats}
        # written next to each other, then renamed: a running service never reads half a model
        tmp_w, tmp_j = _weights_path(p).with_suffix(".weights.tmp"), p.with_suffix(p.suffix + ".tmp")
        tmp_w.write_bytes(a32.tobytes())
        with open(tmp_j, "w", encoding="utf-8") as fh:
            json.dump(head, fh, ensure_ascii=False, separators=(",", ":"))
        tmp_w.replace(_weights_path(p))
        tmp_j.replace(p)
        assert len(a32) == len(feats) * k
        return p

    @classmethod
    def load(cls, path: str | Path) -> "LinearModel":
        p = Path(path)
        with open(p, encoding="utf-8") as fh:
            head = json.load(fh)
        fmt = head.get("format")
        if fmt not in (FORMAT, _OLD_FORMAT):
            raise ValueError(f"{p}: not a {FORMAT} file")
        k = len(head["outputs"])
        a32 = array("I")
        a32.frombytes(_weights_path(p).read_bytes())
        if sys.byteorder != "little":
            a32.byteswap()
        feats = head["features"]
        if len(a32) != len(feats) * k:
            raise ValueError(f"{_weights_path(p)}: {len(a32)} weights for {len(feats)} features x {k} outputs")
        scale = float(head["scale"])
        if fmt == _OLD_FORMAT:
            # 2^30 scale and 2^31 offset: the same weights at 1/512 of the scale
            shift = 30 - _SCALE_BITS
            a32 = array("I", [((u - (1 << 31) + (1 << (shift - 1))) >> shift) + _OFFSET for u in a32])
            scale /= 1 << shift
        if sys.byteorder != "little":
            a32.byteswap()
        buf = a32.tobytes()
        n = 4 * k
        packed = {f: int.from_bytes(buf[i * n:(i + 1) * n], "little") for i, f in enumerate(feats)}
        return cls(head["outputs"], None, head["bias"], head.get("meta"), packed=packed, scale=scale)


def _weights_path(json_path: Path) -> Path:
    return json_path.with_suffix(".weights")


# -- training ----------------------------------------------------------------------------
def design(docs: Sequence[dict[str, float]], min_df: int, norm: bool) -> tuple[list[str], list[dict[str, float]]]:
    """The vocabulary (features in at least `min_df` documents) and the documents'
    vectors over it, as the reading computes them."""
    df: Counter = Counter()
    for d in docs:
        df.update(d.keys())
    vocab = sorted(f for f, n in df.items() if n >= min_df)
    keep = set(vocab)
    out = []
    for d in docs:
        x = {f: v for f, v in d.items() if f in keep}
        if norm and x:
            s = math.sqrt(sum(v * v for v in x.values()))
            x = {f: v / s for f, v in x.items()}
        out.append(x)
    return vocab, out


def fit(X: Sequence[dict[str, float]], labels: Sequence[str], red: Sequence[bool | None], *,
        C: float, sample_weight: Sequence[float] | None = None, backend: str = "auto",
        epochs: int = 30, seed: int = 7) -> tuple[list[str], dict[str, list[float]], list[float]]:
    """Multinomial L2 logistic regression over `labels` (rows whose label is None are left
    out of it) and a binary one for red (rows whose red is None left out). Returns
    (outputs, weights, bias). scikit-learn when installed (`backend="auto"`) solves both
    exactly; the pure-Python trainer (AdaGrad) approaches the same optimum."""
    if backend == "auto":
        try:
            import sklearn  # noqa: F401  (installed or not)
            backend = "sklearn"
        except ImportError:
            backend = "python"
    sw = list(sample_weight) if sample_weight is not None else [1.0] * len(X)
    labs = sorted({l for l in labels if l is not None})
    t_rows = [i for i, l in enumerate(labels) if l is not None]
    r_rows = [i for i, r in enumerate(red) if r is not None]
    if backend == "sklearn":
        tw, tb = _fit_sklearn([X[i] for i in t_rows], [labels[i] for i in t_rows], labs, C,
                              [sw[i] for i in t_rows])
        rw, rb = _fit_sklearn([X[i] for i in r_rows], [bool(red[i]) for i in r_rows], [False, True], C,
                              [sw[i] for i in r_rows])
    else:
        tw, tb = _fit_python([X[i] for i in t_rows], [labels[i] for i in t_rows], labs, C,
                             [sw[i] for i in t_rows], epochs, seed)
        rw, rb = _fit_python([X[i] for i in r_rows], [bool(red[i]) for i in r_rows], [False, True], C,
                             [sw[i] for i in r_rows], epochs, seed)
    outputs = labs + [RED]
    feats = set(tw) | set(rw)
    k = len(labs)
    weights = {}
    for f in feats:
        ws = list(tw.get(f, [0.0] * k)) + [rw.get(f, [0.0])[0]]
        ws = [round(v, 5) for v in ws]
        if max(abs(v) for v in ws) > 1e-5:
            weights[f] = ws
    bias = [round(v, 5) for v in tb] + [round(rb[0], 5)]
    return outputs, weights, bias


def _fit_sklearn(X, y, labs, C, sw):
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    dv = DictVectorizer()
    M = dv.fit_transform(X)
    # scikit-learn's lbfgs stops when the gradient of the *mean* loss is below tol: at its
    # default (1e-4) it stopped after ~20 iterations, far from the optimum, and the red output
    # swung with a few hundred more rows (a dev line read red 0.89, then 0.02); at 1e-6 it converges
    # (the same solution at 1e-8)
    clf = LogisticRegression(C=C, max_iter=3000, tol=1e-6)
    clf.fit(M, y, sample_weight=np.asarray(sw))
    names = dv.get_feature_names_out()
    coef = clf.coef_
    if len(labs) == 2:
        # binary: one column, the positive class's margin
        return ({f: [float(coef[0, j])] for j, f in enumerate(names)}, [float(clf.intercept_[0])])
    order = [list(clf.classes_).index(l) for l in labs]
    W = {f: [float(coef[c, j]) for c in order] for j, f in enumerate(names)}
    return W, [float(clf.intercept_[c]) for c in order]


def _fit_python(X, y, labs, C, sw, epochs, seed):
    """AdaGrad on the same objective as scikit-learn's LogisticRegression(C): the sum of
    the rows' weighted log losses plus ||w||^2 / (2C). Binary when labs is [False, True]."""
    binary = len(labs) == 2 and labs == [False, True]
    k = 1 if binary else len(labs)
    li = {l: i for i, l in enumerate(labs)}
    W: dict[str, list[float]] = defaultdict(lambda: [0.0] * k)
    G: dict[str, list[float]] = defaultdict(lambda: [1e-8] * k)
    b, gb = [0.0] * k, [1e-8] * k
    n = len(X)
    total_w = sum(sw) or 1.0
    reg = 1.0 / (C * total_w)          # per unit of sample weight
    lr = 0.5
    rnd = random.Random(seed)
    order = list(range(n))
    for _ in range(epochs):
        rnd.shuffle(order)
        for i in order:
            x, wi = X[i], sw[i]
            m = [b[c] + sum(W[f][c] * v for f, v in x.items()) for c in range(k)]
            if binary:
                p = [_sigmoid(m[0])]
                err = [p[0] - (1.0 if y[i] else 0.0)]
            else:
                top = max(m)
                ex = [math.exp(v - top) for v in m]
                s = sum(ex)
                err = [e / s for e in ex]
                err[li[y[i]]] -= 1.0
            for f, v in x.items():
                wf, gf = W[f], G[f]
                for c in range(k):
                    g = wi * (err[c] * v + reg * wf[c])
                    gf[c] += g * g
                    wf[c] -= lr * g / math.sqrt(gf[c])
            for c in range(k):
                g = wi * err[c]
                gb[c] += g * g
                b[c] -= lr * g / math.sqrt(gb[c])
    return dict(W), b
