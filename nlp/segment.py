"""Word segmentation: jieba's dictionary and jieba's maximum-probability route.

`Segmenter.words(text)` returns the Chinese words of two or more characters that
`jieba.Tokenizer.lcut(text, HMM=False)` returns with the same dictionary (a test checks
this on every labelled text and on random strings). It is computed in one backward pass
over each run of Chinese characters instead of jieba's DAG-then-route generators, which
costs a third of the time; single characters are left to the character n-grams.

The dictionary is jieba's own `dict.txt`, the 36,000 words with a frequency of at least 100
(the rare tail only slows the start-up: loading jieba's whole prefix dictionary takes ~0.9 s;
leave-one-group-out scored 20 and 100 the same, nlp/RESULTS.md; the subset ships as
nlp/data/words.json so the reading does not depend on the installed jieba's file), plus the
user words (the taxonomy's terms and the registry's place names), each
with a high frequency so that they come out whole, as `jieba.add_word` would do.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from math import log
from pathlib import Path

_HAN = re.compile(r"[\u4e00-\u9fff]+")
_NO_WORD = float("-inf")
USER_FREQ = 2000          # jieba's own choice when a user word has no frequency
PLACE_FREQ = 5000


def jieba_dict_path() -> Path:
    import jieba
    return Path(jieba.__file__).with_name("dict.txt")


def read_jieba_dict(min_freq: int, path: Path | None = None) -> dict[str, int]:
    words: dict[str, int] = {}
    with open(path or jieba_dict_path(), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split(" ", 2)
            if len(parts) >= 2:
                f = int(parts[1])
                if f >= min_freq:
                    words[parts[0]] = f
    return words


WORDS_FILE = Path(__file__).with_name("data") / "words.json"


def load_words(path: str | Path | None = None) -> dict[str, int]:
    """The dictionary shipped with the model (nlp/data/words.json, written by
    `python -m nlp.train words` from jieba's dict.txt): {entry: frequency}, every prefix of
    a word an entry of frequency 0 (jieba's prefix dictionary, ready to use)."""
    import json
    with open(path or WORDS_FILE, encoding="utf-8") as fh:
        return json.load(fh)["entries"]


def write_words(min_freq: int = 100, path: str | Path | None = None) -> Path:
    import json

    import jieba
    words = read_jieba_dict(min_freq)
    entries = dict(words)
    for w in words:
        for i in range(1, len(w)):
            entries.setdefault(w[:i], 0)
    p = Path(path or WORDS_FILE)
    with open(p, "w", encoding="utf-8") as fh:
        json.dump({"source": f"jieba {jieba.__version__} dict.txt, words of frequency >= {min_freq}, "
                             "with their prefixes",
                   "min_freq": min_freq, "entries": entries}, fh, ensure_ascii=False, separators=(",", ":"))
    return p


class Segmenter:
    def __init__(self, entries: dict[str, int] | None = None, *, min_freq: int = 100):
        """`entries`: {word or prefix: frequency}, prefixes at 0 (`load_words`); default:
        jieba's dict.txt, words of frequency >= min_freq."""
        if entries is None:
            words = read_jieba_dict(min_freq)
            entries = dict(words)
            for w in words:
                for i in range(1, len(w)):
                    entries.setdefault(w[:i], 0)
        self.total = sum(entries.values())
        # log frequency of every entry; a prefix that is no word weighs -inf, so it is
        # walked through but never chosen (jieba's DAG leaves it out)
        self._logf: dict[str, float] = {w: (log(f) if f > 0 else _NO_WORD) for w, f in entries.items()}

    def is_word(self, w: str) -> bool:
        f = self._logf.get(w)
        return f is not None and f != _NO_WORD

    def add_word(self, word: str, freq: int = USER_FREQ) -> None:
        """As `jieba.Tokenizer.add_word`: the word with its frequency, its prefixes with 0."""
        if not word:
            return
        self._logf[word] = log(freq) if freq > 0 else _NO_WORD
        self.total += freq          # as jieba does, even when the word was there
        for i in range(1, len(word)):
            self._logf.setdefault(word[:i], _NO_WORD)

    def add_words(self, words: Iterable[str], freq: int = USER_FREQ) -> None:
        for w in words:
            self.add_word(w, freq)

    def words(self, text: str) -> list[str]:
        """The words of two or more Chinese characters, in order."""
        out: list[str] = []
        get = self._logf.get
        lt = log(self.total or 1)
        no = _NO_WORD
        for s in _HAN.findall(text):
            n = len(s)
            if n < 2:
                continue
            # score[k]: the best log-probability of s[k:] (jieba's calc, backwards, the same
            # arithmetic in the same order); end[k]: where the first word of that route ends
            score = [0.0] * (n + 1)
            end = list(range(n))
            for k in range(n - 1, -1, -1):
                # the words starting at k (jieba's DAG[k]): the character itself when it is a
                # word, then every longer word; none at all: the character alone, frequency 1
                f = get(s[k])
                best = f - lt + score[k + 1] if f is not None and f != no else None
                i = k + 2
                while i <= n:
                    f = get(s[k:i])
                    if f is None:
                        break
                    if f != no:
                        sc = f - lt + score[i]
                        if best is None or sc >= best:      # ties go to the longer word, as in jieba
                            best = sc
                            end[k] = i - 1
                    i += 1
                score[k] = best if best is not None else score[k + 1] - lt
            k = 0
            while k < n:
                e = end[k] + 1
                if e - k > 1:
                    out.append(s[k:e])
                k = e
        return out
