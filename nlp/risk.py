"""Three-colour risk warning (三色预警): red / yellow / green with reasons.

Cues come from nlp/data/risk.yaml. A missed red is the worst error, so red cues are
broad; a cue is dropped only when a negation word stands just before it in the same
clause ("不会动手的"), and downgraded to yellow when the clause is hearsay or a joke.
Reported speech that carries a threat ("他说要砍死我") stays red.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlp.scanner import PhraseScanner, candidates_index

DATA_DIR = Path(__file__).with_name("data")
_CLAUSE_BREAK = re.compile(r"[，。！？；,.!?;\s]")
# a negation right before a cue is cancelled when followed by these ("不会不管" = will)
_DOUBLE_NEG = ("不会不", "不能不", "没有不", "不得不")
# words between negation and cue that keep the negation in force ("不会跟他动手")
_AFTER_NEG = ("不敢", "吓唬", "说说而已", "说着玩", "气话", "没事的")
# ... but "躲在邻居家不敢回去" is the victim who does not dare go home
_AFTER_NEG_RE = re.compile(r"不敢(?!回|出|吭|说|告|报|去|睡|进|走)|吓唬|说说而已|说着玩|气话|没事的")
# words that turn "negation ... cue" into "if not ..., then cue"
_CONDITIONAL = re.compile(r"就|便|的话|否则|要不|我也|我就|才")
# "不" / "没" / "别" / "未" that deny nothing: fixed words (不如, 别人, 未成年) and the
# potential complement of a verb (受不了, 出不来, 活不下去, 找不到): "我不如喝药死了算了",
# "受不了了要跳河" must not cancel the cue that follows
_NON_NEG_WORD = re.compile(r"不(要|如|然|管|停|断|少|仅|光|但|止|久|料|知|得了|得不)|恨不得|要不是|别(人|的|处|家|墅)|"
                           r"(特|区|告|分|离|级|性|类|派|识|辨|鉴|判)别|未(成年|来|满|婚)|没(完|准|事)")
_COMPLEMENT = set("了来去下上起住到回动开完清成过出着见通掉走够")
_NOT_ADVERB = set("我你他她们也都就还再可又才并绝决从永万一人谁要会能敢想肯愿是这那")


def _not_a_negation(text: str, k: int, neg: str) -> bool:
    seg = text[max(0, k - 2):k + len(neg) + 2]
    j = k - max(0, k - 2)
    for m in _NON_NEG_WORD.finditer(seg):
        if m.start() <= j < m.end():
            return True
    if neg == "不" and 0 < k and k + 1 < len(text):
        prev, nxt = text[k - 1], text[k + 1]
        if nxt in _COMPLEMENT and "\u4e00" <= prev <= "\u9fff" and prev not in _NOT_ADVERB:
            return True  # 受不了, 出不来, 回不去, 活不下去
    return False


_REASON_NAMES = {
    "violence": "暴力或暴力威胁", "self_harm": "自伤自杀风险", "gathering": "聚集或上访苗头",
    "danger": "人身危险", "heated": "情绪激烈", "repeated": "反复发生", "many_people": "涉及人数多",
    "vulnerable": "涉及老人儿童等弱势群体", "large_sum": "涉及金额大", "burst": "同一地点短时多次报告",
}


class Clauses:
    """A text cut at its clause breaks, for the questions the rules ask about a cue's clause
    in time linear in the text (a clause is found by bisection, not by walking)."""

    def __init__(self, text: str):
        self.text = text
        self.breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text)]

    def index(self, pos: int) -> int:
        """The number of the clause holding position `pos` (0 = before the first break)."""
        return bisect_right(self.breaks, pos - 1) if self.breaks else 0

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


@dataclass(frozen=True)
class RiskResult:
    colour: str
    reasons: tuple[str, ...]
    cues: tuple[str, ...]
    keys: tuple[str, ...] = ()
    # red cues the rules found and deliberately set aside (negated, an accident, hearsay,
    # a threat taken back): the learned model must not overrule that judgement
    set_aside: tuple[str, ...] = ()


class RiskAssessor:
    def __init__(self, path: str | Path | None = None):
        p = Path(path) if path else DATA_DIR / "risk.yaml"
        with open(p, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        self.window = int(data.get("negation_window", 5))
        self.negations = tuple(sorted((str(n) for n in data.get("negations", ())), key=len, reverse=True))
        self._neg_chars = frozenset("".join(self.negations))
        self.hearsay = tuple(str(h) for h in data.get("hearsay", ()))
        # hearsay in the cue's clause downgrades it; the first four ("调解好了"…) anywhere
        self._hearsay = re.compile("|".join(map(re.escape, self.hearsay))) if self.hearsay else None
        self._hearsay_text = re.compile("|".join(map(re.escape, self.hearsay[:4]))) if self.hearsay else None
        self.large_sum = float(data.get("large_sum_yuan", 50000))
        self.many_people = int(data.get("many_people_count", 10))
        benign = sorted((str(b) for b in data.get("benign", ())), key=len, reverse=True)
        self._benign = re.compile("|".join(map(re.escape, benign))) if benign else None
        clause = [re.escape(str(b)) for b in data.get("benign_clause", ())]
        self._benign_clause = re.compile("|".join(clause)) if clause else None
        self.scanner: PhraseScanner[tuple[str, str]] = PhraseScanner()
        self._pindex = lambda text: ()
        self.patterns: list[tuple[str, str, re.Pattern, re.Pattern | None]] = []

        for colour in ("red", "yellow"):
            for reason, cues in (data.get(colour) or {}).items():
                for cue in cues or ():
                    if isinstance(cue, dict):
                        unless = re.compile(cue["unless"]) if cue.get("unless") else None
                        self.patterns.append((colour, reason, re.compile(cue["re"]), unless))
                    else:
                        self.scanner.add(str(cue).lower(), (colour, reason))
        self._pindex = candidates_index([rx.pattern for _, _, rx, _ in self.patterns])

    def _negated(self, text: str, start: int, cue: str) -> bool:
        if cue[:1] in ("不", "没", "别"):  # the cue carries its own negation (不想活)
            before = text[max(0, start - 3):start]
            return before.endswith(("不是", "没说", "不会"))  # "不是不想活" rare; keep simple
        lo = max(0, start - self.window)
        ctx = text[lo:start]
        m = None
        for br in _CLAUSE_BREAK.finditer(ctx):
            m = br
        if m is not None:
            lo += m.end()
            ctx = ctx[m.end():]
        if not ctx or self._neg_chars.isdisjoint(ctx):
            return False
        for neg in self.negations:
            k = ctx.rfind(neg)
            while k >= 0 and _not_a_negation(text, lo + k, neg):
                k = ctx.rfind(neg, 0, k)
            if k >= 0:
                tail = ctx[k:]
                if any(tail.startswith(d) for d in _DOUBLE_NEG):
                    return False
                if _CONDITIONAL.search(tail[len(neg):]):
                    # "不还钱就卸他一条腿", "不给钱我就跳下去": the negation is the condition,
                    # the threat stands
                    return False
                return True
        return False

    def assess(self, text: str, *, money: tuple[float, ...] = (), people: int | None = None) -> RiskResult:
        red: dict[str, list[str]] = {}
        yellow: dict[str, list[str]] = {}
        hits: list[tuple[int, int, str, str, str]] = []
        set_aside: list[str] = []
        clauses = Clauses(text)
        for start, phrase, payloads in self.scanner.all(text):
            for colour, reason in payloads:
                hits.append((start, start + len(phrase), phrase, colour, reason))
        pats = self.patterns
        for i in self._pindex(text):
            colour, reason, rx, unless = pats[i]
            excused = None
            for m in rx.finditer(text):
                if unless is not None:
                    if excused is None:     # the clauses holding an exception word, found once
                        excused = clauses.holding(unless)
                    if clauses.any_in(excused, m.start(), m.end()):
                        if colour == "red":
                            set_aside.append(m.group(0))
                        continue  # "烧秸秆把柴房烧了": an accident, not arson
                hits.append((m.start(), m.end(), m.group(0), colour, reason))
        hearsay = clauses.holding(self._hearsay) if hits and self._hearsay is not None else ()
        hearsay_anywhere = bool(hits) and self._hearsay_text is not None and self._hearsay_text.search(text) is not None
        for start, end, phrase, colour, reason in hits:
            if self._negated(text, start, phrase):
                if colour == "red":
                    set_aside.append(phrase)
                continue
            if colour == "red" and reason == "violence":
                m = _AFTER_NEG_RE.search(text[end:end + 14])
                if m is not None and m.start() < 10:
                    # "他嘴上说要打我，其实他不敢" / "说说而已" (a threat taken back; not a
                    # self-harm cue, nor a person in danger: those stay red)
                    yellow.setdefault("heated", []).append(phrase)
                    set_aside.append(phrase)
                    continue
            if colour == "red":
                if hearsay_anywhere or clauses.any_in(hearsay, start, end):
                    yellow.setdefault(reason, []).append(phrase)
                    set_aside.append(phrase)
                    continue
                red.setdefault(reason, []).append(phrase)
            else:
                yellow.setdefault(reason, []).append(phrase)
        if money and max(money) >= self.large_sum:
            yellow.setdefault("large_sum", []).append(f"{max(money):g}元")
        if people is not None and people >= self.many_people:
            yellow.setdefault("many_people", []).append(f"{people}人")
        if red:
            reasons = tuple(reason_text(r, cs) for r, cs in red.items()) + tuple(
                reason_text(r, cs) for r, cs in yellow.items() if r not in red)
            cues = tuple(dict.fromkeys(c for cs in red.values() for c in cs))
            return RiskResult("red", reasons, cues, tuple(red) + tuple(yellow))
        aside = tuple(dict.fromkeys(set_aside))
        if yellow:
            return RiskResult("yellow", tuple(reason_text(r, cs) for r, cs in yellow.items()),
                              tuple(dict.fromkeys(c for cs in yellow.values() for c in cs)), tuple(yellow), aside)
        return RiskResult("green", (), (), (), aside)

    def blank_benign(self, text: str) -> str:
        """The text with its harmless look-alike words ("一刀切", "笑死") and the clauses
        they make harmless ("去镇政府开会") replaced by a separator, for the learned red
        reading."""
        if self._benign_clause is not None:
            clauses = Clauses(text)
            blank = clauses.holding(self._benign_clause)
            if blank:
                text = clauses.replace(blank, "，")
        return self._benign.sub("，", text) if self._benign is not None else text

def reason_name(key: str) -> str:
    return _REASON_NAMES.get(key, key)


def reason_text(key: str, words, most: int = 3) -> str:
    """'暴力或暴力威胁：“弄死他”“拿刀”': the reason and the words of the text behind it."""
    words = list(dict.fromkeys(words))
    # "弄死我" says more than "弄死": show the longest of overlapping cues
    shown = [w for w in words if not any(w != o and w in o for o in words)][:most]
    return reason_name(key) + ("：" + "".join(f"“{w}”" for w in shown) if shown else "")
