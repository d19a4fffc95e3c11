"""What the pre-filters work out from each regex, kept so that a process does not work it
out again at start-up.

The risk cues' regexes and their top-level alternatives (about a thousand) are parsed and
analysed by nlp.prefilter (`required_grams`, `first_chars`) and nlp.alternatives
(`top_branches`); done at every start that took most of a second, more than half of
building an `Understanding`. The answers depend on nothing but the pattern's text, so they
are written once to nlp/data/pattern_facts.json and read back:

    python -m nlp.train facts        # after editing risk.yaml or taxonomy.yaml's patterns

Each answer is keyed by a hash of its pattern's text: an edited regex is a new key, analysed
when it is first met (correct, only slower to start), never read with an old regex's answer.
tests/nlp/test_pattern_facts.py fails while the file is not what this command would write.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nlp import prefilter

FACTS_PATH = Path(__file__).with_name("data") / "pattern_facts.json"


class PatternFacts:
    """The pre-filters' answers by pattern text: those read from a file, and those worked
    out since (a reading in another thread may add one: a dict item set is atomic)."""

    def __init__(self, known: dict[str, Any] | None = None):
        self._known: dict[str, Any] = dict(known or {})

    @classmethod
    def load(cls, path: Path = FACTS_PATH) -> PatternFacts:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            facts = data.get("facts") or {}
        except (OSError, ValueError, AttributeError):
            return cls()                 # no file: every answer is worked out, as before
        # an answer of the wrong shape (a file edited by hand, cut short) is worked out again
        return cls({k: v for k, v in facts.items() if isinstance(k, str) and _well_formed(k, v)}
                   if isinstance(facts, dict) else {})

    def save(self, path: Path = FACTS_PATH) -> int:
        Path(path).write_text(json.dumps({"facts": dict(sorted(self._known.items()))}, ensure_ascii=False,
                                         indent=0, sort_keys=False) + "\n", encoding="utf-8")
        return len(self._known)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._known)

    def _answer(self, kind: str, pattern: str, work: Callable[[str], Any]) -> Any:
        key = f"{kind}:{hashlib.sha256(pattern.encode('utf-8')).hexdigest()[:20]}"
        got = self._known.get(key, _MISSING)
        if got is _MISSING:
            value = work(pattern)
            got = self._known[key] = sorted(value) if isinstance(value, frozenset) else value
        return got

    def _chars(self, kind: str, pattern: str, work: Callable[[str], frozenset[str] | None]) -> frozenset[str] | None:
        got = self._answer(kind, pattern, work)
        return None if got is None else frozenset(got)

    # -- the analyses, as nlp.prefilter and nlp.alternatives define them --------------------
    def required_grams(self, pattern: str) -> frozenset[str] | None:
        return self._chars("grams", pattern, prefilter.required_grams)

    def required_chars(self, pattern: str) -> frozenset[str] | None:
        return self._chars("chars", pattern, prefilter.required_chars)

    def first_chars(self, pattern: str, digits: bool = False) -> frozenset[str] | None:
        return self._chars("first_d" if digits else "first", pattern,
                           lambda p: prefilter.first_chars(p, digits=digits))

    def branches(self, pattern: str, work: Callable[[str], list[str]]) -> list[str]:
        """`work`'s split of a pattern into its top-level alternatives, kept as where the
        separating bars are (the alternatives are the pattern between them)."""
        def bars(p: str) -> list[int]:
            out, at = [], -1
            for b in work(p)[:-1]:
                at += len(b) + 1
                out.append(at)
            return out
        cuts = self._answer("bars", pattern, bars)
        return [pattern[a + 1:b] for a, b in zip([-1, *cuts], [*cuts, len(pattern)], strict=True)]


_MISSING = object()


def _well_formed(key: str, value: Any) -> bool:
    kind = key.split(":", 1)[0]
    if kind == "bars":
        return isinstance(value, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in value)
    return kind in ("grams", "chars", "first", "first_d") and (
        value is None or (isinstance(value, list) and all(isinstance(x, str) for x in value)))


def written_facts() -> PatternFacts:
    """Every answer the shipped rules and taxonomy ask for at start-up, and for each cue
    alternative compiled alone when a text first needs it, worked out afresh."""
    from nlp.features import Lexicon
    from nlp.risk import RiskRules
    facts = PatternFacts()
    rules = RiskRules(facts=facts)
    for alone in rules.alternatives.flat:
        facts.first_chars(alone, digits=True)
    Lexicon(facts=facts)
    return facts

