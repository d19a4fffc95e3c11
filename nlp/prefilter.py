"""Pre-filters for regexes, worked out from the parsed pattern: which characters a match
can start with (`first_chars`, `guarded`), which characters or two-character strings every
match must hold (`required_chars`, `required_grams`), and an index that says which of many
regexes can match a text at all (`candidates_index`). All of them exact: a regex is skipped
only when it cannot match.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from re import _constants as C
from re import _parser as sre_parse  # Python 3.11+: the regex parser the pre-filters read
from typing import Protocol


@lru_cache(maxsize=2048)
def parsed_pattern(pattern: str):
    """The regex parser's tree of a pattern, parsed once (the pre-filters read it several
    times; parsing is the slow part of building the rules)."""
    return sre_parse.parse(pattern)


def _class_chars(items) -> frozenset[str] | None:
    """The characters of a class like [拿提] or [一-十]; None for categories (\\d), negations
    and ranges too wide to list."""
    chars: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            chars.add(chr(av))
        elif op is C.RANGE and av[1] - av[0] < 200:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        else:
            return None
    return frozenset(chars)


class Analyses(Protocol):
    """The analyses below, answered from what was worked out before (nlp.pattern_facts)."""

    def required_grams(self, pattern: str) -> frozenset[str] | None: ...

    def required_chars(self, pattern: str) -> frozenset[str] | None: ...

    def first_chars(self, pattern: str, digits: bool = False) -> frozenset[str] | None: ...


def guarded(pattern: str, flags: int = 0, facts: Analyses | None = None):
    """`pattern` compiled behind a look-ahead for the characters its matches can start
    with, when they can be worked out: the same matches, found ~3x faster (the regex
    engine then skips at C speed the positions where no match can start, instead of
    trying every alternative at every position). `facts`: where the analysis may already
    be known."""
    import re
    fc = (facts.first_chars if facts is not None else first_chars)(pattern, digits=True)
    if not fc:
        return re.compile(pattern, flags)
    cls = "".join(re.escape(c) for c in sorted(fc - {"\\d"})) + ("\\d" if "\\d" in fc else "")
    return re.compile(f"(?=[{cls}])(?:{pattern})", flags)


def literal_alternation(words) -> str | None:
    """A regex matching any of `words` (literal strings), the longest at each position:
    the same matches as their alternation longest first, written as a trie (one branch
    per next character, shorter words as optional endings) so that the regex engine
    follows one branch instead of trying every word in turn (a third less time on the
    risk words and the typo table). None for no words."""
    trie: dict = {}
    for w in words:
        if w:
            node = trie
            for c in w:
                node = node.setdefault(c, {})
            node[""] = None

    def branch(node: dict) -> str:
        alts, leaves = [], []
        for c in sorted(k for k in node if k):
            child = node[c]
            if list(child) == [""]:
                leaves.append(re.escape(c))
            else:
                alts.append(re.escape(c) + branch(child))
        if leaves:
            alts.append(leaves[0] if len(leaves) == 1 else "[" + "".join(leaves) + "]")
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        # greedy: the longer word is tried first, the shorter is what the engine falls back to
        return f"(?:{body})?" if "" in node else body

    return branch(trie) if trie else None


def first_chars(pattern: str, digits: bool = False) -> frozenset[str] | None:
    """The characters a match of `pattern` can start with, or None when that cannot be
    worked out simply (then the pattern is always tried). Used as an exact pre-filter:
    a pattern none of whose first characters is in the text cannot match it."""

    def seq(items):
        out: set[str] = set()
        for op, av in items:
            got = node(op, av)
            if got is None:
                return None
            chars, nullable = got
            out |= chars
            if not nullable:
                return out, False
        return out, True

    def node(op, av):
        if op is C.LITERAL:
            return {chr(av)}, False
        if op is C.IN:
            if digits and list(av) == [(C.CATEGORY, C.CATEGORY_DIGIT)]:
                return {"\\d"}, False          # "\d": any digit, for a look-ahead class
            chars = _class_chars(av)
            return None if chars is None else (set(chars), False)
        if op is C.BRANCH:
            chars, nullable = set(), False
            for alt in av[1]:
                got = seq(alt)
                if got is None:
                    return None
                chars |= got[0]
                nullable = nullable or got[1]
            return chars, nullable
        if op is C.SUBPATTERN:
            return seq(av[-1])
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, _hi, sub = av
            got = seq(sub)
            if got is None:
                return None
            return got[0], got[1] or lo == 0
        if op in (C.ASSERT, C.ASSERT_NOT, C.AT):
            return set(), True
        return None

    try:
        got = seq(parsed_pattern(pattern))
    except Exception:  # pragma: no cover
        return None
    if got is None or got[1]:
        return None
    return frozenset(got[0])


# characters frequent in residents' messages: a required-character set made of these
# filters little, so another position of the pattern is preferred
_COMMON = frozenset("我你他她们的了是在有不一就要去到说家人也都还这那个没和跟把被给来上下大小"
                    "天多会能好得着过打里出钱村事")


def required_chars(pattern: str) -> frozenset[str] | None:
    """A set of characters at least one of which every match of `pattern` contains
    (the rarest such set found at one position of the pattern), or None when none can be
    worked out simply. A finer pre-filter than `first_chars`: "(要|让)(你|他)的?命"
    needs 命, whatever it starts with."""

    def cost(chars) -> float:
        return sum(10.0 if c in _COMMON else 1.0 for c in chars)

    def seq(items):
        best, nullable = None, True
        for op, av in items:
            req, null = node(op, av)
            if not null:
                nullable = False
                if req is not None and (best is None or cost(req) < cost(best)):
                    best = req
        return best, nullable

    def node(op, av):
        if op is C.LITERAL:
            return frozenset(chr(av)), False
        if op is C.IN:
            return _class_chars(av), False
        if op is C.BRANCH:
            chars, nullable, known = set(), False, True
            for alt in av[1]:
                req, null = seq(alt)
                nullable = nullable or null
                if req is None:
                    known = False
                else:
                    chars |= req
            return (frozenset(chars) if known and not nullable else None), nullable
        if op is C.SUBPATTERN:
            return seq(av[-1])
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, _hi, sub = av
            req, null = seq(sub)
            if lo == 0 or null:
                return None, True
            return req, False
        if op in (C.ASSERT, C.ASSERT_NOT, C.AT):
            return None, True
        return None, False  # any character, a category, a back-reference: no set

    try:
        req, nullable = seq(parsed_pattern(pattern))
    except Exception:  # pragma: no cover
        return None
    if nullable or req is None:
        return None
    return req


_EXACT_CAP = 256          # strings an exact set may hold before it is given up


def pair_char(c: str) -> bool:
    """A character a required pair may hold: a Chinese character or a latin letter (a
    text's pairs are taken between punctuation, spaces and digits, nlp.features)."""
    return "\u4e00" <= c <= "\u9fff" or (c.isascii() and c.isalpha())


def text_pairs(text: str) -> set[str]:
    """The text's two-character substrings (a superset of the pairs `required_grams` asks for)."""
    return {text[i:i + 2] for i in range(len(text) - 1)}


def required_grams(pattern: str) -> frozenset[str] | None:
    """A set of one- and two-character strings at least one of which every match of
    `pattern` contains, or None when none can be worked out simply. Finer than
    `required_chars`: "(拿|提)(着)?刀" needs 拿刀, 提刀 or 着刀, where each of its
    characters alone is common.

    Runs of the pattern whose matches can be listed (literals, small classes, small
    alternations, optional parts) are multiplied out and one pair of each listed string
    kept; an alternation needs what one of its branches needs; a sequence needs what its
    cheapest element or run needs (pairs are cheaper than characters, rare characters
    than common ones, by `_COMMON`)."""

    def gram_cost(g: str) -> float:
        # roughly the share of messages holding it: a character alone is found in far
        # more of them than a pair holding it
        if len(g) == 1:
            return 0.5 if g in _COMMON else 0.05
        return 0.002 * (4.0 if g[0] in _COMMON else 1.0) * (4.0 if g[1] in _COMMON else 1.0)

    def set_cost(s) -> float:
        # fsum: the same total in any order (a set's order changes from process to process,
        # and a tie decided by rounding would pick other grams in another process)
        return math.fsum(gram_cost(g) for g in s)

    def pairs_of(strings) -> frozenset[str] | None:
        if not strings:
            return None
        cands = {s: [s[i:i + 2] for i in range(len(s) - 1) if pair_char(s[i]) and pair_char(s[i + 1])]
                 for s in strings}
        shared: dict[str, int] = {}
        for cs in cands.values():
            if not cs:
                return None
            for c in set(cs):
                shared[c] = shared.get(c, 0) + 1
        out: set[str] = set()
        # shortest first (they have the fewest pairs to choose from); a pair chosen covers
        # every longer string holding it, and pairs many strings share are preferred
        # ("拿着刀", "提着刀": 着刀 once)
        for s in sorted(cands, key=lambda x: (len(x), x)):
            if out.isdisjoint(cands[s]):
                out.add(min(cands[s], key=lambda g: (gram_cost(g) / shared[g], g)))
        return frozenset(out)

    def cross(a, b):
        if a is None or b is None or len(a) * len(b) > _EXACT_CAP:
            return None
        return {x + y for x in a for y in b}

    def better(a, b):
        if a is None:
            return b
        if b is None:
            return a
        return a if set_cost(a) <= set_cost(b) else b

    def seq(items):
        """(exact strings or None, required grams or None)"""
        exact: set[str] | None = {""}
        run: set[str] | None = {""}
        best = None
        for op, av in items:
            ex, req = node(op, av)
            best = better(best, req)
            exact = cross(exact, ex)
            nxt = cross(run, ex)
            if nxt is None:
                # the run is too long to list: what it lists so far, it requires; it goes on
                # from its last characters ("(老人|孩子|…)(还)?在" lists 人在, 子在, 还在…)
                if run is not None and run != {""}:
                    best = better(best, pairs_of(run))
                if run is not None and ex is not None:
                    tail = {x[-1:] for x in run}
                    nxt = cross(tail, ex)
                    if nxt is None:
                        best = better(best, pairs_of(cross(tail, {x[:1] for x in ex}) or ()))
                        nxt = {x[-1:] for x in ex}
                else:
                    nxt = set(ex) if ex is not None else None
            run = nxt
        if run is not None and run != {""}:
            best = better(best, pairs_of(run))
        return exact, best

    def node(op, av):
        if op is C.LITERAL:
            return {chr(av)}, frozenset(chr(av))
        if op is C.IN:
            chars = _class_chars(av)
            if chars is None:
                return None, None
            return (set(chars) if len(chars) <= 32 else None), chars
        if op is C.BRANCH:
            exact: set[str] | None = set()
            reqs: set[str] | None = set()
            for alt in av[1]:
                ex, req = seq(alt)
                exact = exact | ex if exact is not None and ex is not None else None
                if exact is not None and len(exact) > _EXACT_CAP:
                    exact = None
                if ex is not None:
                    req = better(req, pairs_of(ex))
                reqs = reqs | req if reqs is not None and req is not None else None
            return exact, (frozenset(reqs) if reqs else None)
        if op is C.SUBPATTERN:
            if av[1] & re.IGNORECASE:
                raise ValueError("case-insensitive: the listed strings would not be exact")
            return seq(av[-1])
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, hi, sub = av
            ex, req = seq(sub)
            if ex is not None and hi <= 3:
                out: set[str] | None = set()
                power: set[str] | None = {""}
                for k in range(hi + 1):
                    if k >= lo and out is not None and power is not None:
                        out |= power
                    power = cross(power, ex) if k < hi else power
                return (out if out is not None and power is not None and len(out) <= _EXACT_CAP else None), \
                    (req if lo >= 1 else None)
            return None, (req if lo >= 1 else None)
        if op in (C.ASSERT, C.ASSERT_NOT, C.AT):
            return {""}, None          # zero-width: the match holds no character of it
        return None, None          # any character, a category, a back-reference

    try:
        parsed = parsed_pattern(pattern)
        if parsed.state.flags & re.IGNORECASE:
            return None
        _, req = seq(parsed)
    except Exception:
        return None
    return req or None


def candidates_index(patterns: list[str], facts: Analyses | None = None) -> Callable[..., list[int]]:
    """For a list of regexes, a function (text, pairs=None) -> indices (ascending) of the
    patterns that can possibly match it (exact: a pattern is skipped only when the text
    lacks every pair and character of its `required_grams` set, or failing that every character of its
    `required_chars` set, or failing that of its `first_chars`). `pairs`: the text's
    two-character substrings (`text_pairs`, or nlp.features' pairs), when the caller has
    them. `facts`: where the analyses may already be known."""
    grams_of, chars_of, first_of = ((facts.required_grams, facts.required_chars, facts.first_chars)
                                    if facts is not None else (required_grams, required_chars, first_chars))
    always: list[int] = []
    by_char: dict[str, list[int]] = {}
    by_pair: dict[str, list[int]] = {}
    for i, p in enumerate(patterns):
        grams = grams_of(p)
        if grams is not None:
            for g in grams:
                (by_pair if len(g) == 2 else by_char).setdefault(g, []).append(i)
            continue
        fc = chars_of(p)
        if fc is None:
            fc = first_of(p)
        if fc is None:
            always.append(i)
        else:
            for c in fc:
                by_char.setdefault(c, []).append(i)

    keys = frozenset(by_char)
    pair_keys = frozenset(by_pair)

    def candidates(text: str, pairs: set[str] | None = None) -> list[int]:
        found = set(always)
        for c in keys.intersection(text):
            found.update(by_char[c])
        if pair_keys:
            for pr in pair_keys.intersection(text_pairs(text) if pairs is None else pairs):
                found.update(by_pair[pr])
        return sorted(found)
    return candidates
