"""A text cut at its clause breaks, and positions of marks in it, for the questions the risk
rules ask about a cue's clause (nlp/risk.py) in time linear in the text: a clause or the
mark before a position is found by bisection over positions found once."""
from __future__ import annotations

import re
from bisect import bisect_right

CLAUSE_BREAK = re.compile(r"[，。！？；,.!?;\s]")


class Clauses:
    """A text cut at its clause breaks, for the questions the rules ask about a cue's clause
    in time linear in the text (a clause is found by bisection, not by walking)."""

    def __init__(self, text: str):
        self.text = text
        self.breaks = [m.start() for m in CLAUSE_BREAK.finditer(text)]

    def index(self, pos: int) -> int:
        """The number of the clause holding position `pos` (0 = before the first break)."""
        return bisect_right(self.breaks, pos - 1) if self.breaks else 0

    def start(self, pos: int) -> int:
        """Where the clause holding `pos` begins."""
        k = self.index(pos)
        return self.breaks[k - 1] + 1 if k else 0

    def holding(self, rx: re.Pattern) -> set[int]:
        """The clauses in which `rx` matches (its matches hold no break character)."""
        return {self.index(m.start()) for m in rx.finditer(self.text)}

    def any_in(self, found: set[int], start: int, end: int) -> bool:
        """Whether a clause touched by text[start:end] is in `found`."""
        if not found:
            return False
        a, b = self.index(start), self.index(max(start, end - 1))
        return any(k in found for k in range(a, b + 1))

    def replace(self, which: set[int], by: str) -> str:
        """The text with the clauses in `which` replaced by `by` (breaks kept)."""
        out, at = [], 0
        for k, b in enumerate(self.breaks + [len(self.text)]):
            out.append(by if k in which else self.text[at:b])
            out.append(self.text[b:b + 1])
            at = b + 1
        return "".join(out)


class Marks:
    """Positions of one kind of modifier word in a text, found once."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.spans = spans
        self.starts = [a for a, _ in spans]

    def __bool__(self) -> bool:
        return bool(self.spans)

    def last_before(self, pos: int) -> int:
        """End of the last mark ending at or before `pos`, or -1."""
        k = bisect_right(self.starts, pos) - 1
        while k >= 0:
            if self.spans[k][1] <= pos:
                return self.spans[k][1]
            k -= 1
        return -1

    def first_from(self, pos: int) -> int:
        """Start of the first mark starting at or after `pos`, or -1."""
        k = bisect_right(self.starts, pos - 1)
        return self.starts[k] if k < len(self.starts) else -1


def clauses_end(clauses: Clauses, pos: int) -> int:
    """Where the clause holding `pos` ends."""
    k = clauses.index(pos)
    return clauses.breaks[k] if k < len(clauses.breaks) else len(clauses.text)
