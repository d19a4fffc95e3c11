"""The alternatives of a regex, run only where a text can match them: a regex's top-level
alternatives (`top_branches`), an index of which of many regexes' alternatives a text can
match (`AlternativesIndex`, over nlp.prefilter's exact pre-filters), and their matches merged
as the alternation would take them (`alternation_finditer`).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from nlp.prefilter import Analyses, candidates_index, guarded, parsed_pattern


def top_branches(pattern: str) -> list[str]:
    """The alternatives at a regex's top level ("a|b(c|d)|[|]e" -> "a", "b(c|d)", "[|]e"); the
    whole pattern alone when it has inline flags or an alternative does not parse alone."""
    out, depth, in_class, start, i, n = [], 0, False, 0, 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 1 + (pattern[i + 1:i + 2] == "^")
            if pattern[i:i + 1] == "]":          # "[]…]" and "[^]…]": the first ']' is a character
                i += 1
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    try:
        if parsed_pattern(pattern).state.flags & ~re.UNICODE:     # an inline flag applies to every alternative
            return [pattern]
        if len(out) > 1:
            for b in out:
                parsed_pattern(b)
    except re.error:
        return [pattern]
    return out


class Facts(Analyses, Protocol):
    """The pre-filters' analyses and `_splittable`'s, known before (nlp.pattern_facts)."""

    def branches(self, pattern: str, work: Callable[[str], list[str]]) -> list[str]: ...


class AlternativesIndex:
    """For a list of regexes, how to find each one's matches in a text, for those that can
    match it at all: the whole regex when every top-level alternative can match, else only the
    alternatives that can, each compiled on its own, their matches merged as the alternation
    takes them (`alternation_finditer`: the same matches). A few of the risk cues are
    alternations of dozens of long alternatives, most of which a text lacks the characters
    for, and the regex engine tries every one at every position: running only the possible
    ones takes their time down by more than half. (Compiling the alternation of each subset
    met would cost ~2 ms a subset, and unseen texts bring new subsets.)"""

    def __init__(self, patterns: list[str], compiled: list | None = None, facts: Facts | None = None):
        self.facts = facts
        self.branches = [facts.branches(p, _splittable) if facts is not None else _splittable(p) for p in patterns]
        flat = [b for bs in self.branches for b in bs]
        self._owner = [(i, j) for i, bs in enumerate(self.branches) for j in range(len(bs))]
        self._index = candidates_index(flat, facts)
        self._full = compiled if compiled is not None else [guarded(p, facts=facts) for p in patterns]
        self._sizes = [len(bs) for bs in self.branches]
        # each alternative compiled when a text first needs it alone: most are needed by few
        # texts, and compiling all of them would double the start-up (two threads compiling
        # the same one at once store equal regexes)
        self.flat = flat
        self._alone: list[re.Pattern | None] = [None] * len(flat)

    def __call__(self, text: str, pairs: set[str] | None = None) -> list[tuple[int, Callable]]:
        """(pattern index, a `finditer` for it) for every pattern that can match, ascending."""
        possible: dict[int, list[int]] = {}
        owner = self._owner
        for k in self._index(text, pairs):
            possible.setdefault(owner[k][0], []).append(k)
        out = []
        for i, ks in possible.items():
            if len(ks) == self._sizes[i]:
                out.append((i, self._full[i].finditer))
            elif len(ks) == 1:
                out.append((i, self._compiled(ks[0]).finditer))
            else:
                rxs = [self._compiled(k) for k in ks]
                out.append((i, lambda text, rxs=rxs: alternation_finditer(rxs, text)))
        return out

    def _compiled(self, k: int) -> re.Pattern:
        rx = self._alone[k]
        if rx is None:
            rx = self._alone[k] = guarded(self.flat[k], facts=self.facts)
        return rx


def _splittable(pattern: str) -> list[str]:
    """The top-level alternatives when none can match the empty string (whose matches the
    merge in `alternation_finditer` does not take as the regex engine does), else the whole."""
    bs = top_branches(pattern)
    if len(bs) > 1 and any(parsed_pattern(b).getwidth()[0] == 0 for b in bs):
        return [pattern]
    return bs


def alternation_finditer(rxs: list, text: str):
    """The matches of the alternation of `rxs` (compiled, in order, none matching the empty
    string), as `re.finditer` gives them: from each position the leftmost match of any, the
    first alternative's when several start there (what the engine tries first), then on from
    its end."""
    found = [rx.search(text) for rx in rxs]
    pos = 0
    while True:
        best = None
        for k, m in enumerate(found):
            if m is not None and m.start() < pos:
                m = found[k] = rxs[k].search(text, pos)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        if best is None:
            return
        yield best
        pos = best.end()
