"""Where a resident says they are: the place codes a reading names, the choice among places
offered ("2", "第二个", "石桥村"), the area an address names, a place taken back ("我是石桥村的
不对不对 我是桃源村的")."""
from __future__ import annotations

import re
from collections.abc import Sequence

from bot.context import AppContext
from nlp import Reading
from nlp.intents import is_confirm
from nlp.reading import PlaceMatch
from storage.registry import LEVEL_RANK

# the area itself rather than a village in it
COUNTY_TOWN = re.compile(r"县城|城区|城里|县里|县上|市区|城关")
SOMEWHERE_IN_AREA = re.compile(r"镇上|镇里|乡上|乡里|街上|集上|镇政府|乡政府|县城|城区|城里|不知道(?:是)?哪个村|说不清")
# a choice by its number: "2", "第二个", "选3", "2号", "就是第一个吧"
OPTION_NUMBER = re.compile(r"^(?:就是|选|要)?第?([1-9]|[一二三四五六七八九])(?:个|号|项)?(?:吧|啊|呀)?[。.!！]?$")


class PlaceAnswers:
    """The registry's places as a resident's words name them."""

    def __init__(self, ctx: AppContext):
        self.registry = ctx.registry
        self.threshold = ctx.settings.place_match_threshold
        self.match_places = ctx.nlp.match_places

    def read(self, reading: Reading, asked: bool) -> str | list[str] | None:
        """A place code, a list of codes to choose from, or None."""
        matches: Sequence[PlaceMatch] = reading.places
        if not matches and asked:
            matches = self.match_places(reading.text)
        threshold = self.threshold
        good = [m for m in matches if m.score >= threshold] or ([m for m in matches if m.score >= 60] if asked else [])
        if not good:
            # "桃园村", "柳琳村": a village's name with one character written as it sounds; offered
            # as a choice ("1. 东溪镇桃源村"), not asked for again without a word of why
            near = self.one_off(reading.text)
            return near or None
        best = good[0]
        rivals = [m for m in good[1:] if best.score - m.score < 3 and m.code != best.code
                  and not self.related(m.code, best.code)]
        if rivals:
            later = _corrected_to(reading.text, [best, *rivals])
            if later is not None:
                return later.code
            return [best.code] + [m.code for m in rivals][:4]
        place = self.registry.place(best.code)
        if place and LEVEL_RANK[place.level] < LEVEL_RANK["village"]:
            if place.level == "county" and COUNTY_TOWN.search(reading.text) \
                    or place.level == "town" and SOMEWHERE_IN_AREA.search(reading.text):
                return best.code               # "工地在县城", "就在镇上": the place is that area itself
            children = [p.code for p in self.registry.places.values()
                        if p.parent == place.code and p.level in ("village", "community", "town")]
            return children[:9] or best.code
        return best.code

    def one_off(self, text: str) -> list[str]:
        """Villages and communities whose name is one character away from a name the text
        gives ("桃园村" → 桃源村), for a choice; none when the text names none such."""
        from rapidfuzz.distance import Levenshtein
        ends = [m.end() for m in _UNIT_END.finditer(text)]
        if not ends:
            return []
        out = []
        for code, place in self.registry.places.items():
            if place.level not in ("village", "community"):
                continue
            for name in (place.name, *place.aliases):
                said = {text[e - len(name):e] for e in ends if e >= len(name)}
                # the same ending (村, 社区), one other character before it
                if any(w != name and w.endswith(name[-1]) and Levenshtein.distance(w, name) == 1 for w in said):
                    out.append(code)
                    break
        return out[:4]

    def in_address(self, reading: Reading) -> str | None:
        """The one place an address names: a village or grid when just one matches, else the
        area the matches share (the town of "东溪镇白沙村五组")."""
        place = self.read(reading, asked=True)
        if isinstance(place, list):
            return self.area_of(place)
        return place

    def named_in(self, text: str) -> bool:
        return bool(self._matches(text))

    def _matches(self, text: str) -> list[PlaceMatch]:
        threshold = self.threshold
        return [m for m in self.match_places(text) if m.score >= threshold]

    def area_of(self, options: list[str]) -> str | None:
        """The town or county whose places were offered (one the resident may settle for)."""
        parents = {self.registry.places[c].parent for c in options if c in self.registry.places}
        return parents.pop() if len(parents) == 1 else None

    def related(self, a: str, b: str) -> bool:
        return a in {p.code for p in self.registry.ancestors(b)} or b in {p.code for p in self.registry.ancestors(a)}

    def pick_option(self, text: str, options: list[str]) -> str | None:
        """The option chosen: its number ("2", "第二个", "选3", "2号") or its name."""
        t = text.strip()
        if len(options) == 1 and is_confirm(t):          # "是的" to "您说的是桃源村吗"
            return options[0]
        m = OPTION_NUMBER.match(t)
        if m:
            n = int(m.group(1)) if m.group(1).isdigit() else "一二三四五六七八九".find(m.group(1)) + 1
            if 1 <= n <= len(options):
                return options[n - 1]
        for code in options:
            place = self.registry.place(code)
            if place and (place.name in t or any(a in t for a in place.aliases)):
                return code
        return None


# where a village's or a community's name ends in what a resident writes
_UNIT_END = re.compile(r"村|社区")
_SAID_WRONG = re.compile(r"不对|不是|说错了|错了|搞错了|应该是")


_DENIED = re.compile(r"(?:不是|不在|并非)(?:在|我们|我)?\s*$")


def _corrected_to(text: str, matches: Sequence[PlaceMatch]) -> PlaceMatch | None:
    """"我是石桥村的 不对不对 我是桃源村的": the place named after the words taking one back;
    "应该是柳林村 不是桃源村", "不是桃源村 是柳林村": the one place not denied."""
    at = sorted(((text.find(m.matched), m) for m in matches if m.matched and text.find(m.matched) >= 0),
                key=lambda x: x[0])
    if len(at) < 2:
        return None
    kept = [m for i, m in at if not _DENIED.search(text, max(0, i - 6), i)]
    if len(kept) == 1 and len(at) > 1:
        return kept[0]
    (first, m1), (last, m2) = at[0], at[-1]
    return m2 if _SAID_WRONG.search(text, first + len(m1.matched), last) else None
