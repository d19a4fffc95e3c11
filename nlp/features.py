"""What the learned model reads in a normalised text: character n-grams, jieba words and
the taxonomy's terms (by type and weight tier), the same at training and at reading.

Features are strings; a text is the multiset of its features, each distinct feature
weighing 1 + ln(count). Kinds are told apart by a control-character prefix, which no
normalised text contains:
  "工", "工资"          character 1-2-grams inside punctuation-free chunks, digits as "0"
  "\\x01工资"            a word of two or more Chinese characters (nlp/segment.py)
  "\\x02labour:4"        a taxonomy term of that type and tier was found (nlp/data/taxonomy.yaml)
  "\\x03labour"          a taxonomy pattern of that type matched
The taxonomy features let what the taxonomy knows reach texts whose words the training
sets never used (a court's 宅基地使用权 has the term 宅基地).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from operator import add
from pathlib import Path

from nlp.chat_model import _DIGITS, _PUNCT, grams
from nlp.files import load_yaml
from nlp.pattern_facts import PatternFacts
from nlp.prefilter import Analyses, candidates_index, guarded
from nlp.scanner import PhraseScanner
from nlp.segment import Segmenter

DATA_DIR = Path(__file__).with_name("data")
WORD, TERM, PATTERN = "\x01", "\x02", "\x03"
_FUNCTION = frozenset("的了我你他她它们着过在把被给说是不没就都也还又很太和跟与这那个天家")

class Lexicon:
    """The taxonomy's terms and patterns, found in a text."""

    def __init__(self, path: str | Path | None = None, *, variants: bool = True, facts: Analyses | None = None):
        data = load_yaml(Path(path) if path else DATA_DIR / "taxonomy.yaml")
        facts = facts if facts is not None else PatternFacts.load()
        self.scanner: PhraseScanner[tuple[str, str]] = PhraseScanner()
        for label, tiers in (data.get("types") or {}).items():
            for tier, words in (tiers or {}).items():
                for w in words or ():
                    self.scanner.add(str(w).lower(), (label, f"{TERM}{label}:{tier}"))
        self.patterns: list[tuple[str, re.Pattern]] = []
        sources: list[str] = []
        for label, pats in (data.get("patterns") or {}).items():
            for item in pats or ():
                self.patterns.append((label, guarded(item["re"], facts=facts)))
                sources.append(str(item["re"]))
        self.sources = sources           # the regexes as written, in the order of `patterns`
        self._pindex = candidates_index(sources, facts)
        self.known = None                    # a segmenter: the words of its dictionary are no typos
        self._variants: dict[str, list[tuple[str, int]]] = {}
        self._variant_keys: frozenset[str] = frozenset()
        from rapidfuzz.distance import Levenshtein
        self._distance = Levenshtein.distance
        phrases = self.scanner.phrases()
        han = re.compile(r"[\u4e00-\u9fff]+")
        self._single = frozenset(p for p in phrases if len(p) == 1)
        # terms a segmentation of Chinese characters cannot return as one word ("4s店", "b超")
        self._other = tuple(p for p in phrases if len(p) > 1 and not han.fullmatch(p))
        if variants:
            self._index_variants()

    def _index_variants(self) -> None:
        """Terms of three characters or more by their character pairs, for finding a term
        written with one character wrong or one too many (宅基底, 拖欠工姿): a typo keeps at
        least one pair of a three-character term. Pairs shared by many terms are left out:
        they would bring candidates to compare at every turn."""
        by_pair: dict[str, list[tuple[str, int]]] = {}
        for term in self.scanner.phrases():
            # words, not phrases made of words ("他家的狗", "天天吵"): a phrase is found by
            # its words, and one character off makes another phrase, not a typo
            if len(term) < 3 or not all("\u4e00" <= c <= "\u9fff" and c not in _FUNCTION for c in term):
                continue
            for i in range(len(term) - 1):
                by_pair.setdefault(term[i:i + 2], []).append((term, i))
        self._variants = {p: ts for p, ts in by_pair.items() if len(ts) <= 4}
        self._variant_keys = frozenset(self._variants)

    def variants(self, text: str, exact: set[str], pairs: set[str] | None = None) -> list[tuple[str, str]]:
        """(term, words) for each taxonomy term written with one character wrong or one
        extra (rapidfuzz Levenshtein distance 1), where the words are not a dictionary
        word themselves and the term was not found as written. `pairs`: the text's
        character pairs, when the caller has them."""
        distance = self._distance
        index = self._variants
        if pairs is None:
            pairs = {text[i:i + 2] for i in range(len(text) - 1)}
        found_pairs = self._variant_keys & pairs
        if not found_pairs:
            return []
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        for pair in sorted(found_pairs, key=text.find):
            for term, off in index[pair]:
                if term in exact or term in seen:
                    continue
                L = len(term)
                i = text.find(pair)
                while i >= 0 and term not in seen:
                    a = i - off
                    for w in (text[a:a + L], text[a:a + L + 1], text[a - 1:a + L] if a > 0 else ""):
                        if (a >= 0 and len(w) >= L and distance(w, term, score_cutoff=1) == 1
                                and all("\u4e00" <= c <= "\u9fff" for c in w)
                                and not (self.known is not None and self.known.is_word(w))
                                # "老板拖" is 老板 and the next word, not a typo of 老板娘
                                and not any(len(e) >= len(w) - 1 and e in w for e in exact)
                                and not (len(w) == L and self._loose(term, w))):
                            seen.add(term)
                            out.append((term, w))
                            break
                    i = text.find(pair, i + 1)
        return out

    def _loose(self, term: str, w: str) -> bool:
        """True when `w` differs from `term` in a character standing alone between words
        ("晚上打" is 晚上 and another character, not a typo of 晚上好; "是多少" is not 赔多少):
        the words on either side of it kept whole make another phrase, while a typo
        breaks a word (宅基底, 拖欠工姿)."""
        known = self.known
        if known is None:
            return False
        i = next(k for k, (x, y) in enumerate(zip(term, w)) if x != y)
        before, after = term[:i], term[i + 1:]
        return ((not before or (len(before) >= 2 and known.is_word(before)))
                and (not after or (len(after) >= 2 and known.is_word(after))))

    def terms(self) -> list[str]:
        return [w for w in self.scanner.phrases() if len(w) >= 2]

    def find(self, text: str, words: Sequence[str] | None = None,
             pairs: set[str] | None = None) -> list[tuple[str, str, str]]:
        """(label, feature, words) for every term found (each once), every term written
        with one character wrong (`variants`) and every pattern found. With `words` (the
        text's segmentation, whose dictionary holds every term), a term is found when it
        is one of the words, a one-character term when the character is in the text, a
        term with other characters when it is in the text; without, by a leftmost-longest
        scan."""
        out: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        table = self.scanner.table
        add = out.append
        if words is not None:
            get = table.get
            for w in words:
                p = get(w)
                if p is not None and w not in seen:
                    seen.add(w)
                    for label, feat in p:
                        add((label, feat, w))
            # in the order of the text (a set's order changes from process to process, and
            # the evidence shown to people follows this order)
            for c in sorted(self._single.intersection(text), key=text.find):
                seen.add(c)
                for label, feat in table[c]:
                    add((label, feat, c))
            for t in self._other:
                if t in text:
                    seen.add(t)
                    for label, feat in table[t]:
                        add((label, feat, t))
        else:
            for _, phrase, payloads in self.scanner.longest(text):
                if phrase not in seen:
                    seen.add(phrase)
                    for label, feat in payloads:
                        add((label, feat, phrase))
        if self._variants:
            for term, w in self.variants(text, seen, pairs):
                for label, feat in table[term]:
                    add((label, feat, w))
        pats = self.patterns
        for i in self._pindex(text, pairs):
            label, rx = pats[i]
            m = rx.search(text)
            if m:
                out.append((label, PATTERN + label, m.group(0)))
        return out


class Featurizer:
    def __init__(self, segmenter: Segmenter | None, lexicon: Lexicon | None, ngram=(1, 2)):
        self.segmenter = segmenter
        self.lexicon = lexicon
        self.ngram = (int(ngram[0]), int(ngram[1]))

    def __call__(self, text: str) -> list[str]:
        return self.read(text)[0]

    def read(self, text: str) -> tuple[list[str], list[tuple[str, str, str]]]:
        """The features of a normalised text, and the lexicon's hits (label, feature, words)."""
        feats, found, _ = self.read_pairs(text)
        return feats, found

    def read_pairs(self, text: str) -> tuple[list[str], list[tuple[str, str, str]], set[str] | None]:
        """`read`, and the text's character pairs when it has them (the regex pre-filters
        of the risk cues take them too, nlp.prefilter.candidates_index)."""
        if self.ngram == (1, 2):
            # the character pairs are wanted on their own too (for the lexicon's variants)
            feats, pair_list = [], []
            for chunk in _PUNCT.split(_DIGITS.sub("0", text)):
                if chunk:
                    feats.extend(chunk)
                    pair_list.extend(map(add, chunk, chunk[1:]))
            feats.extend(pair_list)
            pairs = set(pair_list)
        else:
            feats = grams(text, self.ngram)
            pairs = None
        words = None
        if self.segmenter is not None:
            words = self.segmenter.words(text)
            feats.extend(WORD + w for w in words)
        found: list = []
        if self.lexicon is not None:
            found = self.lexicon.find(text, words, pairs)
            feats.extend(f for _, f, _ in found)
        return feats, found, pairs
