"""The built-in type classifier: a weighted keyword taxonomy (nlp/data/taxonomy.yaml)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlp.reading import DISPUTE_TYPES, NOT_A_DISPUTE
from nlp.scanner import PhraseScanner

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
        self.generic = tuple(data.get("generic") or ())
        cfg = data.get("decision") or {}
        self.min_dispute = float(cfg.get("min_dispute", 2.0))
        self.none_margin = float(cfg.get("none_margin", 0.0))

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
        for label, rx, w in self.patterns:
            m = rx.search(text)
            if m:
                scores[label] = scores.get(label, 0.0) + w
                ev.setdefault(label, []).append(m.group(0))
        return scores, ev

    def classify(self, text: str) -> TypeResult:
        scores, ev = self.score(text)
        none_score = scores.get(NOT_A_DISPUTE, 0.0)
        order = self._order
        ranked = sorted(((s, -order.get(l, 99), l) for l, s in scores.items() if l != NOT_A_DISPUTE), reverse=True)
        ranked = [(s, l) for s, _, l in ranked]
        best_s, best = ranked[0] if ranked else (0.0, None)
        second_s, second = ranked[1] if len(ranked) > 1 else (0.0, None)
        if best is None or best_s < self.min_dispute or none_score > best_s + self.none_margin:
            conf = _softconf(max(none_score, 1.0), best_s)
            return TypeResult(NOT_A_DISPUTE, conf, best, tuple(dict.fromkeys(ev.get(NOT_A_DISPUTE, ()))), scores)
        runner = second
        if none_score > second_s:
            runner = NOT_A_DISPUTE
            second_s = none_score
        return TypeResult(best, _softconf(best_s, second_s), runner, tuple(dict.fromkeys(ev.get(best, ()))), scores)
