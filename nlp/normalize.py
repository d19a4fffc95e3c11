"""Normalisation of what residents really type.

full-width → half-width (NFKC), traditional → simplified (OpenCC's tables, only when a
traditional character is present), emoji and decorative symbols removed, repeated punctuation
collapsed, homophone typos and dialect words mapped (nlp/data/typos.yaml).
"""
# (and a message typed word by word, "老公 喝 酒 又 打 我", joined: _join_word_by_word)
from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from nlp.files import load_yaml
from nlp.prefilter import guarded, literal_alternation, required_grams
from nlp.scanner import PhraseScanner

DATA_DIR = Path(__file__).with_name("data")

# emoji & pictographs, dingbats, variation selectors, zero-width characters: each a
# clause break (a run of them becomes one: repeated breaks are collapsed below)
_EMOJI_RANGES = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0xFE00, 0xFE0F), (0x200B, 0x200F),
                 (0x2060, 0x2060), (0xFEFF, 0xFEFF), (0xE0000, 0xE007F), (0x2190, 0x21FF), (0x2300, 0x23FF),
                 (0x25A0, 0x25FF))
# one translation: NFKC turns full-width punctuation into ASCII, this brings the Chinese
# back, and makes every emoji a comma
_PUNCT_MAP = str.maketrans({
    **{chr(c): "，" for lo, hi in _EMOJI_RANGES for c in range(lo, hi + 1)},
    ",": "，", "!": "！", "?": "？", ";": "；", ":": "：",
    "。": "。", "、": "、", "~": "～",
    # invisible format characters (zero-width spaces and joiners, BOM, soft hyphen, direction
    # marks): pasted or inserted between characters, they hide every word from the reading
    **{chr(c): None for c in (0x00AD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF,
                              *range(0x202A, 0x202F), *range(0x2066, 0x206A))},
})
# WeChat text emoticons like [微笑] [捂脸] [强]
_WX_EMOJI_RE = re.compile(r"\[[\u4e00-\u9fffA-Za-z]{1,4}\]")
_REPEAT_PUNCT_RE = re.compile(r"([，。！？；：～、…\.\-—])\1+")
_SPACE_RE = re.compile(r"[ \t\u3000]+")
_NEWLINE_RE = re.compile(r"[\r\n]+")
_COMMA_BEFORE_STOP = re.compile(r"，(?=[，。！？])")
# a clause between punctuation marks; a space with a Chinese character on one side
_CLAUSE_RE = re.compile(r"[^，。！？；：、…]+")
_SPACE_BY_HAN_RE = re.compile(r"(?<=[\u4e00-\u9fff]) | (?=[\u4e00-\u9fff])")
_HAN_WORD_RE = re.compile(r"[\u4e00-\u9fff]+")


def _first_group(m: re.Match) -> str:
    return m.group(1)


class TraditionalToSimplified:
    """OpenCC's t2s conversion (its own phrase and character tables, read from the opencc
    package), done in time linear in the text: phrases by one leftmost-longest scan, the
    rest by one `str.translate`. The package's own converter is pure Python and slower
    than linear (2 s for 100 KB)."""

    def __init__(self):
        import opencc
        folder = Path(opencc.__file__).with_name("dictionary")
        chars: dict[str, str] = {}
        phrases: dict[str, str] = {}
        for name in ("TSCharacters.txt", "TSPhrases.txt"):
            try:
                with open(folder / name, encoding="utf-8") as fh:
                    for line in fh:
                        parts = line.rstrip("\n").split("\t")
                        if len(parts) != 2 or not parts[0]:
                            continue
                        src, dst = parts[0], parts[1].split(" ")[0]
                        if len(src) == 1 and name == "TSCharacters.txt":
                            if dst != src:
                                chars[src] = dst
                        else:
                            phrases.setdefault(src, dst)
            except OSError:  # pragma: no cover - opencc data missing: leave the text as it is
                pass
        self.chars = frozenset(chars)
        self._table = str.maketrans(chars)
        self._phrases = phrases
        self._scanner = PhraseScanner((p, d) for p, d in phrases.items())
        self._phrase_first = frozenset(p[0] for p in phrases)
        # a text without any of these characters is unchanged by the conversion
        changing = set(chars)
        for src, dst in phrases.items():
            changing.update(a for a, b in zip(src, dst) if a != b) if len(src) == len(dst) else changing.update(src)
        self._changing = frozenset(changing)

    def is_needed(self, text: str) -> bool:
        return not self._changing.isdisjoint(text)

    def __call__(self, text: str) -> str:
        if self._phrase_first.isdisjoint(text):
            return text.translate(self._table)
        out, at = [], 0
        for start, phrase, payloads in self._scanner.longest(text):
            out.append(text[at:start].translate(self._table))
            out.append(payloads[0])
            at = start + len(phrase)
        out.append(text[at:].translate(self._table))
        return "".join(out)


@lru_cache(maxsize=1)
def _t2s() -> TraditionalToSimplified:
    return TraditionalToSimplified()


def simplified_chars(text: str) -> str:
    """The text with each traditional character simplified on its own (no phrases): the same
    length, so what is found in it stands at the same place in the text (names to mask)."""
    t2s = _t2s()
    return text.translate(t2s._table) if t2s.is_needed(text) else text


@lru_cache(maxsize=8)
def load_typos(path: str | None = None) -> tuple[tuple[str, str], ...]:
    """(wrong, right) pairs, longest first; read once."""
    data = load_yaml(Path(path) if path else DATA_DIR / "typos.yaml")
    pairs: dict[str, str] = {}
    for name, section in data.items():
        if name == "regex":
            continue
        if isinstance(section, dict):
            for wrong, right in section.items():
                pairs[str(wrong)] = str(right)
    return tuple(sorted(pairs.items(), key=lambda kv: -len(kv[0])))


def _join_word_by_word(t: str) -> str:
    """A message typed word by word ("老公 喝 酒 又 打 我。刀 拿 着"): its spaces are word
    breaks, not clause breaks, and the cues and the model read it as the same message written
    without them. Spaces between longer pieces ("隔壁天天吵 吵得睡不着 报警也没用") are voice
    input's commas, and are kept; so are spaces that are not next to a Chinese character."""
    pieces = [p for clause in _CLAUSE_RE.findall(t) if " " in clause for p in clause.split()]
    if len(pieces) < 4:
        return t
    han = [p for p in pieces if _HAN_WORD_RE.fullmatch(p)]
    if len(han) * 5 < len(pieces) * 4 or sum(map(len, han)) > 2 * len(han):
        return t
    return _SPACE_BY_HAN_RE.sub("", t)


class Normalizer:
    """A precompiled normaliser (one regex pass for the typo table)."""

    def __init__(self, typos_path: str | os.PathLike | None = None):
        pairs = load_typos(str(typos_path) if typos_path else None)
        self._typos = dict(pairs)
        pattern = literal_alternation(w for w, _ in pairs)
        self._typo_re = guarded(pattern) if pattern else None
        self._t2s = _t2s()
        rx = load_yaml(Path(typos_path) if typos_path else DATA_DIR / "typos.yaml").get("regex") or {}
        # each with what its matches need (nlp.prefilter.required_grams): most messages hold
        # none of them, and a substring test costs less than a regex pass
        self._regex = [(guarded(k), v, tuple(sorted(required_grams(k) or ()))) for k, v in rx.items()]
        # which of them a text can need, by the first characters of what they need: one set
        # intersection instead of a substring test per regex (there are dozens, most messages
        # need none)
        self._always = tuple(i for i, (_, _, needs) in enumerate(self._regex) if not needs)
        self._by_char: dict[str, set[int]] = {}
        for i, (_, _, needs) in enumerate(self._regex):
            for g in needs:
                self._by_char.setdefault(g[0], set()).add(i)
        self._need_chars = frozenset(self._by_char)

    def __call__(self, text: str) -> str:
        if not text:
            return ""
        if not isinstance(text, str):
            text = str(text)
        t = unicodedata.normalize("NFKC", text)
        t = t.translate(_PUNCT_MAP)
        if "[" in t:
            t = _WX_EMOJI_RE.sub("，", t)
        if self._t2s.is_needed(t):
            t = self._t2s(t)
        if "\n" in t or "\r" in t:
            t = _NEWLINE_RE.sub("，", t)
        t = _SPACE_RE.sub(" ", t).strip()
        t = t.replace("...", "…").replace("。。", "。")
        t = _REPEAT_PUNCT_RE.sub(_first_group, t)
        t = _COMMA_BEFORE_STOP.sub("", t)
        t = t.strip("，、 ")
        if " " in t:
            t = _join_word_by_word(t)
        if self._typo_re is not None:
            t = self._typo_re.sub(lambda m: self._typos[m.group(0)], t)
        return self._contextual(t).lower()

    def _contextual(self, t: str) -> str:
        """The `regex` section applied in its order, each regex only where the text holds what
        it needs (looked for again after a change: a replacement may bring what a later one needs)."""
        todo = self._candidates(t, -1)
        k = 0
        while k < len(todo):
            i = todo[k]
            rx, rep, needs = self._regex[i]
            if not needs or any(map(t.__contains__, needs)):
                changed = rx.sub(rep, t)
                if changed != t:
                    t = changed
                    todo, k = self._candidates(t, i), 0
                    continue
            k += 1
        return t

    def _candidates(self, t: str, after: int) -> list[int]:
        found = set(self._always)
        for c in self._need_chars.intersection(t):
            found.update(self._by_char[c])
        return sorted(i for i in found if i > after)


@lru_cache(maxsize=1)
def _default() -> Normalizer:
    return Normalizer()


def normalize(text: str) -> str:
    """Normalise a resident's message (see module docstring). Never raises on a str."""
    return _default()(text)
