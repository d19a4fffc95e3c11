"""Duplicate reports and bursts, as pure functions (no storage).

A new report is linked to an open case when it has the same type (its type or, for a
close call, its runner-up: two tellings of one quarrel may read as neighbours or land), the same place (or
one place inside the other), was made within `window_days`, and its text is similar
(character-bigram overlap, after normalisation), and nothing tells the two apart: different
people named (老王 / 老李) or different buildings, units, rooms or groups, or — from two
writers — the other party told only from where each lives ("楼上", "隔壁": two households).
The reason says who reported again:
`same_reporter`, `other_party` (another resident, e.g. the other side of the dispute)
or `many_reporters` (several residents already reported it: a possible group matter).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from nlp.normalize import normalize
from nlp.parties import businesses, find_party, is_business, surnames_named
from nlp.reading import NOT_A_DISPUTE, Reading
from nlp.risk import reason_name
from nlp.slots import cn_number, own_phones

# how alike two residents' reports of a person in danger must be to be one scene
DANGER_THRESHOLD = 0.5
_STRIP = re.compile(r"[\s，。！？；：、,.!?;:\d]+")
# words that carry no identity of a dispute
_FILLER = ("我们", "我家", "他家", "你们", "请问", "帮忙", "处理", "一下", "解决", "反映", "投诉", "谢谢")


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
    score: float            # 0..1 text similarity (with bonuses for an exact place)
    reason: str             # 'same_reporter' | 'other_party' | 'many_reporters'


# what every report says whatever it is about: who writes from where ("我是杏花村的") and how
# to reach them ("电话138…"); two residents of one village shared little else, and were one case
_BOILERPLATE = re.compile(r"(?:我|俺)(?:也)?(?:是|住|住在|在|家在)[\u4e00-\u9fa5]{1,8}?(?:村|社区|小区|镇|街道|组|屯|寨)(?:的|里)?"
                          r"|(?:我的?|俺的?)?(?:电话|手机|联系方式|手机号|号码)(?:号码|号)?(?:是)?")


def _bigrams(text: str, ignore: tuple[str, ...] = ()) -> set[str]:
    t = _BOILERPLATE.sub("，", normalize(text))
    for f in (*ignore, *_FILLER):
        t = t.replace(f, "，")
    t = _STRIP.sub("", t)
    if len(t) < 2:
        return {t} if t else set()
    return {t[i:i + 2] for i in range(len(t) - 1)}


def similarity(a: str, b: str, ignore: tuple[str, ...] = ()) -> float:
    """Overlap of character bigrams: |A∩B| / min(|A|,|B|) blended with Jaccard; `ignore`:
    words that say nothing of the matter (the place both are at)."""
    A, B = _bigrams(a, ignore), _bigrams(b, ignore)
    if not A or not B:
        return 0.0
    inter = len(A & B)
    return 0.5 * inter / min(len(A), len(B)) + 0.5 * inter / len(A | B)


# characters that carry no subject: function words, pronouns, the words of asking and chasing
_PLAIN = frozenset("的了是我你他她它们这那个些事情有人管吗呢吧啊呀哦嘛都也还就又再很太好几天月年"
                   "不没在和跟与给把被对说要想会能可以去来到么什怎样啥咋谁哪里儿一二三四五六七八九十两")


def subject_overlap(said: str, case_text: str) -> float:
    """The share of what a short message is about (its characters that are not function words)
    found in a case's text: "砍树的事有人管吗" and "两棵树砍了" share 砍 and 树, which their
    character pairs do not show. 0 when the message names fewer than two such characters."""
    subject = {ch for ch in said if "\u4e00" <= ch <= "\u9fff" and ch not in _PLAIN}
    if len(subject) < 2:
        return 0.0
    return sum(ch in case_text for ch in subject) / len(subject)


def _ancestors(code: str | None, parents: Mapping[str, str | None]) -> list[str]:
    out, seen = [], 0
    while code is not None and seen < 20:
        out.append(code)
        code = parents.get(code)
        seen += 1
    return out


def same_place(a: str | None, b: str | None, parents: Mapping[str, str | None] = {}) -> bool:
    """Same place, or one inside the other (a village and one of its grids)."""
    if a is None or b is None:
        return a is None and b is None
    if a == b:
        return True
    return a in _ancestors(b, parents) or b in _ancestors(a, parents)


_NUM = r"(\d{1,4}|[一二两三四五六七八九十]{1,3})"
# numbers that pick out one household: building, unit, room, a village's group
_NUMBERED = {"building": re.compile(_NUM + r"\s*(?:号楼|栋|幢|号院)"),
             "unit": re.compile(_NUM + r"\s*单元"),
             "room": re.compile(r"(\d{3,4})\s*(?:室|房间|号房)|单元\s*(\d{3,4})"),
             "group": re.compile(_NUM + r"\s*(?:组|队)(?![织长员])")}
# the other party told from where the writer lives: another writer's "楼上" is another household
# and the writer's family: another writer's "我老公" is another husband
_FAMILY = (r"(?:我的?|俺)?(?:老公|丈夫|老婆|妻子|媳妇|前夫|前妻|儿子|女儿|儿媳|女婿|公公|婆婆|岳父|岳母|"
           r"父亲|母亲|亲戚|兄弟|哥哥|弟弟|姐姐|妹妹|嫂子|弟媳|大哥|二哥|三哥|大姐|二姐|大伯|叔叔|伯伯|姑姑|舅舅|"
           r"堂哥|堂弟|堂姐|堂妹|表哥|表弟|表姐|表妹|小叔子?|大姑子?|小姑子?|侄子|外甥)")
_RELATIVE = re.compile(r"^(?:楼上|楼下|隔壁|对门|对面|邻居|邻家|前院|后院|左邻|右舍|隔篱|(?:我家|俺家)?那口子|" + _FAMILY + ")")
# the writer's own family told first ("堂哥占了我家的宅基地"): someone of theirs, not a named neighbour
_FAMILY_FIRST = re.compile(r"^[^，。！？]{0,4}?" + _FAMILY)


_EMPLOYER = re.compile(r"([\u4e00-\u9fa5]{2})(?:的)?(?:老板|老板娘|包工头|工头|经理)")
_NOT_EMPLOYER = frozenset(("我们", "他们", "那个", "这个", "我家", "他家", "那家", "这家", "我的", "说是", "就是", "找了", "跟着", "那边"))


def identities(text: str) -> dict[str, frozenset[str]]:
    """What picks out one dispute among alike ones: the surnames of the people named, the
    businesses complained of and the numbers of buildings, units, rooms and groups ("三号楼"
    and "3号楼" are one)."""
    # a business by the last two characters of its name: 养猪场 and 猪场 are one farm
    out = {"person": surnames_named(text), "business": frozenset(b[-2:] for b in businesses(normalize(text))),
           # whose boss: "超市老板欠我工资" and "砖厂老板欠我工资" are two employers' workers
           "employer": frozenset(m.group(1) for m in _EMPLOYER.finditer(text) if m.group(1) not in _NOT_EMPLOYER)}
    for kind, pattern in _NUMBERED.items():
        numbers = set()
        for m in pattern.finditer(text):
            value = cn_number(next(g for g in m.groups() if g))
            if value is not None:
                numbers.add(str(int(value)))
        out[kind] = frozenset(numbers)
    return out


def _tells_apart(a: dict[str, frozenset[str]], b: dict[str, frozenset[str]]) -> bool:
    """Both name someone, or a number of the same kind, and none of it is the same."""
    return any(a[k] and b[k] and not a[k] & b[k] for k in a)


def _shares(a: dict[str, frozenset[str]], b: dict[str, frozenset[str]], kinds: tuple[str, ...] | None = None) -> bool:
    return any(a[k] & b[k] for k in (kinds or a))


def _relative_party(text: str) -> bool:
    party = find_party(text)
    return party is not None and bool(_RELATIVE.match(party))


_PARTY_TAIL = re.compile(r"(?:那家|那户|这家|家|的|住户|邻居)+$")


def other_matter(text: str, case_text: str, case_party: str | None = None) -> bool:
    """Whether `text`, a dispute of the same type told by the resident whose case `case_text`
    is, is about another matter: another party named ("隔壁" after "楼上那家"), or another
    person, building or group ("老李" after "老王")."""
    if _tells_apart(identities(text), identities(case_text)):
        return True
    told, theirs = find_party(text), case_party or find_party(case_text)
    if not told or not theirs:
        return False
    if is_business(told) != is_business(theirs):
        return False                # "老板" and "砖厂": the business and its boss, or a role word
    told, theirs = _PARTY_TAIL.sub("", told) or told, _PARTY_TAIL.sub("", theirs) or theirs
    return told not in theirs and theirs not in told


def names_something(reading: Reading) -> bool:
    """Whether words say what they are about: a type of dispute, a party, a person or a number."""
    return reading.is_dispute or find_party(reading.text) is not None or any(identities(reading.text).values())


def aboutness(reading: Reading, case_text: str, case_type: str, case_party: str | None = None) -> float:
    """How much words said after a case was opened are about that case: its type, the same
    party ("楼上", 老王), the same people or buildings, words in common; below zero when they
    name someone or somewhere else. Used to pick among one resident's open cases."""
    mine, theirs = identities(reading.text), identities(case_text)
    if _tells_apart(mine, theirs):
        return -1.0
    score = similarity(reading.text, case_text)
    if len(reading.text) <= 20:                 # a short question names its subject in a word or two
        score += 0.3 * subject_overlap(reading.text, case_text)
    if reading.is_dispute and reading.type == case_type:
        score += 0.3
    elif reading.runner_up == case_type:
        score += 0.1
    if _shares(mine, theirs):
        score += 0.3
    told, party = find_party(reading.text), case_party or find_party(case_text)
    if told and party and is_business(told) == is_business(party):
        a, b = _PARTY_TAIL.sub("", told) or told, _PARTY_TAIL.sub("", party) or party
        score += 0.3 if (a in b or b in a) else -0.3
    return score


def _types(reading: Reading) -> set[str]:
    """The types a report may share with a case: its own and its runner-up."""
    return {reading.type, reading.runner_up} - {None, NOT_A_DISPUTE}


def find_duplicate(reading: Reading, place_code: str | None, reporter: str, now: datetime,
                   candidates: Iterable[CaseDigest], *, window_days: float = 7,
                   place_parents: Mapping[str, str | None] = {}, threshold: float = 0.3,
                   same_reporter_threshold: float = 0.2) -> DuplicateMatch | None:
    """The open case this report repeats, or None.

    Candidates must be open, of the same type, at the same place (or a place inside/around
    it), created within `window_days` before `now`. The best by text similarity wins if it
    passes `threshold` (a lower one for the same reporter, who tends to re-tell briefly).
    """
    if reading.type == NOT_A_DISPUTE:
        return None
    since = now - timedelta(days=window_days)
    types = _types(reading)
    cands = [c for c in candidates
             if c.open and c.type in types and since <= c.created_at <= now + timedelta(minutes=5)
             and same_place(place_code, c.place_code, place_parents)]
    if not cands:
        return None
    scored = []
    mine = identities(reading.text)
    relative = _relative_party(reading.text)
    family = bool(_FAMILY_FIRST.match(reading.text))
    named = businesses(normalize(reading.text))
    # the writers' own numbers: the other party's ("他电话是133…") is no caller (two residents of
    # one village, each giving the other party's number, were one case, then a red crowd)
    callers = set(own_phones(reading.text))
    # someone's own distress is theirs alone: two people's "不想活了" are two people to call
    distress = any(r.startswith(reason_name("self_harm")) for r in reading.risk_reasons)
    # a person in danger now: two residents' words must tell one scene ("有个小孩掉水塘里了" is
    # not "小孩掉到粪坑里了", though both are a child in a village)
    danger = any(r.startswith(reason_name("danger")) for r in reading.risk_reasons)
    # the place is the same already: its name in both texts is no likeness of the matters
    where = tuple(sorted({w for p in reading.places for w in (p.name, p.matched) if len(w) >= 2}, key=len, reverse=True))
    for c in cands:
        # the case's words as written (traditional characters, full-width): read as the new report is
        c = replace(c, text=normalize(c.text))
        theirs = identities(c.text)
        if _tells_apart(mine, theirs):
            continue
        # the same farm or factory of the same place polluting, told of another harm ("臭得要命" /
        # "粪水流到渠里"): one dispute, however few words the tellings share (two residents' matters
        # with one 物业公司 or one shop stay theirs: a lift and a parking fee are two disputes)
        same_business = c.type == "environment" and \
            any(a in b or b in a for a in named for b in businesses(normalize(c.text)))
        # the same caller's number in both (a hotline's operators each reworded one call: three cases)
        same_caller = bool(callers) and bool(callers & set(own_phones(c.text)))
        if c.reporter != reporter and not same_caller and (place_code is None or distress):
            continue            # without a place, two residents' likeness says nothing of one dispute
        if c.reporter != reporter and not same_caller and not _shares(mine, theirs, ("person", "room")) \
                and ((family and theirs["person"]) or (mine["person"] and _FAMILY_FIRST.match(c.text))):
            continue            # "堂哥" and "隔壁老孙家": someone's own relative is not a named neighbour
        if c.reporter != reporter and relative and _relative_party(c.text) and not same_caller \
                and not _shares(mine, theirs, ("person", "room")):
            continue            # two writers' "楼上": two households, even in one building
        s = similarity(reading.text, c.text, where)
        if place_code is not None and c.place_code == place_code:
            s = min(1.0, s + 0.05)
        if _shares(mine, theirs):           # the same person or building, told in other words
            s = min(1.0, s + 0.1)
        thr = same_reporter_threshold if c.reporter == reporter else max(threshold, DANGER_THRESHOLD) if danger \
            else threshold
        if same_business or same_caller:
            s = max(s, thr)
        if s >= thr:
            scored.append((s, c))
    if not scored:
        return None
    scored.sort(key=lambda sc: (-sc[0], sc[1].created_at))
    best_s, best = scored[0]
    # several distinct residents about the same thing → many_reporters
    others = {c.reporter for s, c in scored if c.reporter != reporter}
    if len(others) >= 2:
        reason = "many_reporters"
    elif best.reporter == reporter:
        reason = "same_reporter"
    else:
        reason = "other_party"
    return DuplicateMatch(best.number, round(best_s, 3), reason)


@dataclass(frozen=True)
class Burst:
    reasons: tuple[str, ...]
    reporters: int
    cases: tuple[str, ...]
    risk: str               # the colour the burst calls for: 'red' or 'yellow'


def burst_risk(reading: Reading, place_code: str | None, reporter: str, now: datetime,
               candidates: Iterable[CaseDigest], *, window_hours: float = 48, min_reporters: int = 3,
               red_reporters: int = 5, place_parents: Mapping[str, str | None] = {},
               threshold: float = 0.2) -> Burst | None:
    """A burst of similar reports from one place in a short time (a possible group incident).

    Counts distinct residents (this one included) who reported the same type at the same
    place (or around it) with similar text within `window_hours`. From `min_reporters`
    the risk is at least yellow; from `red_reporters`, red. Returns None when no burst.
    """
    if reading.type == NOT_A_DISPUTE or place_code is None:
        return None
    since = now - timedelta(hours=window_hours)
    reporters = {reporter}
    cases = []
    types = _types(reading)
    for c in candidates:
        if c.type not in types or not (since <= c.created_at <= now + timedelta(minutes=5)):
            continue
        if not same_place(place_code, c.place_code, place_parents):
            continue
        if similarity(reading.text, c.text) < threshold:
            continue
        reporters.add(c.reporter)
        cases.append(c.number)
    n = len(reporters)
    if n < min_reporters:
        return None
    colour = "red" if n >= red_reporters else "yellow"
    reason = f"同一地点{window_hours:g}小时内{n}人反映同类问题"
    if colour == "red":
        reason += "，可能引发群体性事件"
    return Burst((reason,), n, tuple(cases), colour)


def raise_risk(reading: Reading, burst: Burst | None) -> Reading:
    """The reading with its risk raised by a burst (never lowered)."""
    if burst is None:
        return reading
    order = {"green": 0, "yellow": 1, "red": 2}
    colour = burst.risk if order[burst.risk] > order.get(reading.risk, 0) else reading.risk
    from dataclasses import replace
    return replace(reading, risk=colour, risk_reasons=tuple(reading.risk_reasons) + burst.reasons)
