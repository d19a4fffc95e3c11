"""A dictionary scanner: finds known phrases in a text in one left-to-right pass.

Phrases are indexed by their first character with the lengths present for it, so a
scan costs a few dict look-ups per character (the job of an Aho-Corasick automaton,
in plain Python, with no per-call fuzzy matching).
"""
from __future__ import annotations

from typing import Generic, Iterable, Iterator, TypeVar

T = TypeVar("T")


class PhraseScanner(Generic[T]):
    def __init__(self, items: Iterable[tuple[str, T]] = ()):
        self.table: dict[str, list[T]] = {}
        for phrase, payload in items:
            self.add(phrase, payload)

    def add(self, phrase: str, payload: T) -> None:
        if not phrase:
            return
        self.table.setdefault(phrase, []).append(payload)
        self._index = None

    def _build(self) -> dict[str, tuple[int, ...]]:
        idx: dict[str, set[int]] = {}
        for p in self.table:
            idx.setdefault(p[0], set()).add(len(p))
        self._index = {c: tuple(sorted(ls, reverse=True)) for c, ls in idx.items()}
        return self._index

    def longest(self, text: str) -> Iterator[tuple[int, str, list[T]]]:
        """Leftmost-longest, non-overlapping matches: (start, phrase, payloads)."""
        index = self._index if self._index is not None else self._build()
        table = self.table
        i, n = 0, len(text)
        while i < n:
            lens = index.get(text[i])
            if lens:
                for L in lens:
                    s = text[i:i + L]
                    p = table.get(s)
                    if p is not None and len(s) == L:
                        yield i, s, p
                        i += L
                        break
                else:
                    i += 1
            else:
                i += 1

    def all(self, text: str) -> Iterator[tuple[int, str, list[T]]]:
        """Every match, overlapping ones included."""
        index = self._index if self._index is not None else self._build()
        table = self.table
        for i, ch in enumerate(text):
            lens = index.get(ch)
            if lens:
                for L in lens:
                    s = text[i:i + L]
                    p = table.get(s)
                    if p is not None and len(s) == L:
                        yield i, s, p

    def __len__(self) -> int:
        return len(self.table)

    def phrases(self) -> list[str]:
        return list(self.table)
