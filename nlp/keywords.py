"""The built-in type classifier: a weighted keyword taxonomy (nlp/data/taxonomy.yaml)."""
from __future__ import annotations

import math
import re
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
        # True: the model only re-ranks texts where some dispute keyword was found
        self.model_gate = True

    @classmethod
    def with_chat_model(cls, path: str | Path | None = None) -> "KeywordClassifier":
        """The built-in classifier: taxonomy + the learned chat model
        (nlp/data/chat_model.json) when present, blended with the weight chosen by
        leave-one-author-out validation (nlp/author_cv.py)."""
        from nlp.chat_model import LinearModel
        kc = cls(path)
        mp = DATA_DIR / "chat_model.json"
        if mp.exists():
            m = LinearModel.load(mp)
            kc.attach_model(m, float(m.meta.get("blend_weight", 0.0)), gate=bool(m.meta.get("gate", False)))
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

    def attach_model(self, model, weight: float, gate: bool = False) -> None:
        """Blend a learned model (nlp.chat_model.LinearModel) into the keyword scores:
        each label gets weight × its positive z-score across the model's type outputs.
        With `gate`, the model only re-ranks texts where some dispute keyword was found."""
        self.model = model
        self.model_weight = float(weight)
        self.model_gate = gate
        self._type_cols = [(i, o) for i, o in enumerate(model.outputs) if o in self.labels]

    def classify(self, text: str, margins=None) -> TypeResult:
        """`margins`: the attached model's margins for this text, when the caller has
        them already (the reading computes them once for types and risk)."""
        scores, ev = self.score(text)
        kw_scores = scores
        model = getattr(self, "model", None)
        if model is not None and self.model_weight and (not self.model_gate or any(
                v > 0 for l, v in scores.items() if l != NOT_A_DISPUTE)):
            # gated, the model only re-ranks what the keywords found; ungated (the
            # built-in chat model since round 5) it also reads texts with no keyword
            if margins is None:
                margins = model.margins(text)
            ms = [margins[i] for i, _ in self._type_cols]
            # standardise across labels: the model votes in keyword-weight units
            k = len(ms)
            mean = sum(ms) / k
            sd = math.sqrt(sum((v - mean) ** 2 for v in ms) / k) or 1.0
            lw = self.model_weight
            scores = dict(scores)
            for (_, lab), v in zip(self._type_cols, ms):
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
