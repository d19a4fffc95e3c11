"""Is a new report the same dispute as an open case? Storage-free: the caller hands over digests.

Same dispute: same type (or one side unknown), places in the same village or community,
within the window, and the words about the dispute itself overlap. Place names, numbers and
filler are left out of the comparison, so "柳林村的狗叫" and "柳林村的椅子声" do not match on
"柳林村" alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Mapping

from rapidfuzz import fuzz

from nlp.normalize import normalize
from nlp.reading import Reading

THRESHOLD = 0.47
_FILLER = re.compile(r"[\d０-９，。！？、；：,.!?;:\s~～…“”\"'（）()【】\[\]]+|我们|我家|他们|他家|那个|这个|一直|天天|"
                     r"每天|总是|还是|就是|现在|已经|又|也|都|了|的|地|得|着|吗|呢|吧|啊|说|反映|投诉|举报|电话|手机")


@dataclass(frozen=True)
class CaseDigest:
    number: str
    text: str
    type: str
    place_code: str | None
    created_at: datetime
    reporter: str
    open: bool = True


@dataclass(frozen=True)
class DuplicateMatch:
    number: str
    score: float
    reason: str           # same_reporter | many_reporters


def _village(code: str | None, parents: Mapping[str, str | None]) -> str | None:
    """The village/community a place belongs to: the node two levels under the county."""
    chain = []
    seen = set()
    while code and code not in seen:
        seen.add(code)
        chain.append(code)
        code = parents.get(code)
    # chain: place … town, county. A village is third from the top.
    return chain[-3] if len(chain) >= 3 else (chain[0] if chain else None)


def _core(text: str, strip: Iterable[str]) -> str:
    t = normalize(text)
    for name in strip:
        if name:
            t = t.replace(name, "")
    return _FILLER.sub("", t)


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)}


def similarity(a: str, b: str) -> float:
    """0..1: overlap of character pairs and fuzzy likeness of the dispute's own words."""
    if not a or not b:
        return 0.0
    ba, bb = _bigrams(a), _bigrams(b)
    jaccard = len(ba & bb) / max(1, min(len(ba), len(bb)))
    return 0.5 * jaccard + 0.5 * fuzz.token_set_ratio(list(a), list(b)) / 100 * (1 if jaccard > 0.15 else 0.5)


def find_duplicate(reading: Reading, place_code: str | None, reporter: str, now: datetime,
                   candidates: Iterable[CaseDigest], *, window_days: float = 7,
                   place_parents: Mapping[str, str | None] = {}, place_names: Iterable[str] = ()) -> DuplicateMatch | None:
    names = list(place_names) + [m.name for m in reading.places] + [m.matched for m in reading.places]
    mine = _core(reading.text, names)
    village = _village(place_code, place_parents)
    best: DuplicateMatch | None = None
    for c in candidates:
        if not c.open or now - c.created_at > timedelta(days=window_days):
            continue
        if reading.type not in (c.type, "other", "none") and c.type != "other":
            continue
        if village and c.place_code and _village(c.place_code, place_parents) != village:
            continue
        score = similarity(mine, _core(c.text, names))
        if score >= THRESHOLD and (best is None or score > best.score):
            best = DuplicateMatch(c.number, score, "same_reporter" if c.reporter == reporter else "many_reporters")
    return best
