"""Is a text a news headline rather than someone's own words?

A headline about a kidnapping or a suicide holds the same words as a report of one
("宝马车主遭绑架被索百万赎人", "博士疑因论文没写好凌晨跳楼自杀"), and residents paste news into
chats. The red cues cannot tell them apart; the way the text is written can. This is a
logistic reading over the characters (one, two and three in a row) learned from news
titles (THUCNews, scripts/build_headlines.py) against every labelled line residents wrote
(the chat voices and the real sets): the words of a story told as news (遭, 身亡, 称, 获,
a space between two clauses) against those of a person writing (我, 了, 吗, 快).

The risk rules use it only where nobody writes as 我 or to 你, with no speaker's particle
and nothing now (nlp/risk.py): there a red cue is asked about, not alarmed. The score
needs no library to read (plain weights); training uses scikit-learn (offline).
"""
from __future__ import annotations

import json
import math
import random
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")
MODEL_PATH = DATA_DIR / "headline.json"
TITLES_SUBDIR = "headlines"          # in the real-data folder (nlp/corpus.py real_dir)
NGRAMS = (1, 2, 3)
# learned with C=2 on every character run seen twice, then only weights of at least this
# size kept: cross-fitted, 8.6k weights read as the 210k did (scripts in nlp/RESULTS.md)
C = 2.0
KEEP = 0.1


# where one story ends and another begins: a draft joins a resident's messages with "；"
# ("…跳楼身亡 遗书称对不起父母；隔壁老张拿着菜刀在楼道里转"), and a pasted headline is one of them.
# A space is not a break: headlines use it between their clauses.
_SENTENCE_END = re.compile(r"[；;。！？!?\n]+")


class Sentences:
    """A text's sentences, for the span of the one holding a position (by bisection: a long
    text with many cues stays linear)."""

    def __init__(self, text: str):
        self.text = text
        self._breaks = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text)]
        self._starts = [a for a, _ in self._breaks]

    def span(self, pos: int) -> tuple[int, int]:
        """The span of the sentence holding position `pos`."""
        k = bisect_right(self._starts, pos)          # breaks starting at or before pos
        a = self._breaks[k - 1][1] if k else 0
        if a > pos:                                   # pos inside a break: its sentence is the one before
            return self.span(self._breaks[k - 1][0] - 1) if self._breaks[k - 1][0] else (0, 0)
        return a, (self._breaks[k][0] if k < len(self._breaks) else len(self.text))


def sentences(text: str) -> list[str]:
    """The text's sentences (the whole text when it has one)."""
    return [s for s in _SENTENCE_END.split(text) if s]


def grams(text: str) -> set[str]:
    return {text[i:i + n] for n in NGRAMS for i in range(len(text) - n + 1)}


@dataclass
class HeadlineModel:
    weights: dict[str, float]
    bias: float
    meta: dict = field(default_factory=dict)

    def score(self, text: str) -> float:
        """The probability that a normalised text is a news headline."""
        w = self.weights
        z = self.bias + sum(w.get(g, 0.0) for g in grams(text))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def save(self, path: Path = MODEL_PATH) -> Path:
        body = {"bias": round(self.bias, 4), "meta": self.meta,
                "weights": {g: round(v, 3) for g, v in sorted(self.weights.items())}}
        path.write_text(json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> HeadlineModel | None:
        if not path.exists():
            return None
        body = json.loads(path.read_text(encoding="utf-8"))
        return cls({str(k): float(v) for k, v in body["weights"].items()}, float(body["bias"]), body.get("meta") or {})


class HeadlineTest:
    """text -> is it a headline: the model's score against the decision stage's
    `headline_min` (nlp/data/decision.yaml). `scores` (text -> score) stand in for the
    model where given: cross-validation reads each line with a model that did not see it."""

    def __init__(self, model: HeadlineModel | None, minimum: float, scores: dict[str, float] | None = None):
        self.model, self.minimum, self.scores = model, minimum, scores or {}

    def __call__(self, text: str) -> bool:
        return self.score(text) >= self.minimum

    def score(self, text: str) -> float:
        s = self.scores.get(text)
        if s is None:
            s = self.model.score(text) if self.model is not None else 0.0
        return s

    @classmethod
    def shipped(cls, decision_file: str | Path | None = None) -> HeadlineTest:
        from nlp.files import load_yaml
        dec = load_yaml(Path(decision_file) if decision_file else DATA_DIR / "decision.yaml")
        return cls(HeadlineModel.load(), float((dec.get("colour") or {}).get("headline_min", 1.01)))


# -- training (offline) ------------------------------------------------------------------

def load_titles(folder: Path) -> list[str]:
    """The news titles in `folder`/headlines/*.tsv (category<TAB>title)."""
    out: list[str] = []
    for p in sorted((folder / TITLES_SUBDIR).glob("*.tsv")):
        out += [line.split("\t", 1)[1].strip() for line in p.read_text(encoding="utf-8").splitlines()
                if "\t" in line and not line.startswith("#")]
    return out


def train(titles: Sequence[str], others: Sequence[str], meta: dict | None = None) -> HeadlineModel:
    """Titles (normalised) against residents' lines (normalised), balanced."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = CountVectorizer(analyzer="char", ngram_range=(NGRAMS[0], NGRAMS[-1]), min_df=2, binary=True,
                          lowercase=False)
    X = vec.fit_transform(list(titles) + list(others))
    y = [1] * len(titles) + [0] * len(others)
    m = LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(X, y)
    weights = {g: float(w) for g, w in zip(vec.get_feature_names_out(), m.coef_[0], strict=True) if abs(w) >= KEEP}
    return HeadlineModel(weights, float(m.intercept_[0]),
                         {"titles": len(titles), "others": len(others), "C": C, "keep": KEEP, **(meta or {})})


def cross_fit(titles: Sequence[str], others: Iterable[tuple[str, str]], k: int = 5, seed: int = 1,
              log: Callable[[str], None] = lambda s: None) -> dict[str, float]:
    """Every title's and every other line's score from a model that saw neither it nor, for
    a resident's line, anything its author (group) wrote. others: (group, normalised text)."""
    others = list(others)
    groups = sorted({g for g, _ in others})
    rng = random.Random(seed)
    rng.shuffle(groups)
    gfold = {g: i % k for i, g in enumerate(groups)}
    tfold = [i % k for i in range(len(titles))]
    rng.shuffle(tfold)
    out: dict[str, float] = {}
    for f in range(k):
        m = train([t for t, tf in zip(titles, tfold, strict=True) if tf != f],
                  [x for g, x in others if gfold[g] != f])
        for t, tf in zip(titles, tfold, strict=True):
            if tf == f:
                for s in {t, *sentences(t)}:
                    out[s] = m.score(s) if s == t else min(out.get(s, 1.0), m.score(s))
        for g, x in others:
            if gfold[g] == f:
                # a line two authors both wrote keeps the lower score (the safer one); the risk
                # rules ask of a cue's sentence, so each sentence is scored too
                for s in {x, *sentences(x)}:
                    out[s] = min(out.get(s, 1.0), m.score(s))
        log(f"  headline fold {f + 1}/{k}")
    return out


def cross_fitted(titles: Sequence[str], others: Sequence[tuple[str, str]], minimum: float,
                 cache: Path | None = None, log: Callable[[str], None] = lambda s: None) -> HeadlineTest:
    """The test cross-validation reads the labelled lines with (`cross_fit`), cached in
    `cache` by the texts and this module's code."""
    import hashlib
    import pickle

    key = hashlib.sha256(json.dumps([list(titles), list(others)], ensure_ascii=False).encode()
                         + Path(__file__).read_bytes()).hexdigest()[:16]
    f = cache / f"headline-{key}.pickle" if cache is not None else None
    if f is not None and f.exists():
        with f.open("rb") as fh:
            scores = pickle.load(fh)
    else:
        scores = cross_fit(titles, others, log=log)
        if f is not None:
            f.parent.mkdir(parents=True, exist_ok=True)
            with f.open("wb") as fh:
                pickle.dump(scores, fh)
    return HeadlineTest(HeadlineModel.load(), minimum, scores)
