"""Risk cues and what the words around them say (nlp/data/risk.yaml).

`RiskRules.hits(text)` finds every cue of every reason in a normalised text and gives
each occurrence a status: `kept`, or the modifier that changes it (negation, joke,
report, past, near, fear, taken_back, unless, context). The decision stage (nlp/decision.py) turns
the hits, the cue tiers and the learned red reading into a colour, reasons and the
safety question. Everything here is linear in the text: each regex is bounded or
anchored, clause and tense questions are answered by bisection over positions found
once.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from nlp.alternatives import AlternativesIndex
from nlp.clauses import Clauses, Marks, clauses_end
from nlp.files import load_yaml
from nlp.headline import HeadlineTest, Sentences
from nlp.negation import Negation
from nlp.pattern_facts import PatternFacts
from nlp.prefilter import Analyses, guarded, literal_alternation
from nlp.scanner import PhraseScanner

DATA_DIR = Path(__file__).with_name("data")
RED_REASONS = ("violence", "self_harm", "gathering", "danger")
# "一点不像开玩笑", "不是气话", "不是电视上的", "调解员还以为我开玩笑": a joke, report, taking-back
# or settling word denied (or taken for one by someone else) says the opposite
_DENIED = ("不像是", "不像", "不是在", "不是说", "不是", "并非", "没在", "没有", "没", "以为我", "以为他", "以为她", "以为是")
_DENIABLE = frozenset({"joke", "report", "taken_back", "settled"})
_MODIFIER_KINDS = ("joke", "report", "media", "abroad", "personal", "news_subject", "voice", "past", "settled", "now",
                   "future", "said_before", "near", "fear", "wish", "taken_back")
# words found as said: a laugh, a screen, a news item, a country are what they are inside a benign word too
_AS_SAID = frozenset({"joke", "report", "media", "abroad", "personal", "news_subject", "voice"})
# how far before a cue a `near` or `fear` word still governs it, within its clause
_MODAL_WINDOW = 8
# 过 after a cue is the experiential aspect unless it is a direction or a degree (打过来, 过头, 过分),
# or the verb "to pass" after a modal or a negation ("不准过", "不让过")
_MOTION_AFTER_GUO = frozenset("来去头分")
_MODAL_BEFORE_GUO = frozenset("准让许能敢想要别不")

REASON_NAMES = {
    "violence": "暴力或暴力威胁", "self_harm": "自伤自杀风险", "gathering": "聚集或上访苗头",
    "danger": "人身危险", "heated": "情绪激烈", "repeated": "反复发生", "many_people": "涉及人数多",
    "vulnerable": "涉及老人儿童等弱势群体", "large_sum": "涉及金额大", "burst": "同一地点短时多次报告",
}
# how a modifier changes what a red cue says, as shown to staff
STATUS_NAMES = {"headline": "像新闻标题", "past": "以往", "near": "未发生", "fear": "担心", "wish": "气话",
                "taken_back": "已收回", "context": "待核实"}


_CLASS_REF = re.compile(r"\{([a-z_]+)\}")


def _benign_finder(words: list[str]) -> re.Pattern | None:
    """Escapes, character classes, group brackets and the benign words of a regex's source."""
    words = sorted({w for w in words if len(w) > 1}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"\\.|\[(?:\\.|[^\]])*\]|\(\?<?!|\(|\)|" + "|".join(map(re.escape, words)))


def admit_blanked(rx: str, finder: re.Pattern | None) -> str:
    """A cue's exception inside it ("去北京(?!…打工)") that names a benign word also finds it
    blanked: benign words are blanked to clause breaks before cues are sought, so the exception
    never saw 打工 and "我明年去北京打工" read as a petition. Only inside negative lookarounds:
    a benign word the cue itself asks for stays a look-alike ("烧纸钱" is no protest sign)."""
    if finder is None:
        return rx
    stack: list[bool] = []

    def one(m: re.Match) -> str:
        w = m.group(0)
        if w.startswith("(?"):
            stack.append(True)
        elif w == "(":
            stack.append(False)
        elif w == ")":
            if stack:
                stack.pop()
        elif w[0] not in "\\[" and any(stack):
            return f"(?:{w}|{'，' * len(w)})"
        return w
    return finder.sub(one, rx)


def expand_classes(rx: str, classes: dict[str, list[str]]) -> str:
    """`{kin}` in a cue's regex (or its exception) is the class `kin` of risk.yaml's `words`: one list of the
    people a cue may be about, the same in every cue (a cue that knew 奶奶 but not 外婆
    missed what a new writer said)."""
    def one(m: re.Match) -> str:
        words = classes.get(m.group(1))
        if not words:
            raise ValueError(f"risk.yaml: no word class {m.group(0)}")
        return "(?:" + "|".join(map(re.escape, sorted(set(words), key=lambda w: (-len(w), w)))) + ")"
    return _CLASS_REF.sub(one, rx)


def _alternation(words, facts: Analyses | None = None) -> re.Pattern | None:
    pattern = literal_alternation({str(w).lower() for w in words or ()})
    return guarded(pattern, facts=facts) if pattern else None


@dataclass(frozen=True)
class Cue:
    id: str                      # the phrase or the regex, as written in risk.yaml
    reason: str
    colour: str                  # "red": one of the four red reasons; "yellow"
    rx: re.Pattern | None = None
    unless: re.Pattern | None = None
    # an exception word anywhere in the message: the cue is not set aside but made unsure
    # (status `context`): "他借了我钱 现在电话关机" is a debtor out of reach more often than
    # a person in danger, and "我爸去要工资 到现在没回来" may be both
    unless_anywhere: re.Pattern | None = None


class Hit(NamedTuple):
    cue: Cue
    start: int
    end: int
    words: str
    status: str                  # "kept" or the modifier that changed it

    @property
    def kept(self) -> bool:
        return self.status == "kept"


# how many clauses after its own a report word ("看新闻说", "电影里") reaches, in its sentence
REPORT_REACH = 2


class RiskRules:
    def __init__(self, path: str | Path | None = None, headline: Callable[[str], bool] | None = None,
                 facts: PatternFacts | None = None):
        """`headline`: is a normalised text written as news (nlp/headline.py); the shipped
        test with the decision stage's threshold when not given. `facts`: the regexes'
        analyses known before (nlp/pattern_facts.py; the shipped file when not given)."""
        data = load_yaml(Path(path) if path else DATA_DIR / "risk.yaml")
        facts = facts if facts is not None else PatternFacts.load()
        self._headline = headline if headline is not None else HeadlineTest.shipped()
        mods = data.get("modifiers") or {}
        self._negated = Negation(mods.get("negation", ()), int(data.get("negation_window", 5)))
        # every modifier word in one regex (one scan of a text finds them all), and the kinds
        # each word is
        kinds: dict[str, list[str]] = {}
        for name in _MODIFIER_KINDS:
            for w in mods.get(name) or ():
                kinds.setdefault(str(w).lower(), []).append(name)
        self._mod_rx = _alternation(kinds, facts)
        self._mod_kinds = {w: tuple(k) for w, k in kinds.items()}
        # the words of someone's voice (我, 你, 了, ！, 现在): one character of them is enough to
        # tell most residents' messages from news without a regex scan
        self._voice_kinds = frozenset(("personal", "voice", "now"))
        self._voice_chars = frozenset(w for w, k in kinds.items() if len(w) == 1 and self._voice_kinds & set(k))
        self._benign = _alternation(data.get("benign"), facts)
        self.large_sum = float(data.get("large_sum_yuan", 50000))
        self.many_people = int(data.get("many_people_count", 10))
        classes = {str(k): [str(w) for w in v or ()] for k, v in (data.get("words") or {}).items()}
        benign_in = _benign_finder([str(w).lower() for w in data.get("benign") or ()])
        self.cues: list[Cue] = []
        self.scanner: PhraseScanner[Cue] = PhraseScanner()
        self.patterns: list[Cue] = []
        sources: list[str] = []
        for colour in ("red", "yellow"):
            for reason, items in (data.get(colour) or {}).items():
                for item in items or ():
                    if isinstance(item, dict):
                        rx = admit_blanked(expand_classes(str(item["re"]), classes), benign_in)
                        cue = Cue(str(item.get("id") or item["re"]), str(reason), colour, guarded(rx, facts=facts),
                                  re.compile(expand_classes(item["unless"], classes)) if item.get("unless") else None,
                                  re.compile(expand_classes(item["unless_anywhere"], classes))
                                  if item.get("unless_anywhere") else None)
                        self.patterns.append(cue)
                        sources.append(rx)
                    else:
                        cue = Cue(str(item), str(reason), colour)
                        self.scanner.add(str(item).lower(), cue)
                    self.cues.append(cue)
        self.sources = sources           # the regexes, classes expanded, in the order of `patterns`
        self.alternatives = AlternativesIndex(sources, [c.rx for c in self.patterns], facts)
        # the plain phrases in one regex (longest first): one C-level scan of the text
        self._phrase_rx = _alternation(self.scanner.phrases(), facts)

    def voiceless(self, text: str) -> bool:
        """Nobody writes as 我 or to 你, with no speaker's particle or mark and nothing now:
        the shape of a headline (the same words `hits` asks of a text holding a red cue)."""
        if not self._voice_chars.isdisjoint(text):
            return False
        rx, kinds, voice = self._mod_rx, self._mod_kinds, self._voice_kinds
        return rx is None or not any(voice.intersection(kinds[m.group(0)]) for m in rx.finditer(text))

    def red_cues(self) -> list[Cue]:
        return [c for c in self.cues if c.colour == "red"]

    # -- benign look-alikes ------------------------------------------------------------
    def blank_benign(self, text: str) -> str:
        """The text with its harmless look-alike words ("一刀切", "砍一刀", "打官司")
        replaced by clause breaks of the same length (positions stay those of the text)."""
        if self._benign is None:
            return text
        return self._benign.sub(lambda m: "，" * len(m.group(0)), text)

    # -- cues and their modifiers --------------------------------------------------------
    def hits(self, text: str, pairs: set[str] | None = None) -> list[Hit]:
        """Every cue occurrence in a normalised text (benign words blanked first), each
        with its status. `pairs`: the text's character pairs, when the caller has them
        (blanking only takes pairs away)."""
        said = text                      # joke and report words are looked for as said ("笑死" is benign)
        text = self.blank_benign(text)
        raw: list[tuple[int, int, str, Cue]] = []
        if self._phrase_rx is not None:
            table = self.scanner.table
            for m in self._phrase_rx.finditer(text):
                phrase = m.group(0)
                for cue in table[phrase]:
                    raw.append((m.start(), m.end(), phrase, cue))
        pats = self.patterns
        unless_hits: list[tuple[int, int, str, Cue]] = []
        unsure: set[tuple[int, str]] = set()
        said_clauses = None
        for i, finditer in self.alternatives(text, pairs):
            cue = pats[i]
            excused = None
            for m in finditer(text):
                if m.end() == m.start():
                    continue
                if cue.unless is not None:
                    # exceptions are read in the words as said ("烧秸秆" is blanked as benign)
                    if excused is None:     # the clauses holding an exception word, found once
                        if said_clauses is None:
                            said_clauses = Clauses(said)
                        excused = said_clauses.holding(cue.unless)
                    if said_clauses.any_in(excused, m.start(), m.end()):
                        unless_hits.append((m.start(), m.end(), said[m.start():m.end()], cue))
                        continue   # "烧秸秆把柴房烧了": an accident, not arson
                if cue.unless_anywhere is not None and cue.unless_anywhere.search(said):
                    unsure.add((m.start(), cue.id))
                # the words as said, where a benign word in the cue was blanked ("放话要打折")
                raw.append((m.start(), m.end(), said[m.start():m.end()], cue))
        out = [Hit(c, a, b, w, "unless") for a, b, w, c in unless_hits]
        if not raw:
            return out
        if not any(cue.colour == "red" for _, _, _, cue in raw):
            # yellow cues only: negation is the only modifier that applies to them
            out.extend(Hit(cue, a, b, w, "negation" if self._negated(text, a, w) else "kept")
                       for a, b, w, cue in raw)
            return out
        clauses = Clauses(text)
        found: dict[str, list[tuple[int, int]]] = {k: [] for k in _MODIFIER_KINDS}
        denied_kinds: set[str] = set()
        if self._mod_rx is not None:
            for m in self._mod_rx.finditer(said):
                w = m.group(0)
                blanked = text[m.start()] != said[m.start()]
                denied = said[max(0, m.start() - 3):m.start()].endswith(_DENIED)
                for kind in self._mod_kinds[w]:
                    if denied and kind in _DENIABLE:
                        denied_kinds.add(kind)
                        continue
                    # joke and report words count as said; the others not inside a benign word
                    if kind in _AS_SAID or not blanked:
                        found[kind].append(m.span())
        # "这次不是开玩笑": a joke denied anywhere, no laugh in the text makes it one
        jokes = () if "joke" in denied_kinds else tuple(a for a, _ in found["joke"])
        settled = bool(found["settled"])
        # a report word tells of what follows it for a clause or two, or of its own clause ("看新闻说
        # 外地有人跳楼了", "昨天看了个电影，讲一个人拿着钢管去讨债"), not of the whole message ("有人在网上
        # 发视频说我家卖病死猪肉，…我老婆…人不见了" was read as a story)
        # within its sentence: "刚发来视频说不给钱就卖狗。我已经叫了几个兄弟…" is the writer's own
        report_at = [(clauses.index(a), a) for a, _ in found["report"]]
        sentences: Sentences | None = Sentences(said) if report_at else None
        # a news item told (its media tag) is a report throughout; a place abroad reports its
        # own clause when nobody in the text writes as 我 or to 你
        media = bool(found["media"])
        abroad_at = set() if found["personal"] else {clauses.index(a) for a, _ in found["abroad"]}
        # nobody's voice (no 我 or 你, no particle, nothing now) and someone named as the news
        # names them or the words of a news story: a headline, not a resident's report
        quiet = not (found["personal"] or found["voice"] or found["now"])
        headline: dict[tuple[int, int], bool] = {}    # by sentence, decided when a red cue needs it
        past, now, future = Marks(found["past"]), Marks(found["now"]), Marks(found["future"])
        near, fear, back = Marks(found["near"]), Marks(found["fear"]), Marks(found["taken_back"])
        wish = Marks(found["wish"])
        said_before = Marks(found["said_before"]) if settled else None
        settled_at = Marks(found["settled"]) if settled else None
        for start, end, words, cue in raw:
            # a laugh laughs off what was said before it ("说要杀了我哈哈"); one that
            # opens the message is how some people talk ("笑死，他真背着枪去了")
            k = clauses.index(start)
            last = clauses.index(max(start, end - 1))
            report = (media or any(k <= r <= last or (0 <= k - r <= REPORT_REACH
                                                      and sentences.span(a) == sentences.span(start))
                                   for r, a in report_at)
                      or any(k <= r <= last for r in abroad_at))
            # a laugh after the cue, and a fear word after the laugh, is nervous ("哈哈 我有点怕")
            laughs = [a for a in jokes if a >= start]
            joke = ("nervous" if fear.first_from(laughs[0]) >= 0 else "laugh") if laughs else ""
            status = self._status(text, clauses, start, end, words, cue, joke,
                                  report, settled, past, now, future, near, fear, back, wish, said_before,
                                  settled_at)
            if status == "kept" and (start, cue.id) in unsure:
                status = "context"
            elif status == "kept" and quiet and cue.colour == "red":
                # of the cue's sentence: a headline pasted into a draft does not make the
                # resident's next message one
                if sentences is None:
                    sentences = Sentences(said)
                span = sentences.span(start)
                if span not in headline:
                    a, b = span
                    headline[span] = any(a <= s < b for s, _ in found["news_subject"]) or self._headline(said[a:b])
                if headline[span]:
                    status = "headline"
            out.append(Hit(cue, start, end, words, status))
        return out

    def _status(self, text, clauses, start, end, words, cue, joke, report, settled, past, now, future, near, fear,
                back, wish, said_before=None, settled_at=None) -> str:
        if self._negated(text, start, words):
            return "negation"
        if cue.colour != "red":
            return "kept"
        if report:
            # a film or the news told, laughed at or not ("电影里有人跳楼 吓死我了 哈哈")
            return "report"
        if joke:
            # a laugh masks despair as often as it takes back a threat ("这是我最后一次发消息了哈哈"):
            # self-harm laughed at is asked about, and so is a threat laughed at in fear
            return "context" if cue.reason == "self_harm" or joke == "nervous" else "joke"
        # tense: the last time word before the cue governs it ("去年…打架…现在伤都好了")
        p, n = past.last_before(start), now.last_before(start)
        clause_start = clauses.start(start)
        if 0 <= p < (clauses.start(clause_start - 1) if clause_start else 0):
            p = -1      # a time word further back tells of another part of the story ("去年量过…今年他拿着砍刀…")
        if settled_at is not None:
            # a settled word settles what was told before it or in its clause, not what the text
            # goes on to tell ("人是拉上来了，躺在塘坎上喊不应": the state after the rescue)
            settled = any(b > clause_start for _, b in settled_at.spans)
        # a now word in the cue's clause, or an intent before it in the clause ("说出了院就要
        # 找他算账") unless the intent itself is told as past ("以前说过要去上访")
        fut = future.last_before(start)
        if said_before is not None and clause_start <= said_before.last_before(start) <= fut:
            fut = -1    # "说过要弄死他，后来早和好了": the intent was said before and is settled
        if fut >= 0 and settled_at is not None:
            after = settled_at.first_from(end)
            if after >= 0 and now.first_from(after) < 0:
                fut = -1    # "要跳楼…被劝下", "欲跳楼…被救下": the intent overtaken by what followed, nothing after it now
        now_here = (n >= clause_start or (0 <= now.first_from(start) < clauses_end(clauses, end))
                    or (fut >= clause_start and not clause_start <= p <= fut))
        if (p > n or (settled and not now_here)) and not now_here:
            return "past"
        if (text[end:end + 1] == "过" and text[end + 1:end + 2] not in _MOTION_AFTER_GUO
                and text[end - 1:end] not in _MODAL_BEFORE_GUO and not now_here):
            return "past"       # the experiential 过 ("上访过", "砍过人"): it has happened before
        k = near.last_before(start)
        if k >= clause_start and start - k <= _MODAL_WINDOW:
            return "near"
        k = fear.last_before(start)
        if k >= clause_start and start - k <= _MODAL_WINDOW:
            return "fear"
        k = wish.last_before(start)
        if k >= clause_start and start - k <= _MODAL_WINDOW:
            return "wish"
        if cue.reason == "violence":
            k = back.first_from(end)
            if 0 <= k - end <= 10:
                return "taken_back"     # "他嘴上说要打我，其实他不敢", "说说而已"
            k = back.last_before(start)
            if k >= clause_start and start - k <= _MODAL_WINDOW:
                return "taken_back"     # "嘴巴上喊要弄死我": the mouth, not the hand
        return "kept"

    # -- yellow by size -----------------------------------------------------------------
    def size_reasons(self, money: tuple[float, ...], people: int | None, people_said: str = "") -> list[tuple[str, str]]:
        """Large sums and many people, each quoted as said when the words are known ("二三十户",
        not "30人": households are no head count)."""
        out = []
        if money and max(money) >= self.large_sum:
            out.append(("large_sum", f"{max(money):g}元"))
        if people is not None and people >= self.many_people:
            out.append(("many_people", people_said or f"{people}人"))
        return out


def reason_name(key: str) -> str:
    return REASON_NAMES.get(key, key)


def reason_text(key: str, words, most: int = 3, status: str = "") -> str:
    """'暴力或暴力威胁：“弄死他”“拿刀”': the reason and the words of the text behind it;
    with a status, how the words around them changed it ('暴力或暴力威胁（以往）：“打架”')."""
    words = list(dict.fromkeys(words))
    # "弄死我" says more than "弄死": show the longest of overlapping cues
    shown = [w for w in words if not any(w != o and w in o for o in words)][:most]
    name = reason_name(key) + (f"（{STATUS_NAMES[status]}）" if status in STATUS_NAMES else "")
    return name + ("：" + "".join(f"“{w}”" for w in shown) if shown else "")
