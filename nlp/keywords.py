"""The built-in type classifier: a weighted keyword taxonomy (nlp/data/taxonomy.yaml)."""
from __future__ import annotations

import math
import re
import struct
from collections import Counter
from operator import add
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlp.reading import DISPUTE_TYPES, NOT_A_DISPUTE
from nlp.scanner import PhraseScanner, candidates_index

DATA_DIR = Path(__file__).with_name("data")


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


class KeywordClassifier:
    """Scores every type by the weights of the taxonomy phrases found in the text."""

    def __init__(self, path: str | Path | None = None):
        p = Path(path) if path else DATA_DIR / "taxonomy.yaml"
        with open(p, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        self.labels: tuple[str, ...] = tuple(DISPUTE_TYPES) + (NOT_A_DISPUTE,)
        # ties go to the more specific type (order of the taxonomy file, 'other' last)
        self._order = {l: i for i, l in enumerate(data.get("types") or {})}
        self._order["other"] = 98
        self.scanner: PhraseScanner[tuple[str, float]] = PhraseScanner()
        for label, tiers in (data.get("types") or {}).items():
            for w, words in (tiers or {}).items():
                for word in words or ():
                    self.scanner.add(str(word).lower(), (label, float(w)))
        self.patterns: list[tuple[str, re.Pattern, float]] = []
        for label, pats in (data.get("patterns") or {}).items():
            for item in pats or ():
                self.patterns.append((label, re.compile(item["re"]), float(item.get("w", 2))))
        self._pindex = candidates_index([rx.pattern for _, rx, _ in self.patterns])
        self.generic = tuple(data.get("generic") or ())
        cfg = data.get("decision") or {}
        self.min_dispute = float(cfg.get("min_dispute", 2.0))
        self.none_margin = float(cfg.get("none_margin", 0.0))
        # 'none' wins when its keyword score reaches the best dispute keyword score
        # (before the learned model's vote: the model was trained on disputes mostly and
        # pushes chatter towards a type)
        self.none_on_keywords = bool(cfg.get("none_on_keywords", False))
        # 'other' is the residual type: a specific type within this margin wins over it
        self.other_margin = float(cfg.get("other_margin", 0.0))
        self.model = None
        self.model_weight = 0.0

    @classmethod
    def with_chat_model(cls, path: str | Path | None = None) -> "KeywordClassifier":
        """The built-in classifier: taxonomy + the learned chat model (nlp/data/chat_model.json)
        when present, with the blend weight chosen by cross-validation on dev."""
        import json

        from nlp.learn import LearnedModel
        kc = cls(path)
        mp = DATA_DIR / "chat_model.json"
        if mp.exists():
            with open(mp, encoding="utf-8") as fh:
                data = json.load(fh)
            m = LearnedModel(data["labels"], data["weights"], data["bias"], data["idf"], data.get("config", {}))
            kc.attach_model(m, float(data.get("blend_weight", 0.0)))
        return kc

    def words(self) -> list[str]:
        return [w for w in self.scanner.phrases() if len(w) >= 2]

    def score(self, text: str) -> tuple[dict[str, float], dict[str, list[str]]]:
        scores: dict[str, float] = {}
        ev: dict[str, list[str]] = {}
        seen: set[str] = set()
        for _, phrase, payloads in self.scanner.longest(text):
            if phrase in seen:
                continue
            seen.add(phrase)
            for label, w in payloads:
                scores[label] = scores.get(label, 0.0) + w
                ev.setdefault(label, []).append(phrase)
        pats = self.patterns
        for i in self._pindex(text):
            label, rx, w = pats[i]
            m = rx.search(text)
            if m:
                scores[label] = scores.get(label, 0.0) + w
                ev.setdefault(label, []).append(m.group(0))
        return scores, ev

    def attach_model(self, model, weight: float) -> None:
        """Blend a small learned model (nlp.learn.LearnedModel over character n-grams,
        trained on the dev chat lines) into the keyword scores: score += weight × its
        linear score. The weight is chosen by cross-validation on dev (nlp/blend_cv.py)."""
        self.model = model
        self.model_weight = float(weight)
        self._fast = None
        cfg = getattr(model, "config", {}) or {}
        fz = getattr(model, "featurizer", None)
        if fz is not None and not fz.use_words and not any(model.bias):
            # fast path: the z-score below is scale-free, so the L2 norm can be skipped and
            # idf folded into the weights; char n-grams only (no jieba on the hot path)
            table = {f[2:]: tuple(w * model.idf.get(f, 0.0) for w in ws)
                     for f, ws in model.weights.items() if f.startswith("c:")}
            k = len(model.labels)
            # each gram's k weights packed into one big int (fixed point, offset so every
            # field is non-negative): summing a text's grams is then one C-level `sum`
            # over ints instead of k float additions per gram; unpacked once per text
            top = max((abs(v) for ws in table.values() for v in ws), default=1.0) or 1.0
            scale = float(1 << 30) / top               # |weight| → at most 2^30
            off = 1 << 30                              # field value in [0, 2^31]
            bits = 64                                  # room for 2^33 grams per text
            fmt = struct.Struct(f"<{k}Q").pack
            frombytes = int.from_bytes
            packed = {g: frombytes(fmt(*[round(w * scale) + off for w in ws]), "little")
                      for g, ws in table.items()}
            from nlp.learn import _DIGITS, _PUNCT
            self._fast = (table, tuple(fz.ngram), k, packed, scale, off, bits, _DIGITS.sub, _PUNCT.split)

    def _fast_scores(self, text: str) -> list[float]:
        table, (lo, hi), k, packed, scale, off, bits, digits_sub, punct_split = self._fast
        t = digits_sub("0", text)
        grams = []
        for chunk in punct_split(t):
            if not chunk:
                continue
            if lo == 1:
                grams.extend(chunk)
            if hi >= 2 and lo <= 2:
                grams.extend(map(add, chunk, chunk[1:]))
            for g in range(max(lo, 3), hi + 1):
                grams.extend(chunk[i:i + g] for i in range(len(chunk) - g + 1))
        distinct = set(grams)
        get = packed.get
        vals = [v for v in map(get, distinct) if v is not None]
        if not vals:
            return [0.0] * k
        total = sum(vals)
        n = len(vals)
        mask = (1 << bits) - 1
        base = n * off
        out = [((total >> (bits * j)) & mask) - base for j in range(k)]
        inv = 1.0 / scale
        out = [v * inv for v in out]
        if len(distinct) != len(grams):
            # a gram seen c > 1 times weighs 1 + ln c (sublinear tf): add the ln c part
            for f, c in Counter(grams).items():
                if c > 1 and f in table:
                    extra = math.log(c)
                    out = [o + extra * w for o, w in zip(out, table[f])]
        return out

    def classify(self, text: str) -> TypeResult:
        scores, ev = self.score(text)
        kw_scores = scores
        model = getattr(self, "model", None)
        if model is not None and self.model_weight and any(
                v > 0 for l, v in scores.items() if l != NOT_A_DISPUTE):
            # the model re-ranks what the keywords found; it does not make a dispute out
            # of a text with no dispute word at all (a place name, "火星村")
            ms = self._fast_scores(text) if self._fast is not None else model.scores(text, normalised=True)[0]
            # standardise across labels: the model votes in keyword-weight units
            k = len(ms)
            mean = sum(ms) / k
            sd = math.sqrt(sum((v - mean) ** 2 for v in ms) / k) or 1.0
            lw = self.model_weight
            scores = dict(scores)
            for lab, v in zip(model.labels, ms):
                z = (v - mean) / sd
                if z > 0:
                    scores[lab] = scores.get(lab, 0.0) + lw * z
        none_score = scores.get(NOT_A_DISPUTE, 0.0)
        order = self._order
        ranked = sorted(((s, -order.get(l, 99), l) for l, s in scores.items() if l != NOT_A_DISPUTE), reverse=True)
        ranked = [(s, l) for s, _, l in ranked]
        best_s, best = ranked[0] if ranked else (0.0, None)
        second_s, second = ranked[1] if len(ranked) > 1 else (0.0, None)
        if best == "other" and second is not None and self.other_margin and second_s >= best_s - self.other_margin:
            best_s, best, second_s, second = second_s, second, best_s, best
        kw_none = kw_scores.get(NOT_A_DISPUTE, 0.0)
        if self.none_on_keywords and kw_none > 0 and kw_none >= max(
                (v for l, v in kw_scores.items() if l != NOT_A_DISPUTE), default=0.0):
            none_score = max(none_score, best_s + self.none_margin + 1e-9)
        if best is None or best_s < self.min_dispute or none_score > best_s + self.none_margin:
            conf = _softconf(max(none_score, 1.0), best_s)
            return TypeResult(NOT_A_DISPUTE, conf, best, tuple(dict.fromkeys(ev.get(NOT_A_DISPUTE, ()))), scores)
        runner = second
        if none_score > second_s:
            runner = NOT_A_DISPUTE
            second_s = none_score
        return TypeResult(best, _softconf(best_s, second_s), runner, tuple(dict.fromkeys(ev.get(best, ()))), scores)
