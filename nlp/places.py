"""Place candidates: registry names and aliases found in a message.

Exact scanning over precomputed variant keys (names, aliases, names without their
level suffix, Chinese/Arabic numerals unified); rapidfuzz only for the short answer to
"where?" (`fuzzy`), over the small set of place keys.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nlp.parties import looks_like_a_name, neighbours_named
from nlp.reading import PlaceMatch, PlaceRef

_SUFFIXES = ("街道办事处", "办事处", "街道办", "社区居委会", "居委会", "村委会", "街道", "社区", "小区",
             "乡镇", "网格", "村", "镇", "乡", "县", "区", "市", "组")
_LEVEL_RANK = {"county": 0, "town": 1, "village": 2, "community": 2, "grid": 3, "microgrid": 4}
_NUM_MAP = str.maketrans({"一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6",
                          "七": "7", "八": "8", "九": "9", "〇": "0", "零": "0", "两": "2"})
_GROUP_RE = re.compile(r"第?(\d+)(?:网格|组|队|小组|村民小组)")
# short keys that are ordinary words: never match them alone
_STOP_KEYS = {"东溪", "南湖", "新华", "中心", "新村", "东方", "红星"}
FUZZY_CHARS = 200
# what may follow a number that is not a group's: more digits (a phone), a building, a room
_CALLED = re.compile(r"((?:我|他|她|对方|名字)?(?:叫|名叫))([\u4e00-\u9fa5]{2,3})")
_NOT_A_GROUP = re.compile(r"\d|号|栋|幢|单元|楼|室|层|户|块|元|万|千|百|岁|年|月|日|点|个|天")


def _key(s: str) -> str:
    """Matching form: lower-case, numerals as digits, no spaces."""
    return s.lower().translate(_NUM_MAP).replace(" ", "").replace("第", "")


@dataclass(frozen=True)
class _Entry:
    code: str
    name: str
    rank: int
    score: float


class PlaceIndex:
    def __init__(self, places: Sequence[PlaceRef] = ()):
        self.places: dict[str, PlaceRef] = {}
        self.keys: dict[str, list[_Entry]] = {}
        self.lengths: list[int] = []
        self._first: set[str] = set()
        self.load(places)

    def load(self, places: Sequence[PlaceRef]) -> None:
        self.places = {p.code: p for p in places}
        keys: dict[str, list[_Entry]] = {}

        def add(k: str, p: PlaceRef, score: float) -> None:
            k = _key(k)
            if len(k) < 2:
                return
            rank = _LEVEL_RANK.get(p.level, 2)
            lst = keys.setdefault(k, [])
            for i, e in enumerate(lst):
                if e.code == p.code:
                    if score > e.score:
                        lst[i] = _Entry(p.code, p.name, rank, score)
                    return
            lst.append(_Entry(p.code, p.name, rank, score))

        derived: list[tuple[str, PlaceRef, float]] = []
        for p in places:
            names = [(p.name, 100.0)] + [(a, 97.0) for a in p.aliases]
            for n, sc in names:
                add(n, p, sc)
                for suf in _SUFFIXES:
                    if n.endswith(suf) and len(n) - len(suf) >= 2:
                        stem = n[: -len(suf)]
                        if stem not in _STOP_KEYS or p.level in ("county", "town"):
                            derived.append((stem, p, sc - 8))
                        break
                # '柳林村第一网格' → '柳林村1组', '柳林1组'
                gm = _GROUP_RE.search(_key(n))
                if gm:
                    base = _key(n)[: gm.start()]
                    num = gm.group(1)
                    for b in {base, base.rstrip("村").rstrip("社区")}:
                        if len(b) >= 2:
                            for form in ("组", "网格", "队", "小组"):
                                derived.append((f"{b}{num}{form}", p, sc - 3))
        exact_keys = set(keys)
        for k, p, sc in derived:
            if _key(k) not in exact_keys:
                add(k, p, sc)
        # drop bare stop keys (e.g. '南湖' for the community when a town also has it)
        self.keys = keys
        self.lengths = sorted({len(k) for k in keys}, reverse=True)
        self._first = {k[0] for k in keys}
        alts = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
        first = "".join(re.escape(c) for c in sorted(self._first))
        self._starts = re.compile(f"(?=[{first}])(?=({alts}))") if keys else re.compile("(?!)")

    def scan(self, text: str) -> list[PlaceMatch]:
        """Exact variants found in text; the most specific (deepest, longest) first."""
        if not self.keys or not text or self._first.isdisjoint(_key(text)):
            return []           # most messages hold no place's first character (blanking names only takes away)
        if "叫" in text:
            # "我叫杨柳林", "对门的叫石桥生": a person's name, not 柳林村 or 石桥村 (offered as places)
            text = _CALLED.sub(lambda m: m.group(1) + "，" * len(m.group(2)) if looks_like_a_name(m.group(2))
                               else m.group(0), text)
        for a, b in neighbours_named(text):          # "对门的石桥生": a neighbour's name, not 石桥村
            text = text[:a] + "，" * (b - a) + text[b:]
        t = _key(text)
        hits: list[tuple[int, int, _Entry, str]] = []
        keys = self.keys
        # the longest key starting at each position (a zero-width match per position, the
        # alternatives longest first): one C-level scan instead of a loop over positions
        for m in self._starts.finditer(t):
            s = m.group(1)
            i = m.start()
            if s[-1].isdigit() and _NOT_A_GROUP.match(t, i + len(s)):
                # "柳林村1" of "柳林村 13800138000", "柳林村 2号楼" (a phone, a building): the
                # longest key before the number ("柳林村")
                s = s.rstrip("0123456789")
                while len(s) >= 2 and s not in keys:
                    s = s[:-1]
                if len(s) < 2:
                    continue
            for e in keys[s]:
                hits.append((i, i + len(s), e, s))
        if not hits:
            return []
        # drop hits contained in a longer hit: hits come by start, one length per start, so
        # a hit is inside a longer one exactly when an earlier-starting hit reaches its end
        kept = []
        reach = -1
        for h in hits:
            if reach >= h[1] and not (kept and kept[-1][0] == h[0]):
                continue
            kept.append(h)
            reach = max(reach, h[1])
        best: dict[str, tuple[float, int, int, str, str]] = {}
        for a, b, e, s in kept:
            length_bonus = min(b - a, 8) * 0.1
            sc = min(100.0, e.score + length_bonus)
            prev = best.get(e.code)
            if prev is None or sc > prev[0]:
                best[e.code] = (sc, e.rank, a, e.name, text_span(text, s))
        # several unrelated places sharing one key (e.g. '南湖'): lower their score
        out = []
        for code, (sc, rank, pos, name, matched) in best.items():
            share = sum(1 for c, v in best.items() if v[2] == pos and c != code
                        and not self.is_ancestor(c, code) and not self.is_ancestor(code, c))
            if share:
                sc -= 10
            out.append([sc, rank, pos, PlaceMatch(code, name, round(sc, 1), matched)])
        out.sort(key=lambda x: (-x[0], -x[1], x[2]))
        ms = [x[3] for x in out]
        # a place inside another matched place goes first (东溪镇石桥村 → 石桥村, then 东溪镇)
        changed = True
        while changed:
            changed = False
            for i in range(len(ms)):
                for j in range(i + 1, len(ms)):
                    if self.is_ancestor(ms[i].code, ms[j].code) and ms[j].score >= ms[i].score - 15:
                        ms.insert(i, ms.pop(j))
                        changed = True
                        break
                if changed:
                    break
        return ms

    def is_ancestor(self, anc: str, code: str) -> bool:
        seen = 0
        p = self.places.get(code)
        while p is not None and p.parent and seen < 20:
            if p.parent == anc:
                return True
            p = self.places.get(p.parent)
            seen += 1
        return False

    def fuzzy(self, text: str, limit: int = 3, cutoff: float = 60.0) -> list[PlaceMatch]:
        exact = self.scan(text)
        if len(exact) >= limit or not self.keys:
            return exact[:limit]
        from rapidfuzz import fuzz, process
        # an answer to "where?" names the place early; partial_ratio costs the text's length
        # times each key's, so only the start of a long text is compared
        q = _key(text)[:FUZZY_CHARS]
        if len(q) < 2:
            return exact[:limit]
        # a key ending in a number is matched exactly only: fuzzily "柳林村1" is in any phone number
        choices = [k for k in self.keys if not k[-1].isdigit()]
        res = process.extract(q, choices, scorer=fuzz.partial_ratio, limit=limit * 4, score_cutoff=cutoff)
        seen = {m.code for m in exact}
        out = list(exact)
        for key, score, _ in res:
            # partial_ratio favours short keys: weigh by the share of the key covered
            adj = score * (0.85 + 0.15 * min(1.0, len(key) / max(len(q), 1)))
            for e in self.keys[key]:
                if e.code in seen:
                    continue
                seen.add(e.code)
                out.append(PlaceMatch(e.code, e.name, round(min(adj, e.score - 1), 1), key))
        out.sort(key=lambda m: -m.score)
        return out[:limit]


def text_span(text: str, key: str) -> str:
    """The words of the original text that matched `key` (best effort)."""
    k = _key(text)
    i = k.find(key)
    if i < 0:
        return key
    # _key only removes spaces/第 and maps numerals 1:1; recover by walking the original
    out, j = [], 0
    for ch in text:
        kc = _key(ch)
        if not kc:
            if out:
                out.append(ch)
            continue
        if i <= j < i + len(key):
            out.append(ch)
        j += len(kc)
        if j >= i + len(key):
            break
    return "".join(out).strip() or key


def load_registry(path: str) -> list[PlaceRef]:
    """PlaceRefs from a registry YAML (`places: [{code, name, level, parent, aliases}]`)."""
    import yaml
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    out = []
    for p in data.get("places", []) or []:
        out.append(PlaceRef(code=str(p["code"]), name=str(p["name"]), level=str(p.get("level", "village")),
                            parent=p.get("parent"), aliases=tuple(str(a) for a in (p.get("aliases") or ()))))
    return out


def iter_names(places: Iterable[PlaceRef]) -> Iterable[str]:
    for p in places:
        yield p.name
        yield from p.aliases
