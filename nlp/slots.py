"""Slots found in a message: phone numbers, sums of money, number of people, dates.

All functions take any string (normalised or not) and never raise.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left

from nlp.prefilter import guarded

_SEP = r"[\s\-－—.·]?"
_NON_DIGIT = re.compile(r"\D")
_SEVEN_DIGITS = re.compile(r"\d(?:[\s\-－—.·]?\d){6}")
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")
_MOBILE_RE = re.compile(
    r"(?<![\d])(?:(?:\+|00)?\s?86" + _SEP + r")?(1" + _SEP + r"[3-9](?:" + _SEP + r"\d){9})(?!\d)")
_LANDLINE_RE = re.compile(
    r"(?<![\d])[(（]?(0\d{2,3})[)）]?" + _SEP + r"(\d{3,4}" + _SEP + r"\d{4})(?!\d)")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}


def _half(text: str) -> str:
    return unicodedata.normalize("NFKC", text) if text else ""


def find_phones(text: str) -> list[str]:
    """Mainland mobile numbers (1[3-9] + 9 digits) and landlines (0 + area code + 7/8 digits),
    as digits only, in order of appearance, without duplicates."""
    return list(dict.fromkeys(d for _, _, d in phone_spans(text)))


# seven or more digits said as words, a space apart at most ("幺三八 一二三四 五六七八"): a
# number read out, which voice input writes down in characters
_SPOKEN = "零〇一幺二两三四五六七八九"
SPOKEN_RUN = re.compile(f"[{_SPOKEN}](?:\\s?[{_SPOKEN}]){{6,}}")
_SPOKEN_TABLE = str.maketrans(_SPOKEN, "0011223456789")
_SPOKEN_CHARS = frozenset(_SPOKEN)


def spoken_digits(text: str) -> str:
    """The text with every run of seven or more digits said in characters written in
    digits, character for character (the positions stay those of the text)."""
    if _SPOKEN_CHARS.isdisjoint(text):
        return text
    return SPOKEN_RUN.sub(lambda m: m.group(0).translate(_SPOKEN_TABLE), text)


_DIGITS_ONLY = re.compile(f"[0-9{_SPOKEN}]+")
_DIGIT_GAPS = re.compile(r"[\s,，.。、\-—~～…]+")


def digits_only(text: str) -> str | None:
    """The digits of a message that says nothing but digits, in figures or in characters
    ("一三八", "0000 1212", "幺三八零零"), as figures; None for anything else."""
    t = _DIGIT_GAPS.sub("", _half(text))
    if not t or len(t) > 12 or not _DIGITS_ONLY.fullmatch(t):
        return None
    return t.translate(_SPOKEN_TABLE)


# whose number: someone else's when the words just before it name them ("他电话是", "对方的手机：",
# "老板电话"); the writer's otherwise (a number given in a report is mostly one to call back)
_OTHERS_PHONE = re.compile(r"(?:他|她|对方|老板|房东|包工头|工头|中介|司机|商家|店家|店主|卖家|物业|经理|老师|医生|"
                           r"户主|对门|隔壁|楼上|楼下|邻居|(?<![我俺])叫[\u4e00-\u9fa5]{2,3}\s*|"
                           # another household or person by name ("刘家的电话", "老刘电话"), and the
                           # writer's family ("我爸的电话是…最好打我的"): numbers, not the writer's own
                           r"(?![我俺咱自国大])[\u4e00-\u9fa5]家|老[\u4e00-\u9fa5]{1,2}|"
                           r"(?:我|俺)?(?:爸爸?|妈妈?|父亲|母亲|老爸|老妈|爷爷|奶奶|儿子|女儿|老公|老婆|媳妇|丈夫|妻子|老伴))"
                           r"(?:的|家)?(?:电话|手机|号码|联系方式|微信)(?:号码?)?\s*(?:是|为|[:：])?\s*$")


def others_phones(text: str, normalised: bool = False, spans: list[tuple[int, int, str]] | None = None) -> list[str]:
    """The phone numbers the text gives as someone else's ("他电话是130…"), in order.
    `spans`: the text's `phone_spans`, when the caller has them."""
    t = text if normalised else _half(text)
    if spans is None:
        spans = phone_spans(t, normalised=True)
    return list(dict.fromkeys(d for a, _, d in spans if _OTHERS_PHONE.search(t, max(0, a - 12), a)))


def own_phones(text: str, normalised: bool = False) -> list[str]:
    """The phone numbers that are not given as someone else's: the writer's, to call back."""
    t = text if normalised else _half(text)
    spans = phone_spans(t, normalised=True)
    others = set(others_phones(t, normalised=True, spans=spans))
    return [d for d in dict.fromkeys(d for _, _, d in spans) if d not in others]


def phone_spans(text: str, normalised: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, digits) of every phone number, in order of appearance, digits said as
    characters too ("幺三八…"); the spans are positions in `text` once full-width forms are
    folded (NFKC: the same positions when the text is normalised already)."""
    try:
        t = spoken_digits(text if normalised else _half(text))
        if _SEVEN_DIGITS.search(t) is None:
            return []      # every number has seven digits or more, at most one separator apart
        found: list[tuple[int, int, str]] = []
        taken: list[tuple[int, int]] = []          # mobile spans, in order, not overlapping
        for m in _MOBILE_RE.finditer(t):
            digits = _NON_DIGIT.sub("", m.group(1))
            if len(digits) == 11 and digits[1] in "3456789":
                found.append((m.start(), m.end(), digits))
                taken.append(m.span())
        starts = [a for a, _ in taken]
        for m in _LANDLINE_RE.finditer(t):
            # overlaps a mobile number: the last mobile starting before its end reaches into it
            k = bisect_left(starts, m.end()) - 1
            if k >= 0 and taken[k][1] > m.start():
                continue
            area, rest = m.group(1), _NON_DIGIT.sub("", m.group(2))
            if len(rest) not in (7, 8):
                continue
            if len(area) == 3 and not (area == "010" or area.startswith("02")):
                continue
            if len(area) == 4 and (area == "0100" or area.startswith("02")):
                continue
            if area[1] == "0" and area != "010":
                continue
            found.append((m.start(), m.end(), area + rest))
        return sorted(found)
    except Exception:  # pragma: no cover
        return []


def blank_spans(text: str, spans) -> str:
    """The text with each (start, end, ...) span replaced by one space (spans in order)."""
    out, at = [], 0
    for a, b, *_ in spans:
        if a >= at:
            out.append(text[at:a])
            out.append(" ")
            at = b
    out.append(text[at:])
    return "".join(out)


def cn_number(s: str) -> float | None:
    """'一万五' → 15000, '两千三百' → 2300, '十五' → 15, '3.5万' → 35000, '5千' → 5000."""
    if not s:
        return None
    s = _half(s).replace(",", "").replace("，", "")
    try:
        return float(s)
    except ValueError:
        pass
    total = 0.0
    section = 0.0
    num: float | None = None
    last_unit = 1
    i = 0
    while i < len(s):
        ch = s[i]
        m = _DECIMAL.match(s, i)
        if m:
            num = float(m.group(0))
            i += len(m.group(0))
            continue
        if ch in _CN_DIGITS:
            num = float(_CN_DIGITS[ch])
        elif ch in _CN_UNITS:
            u = _CN_UNITS[ch]
            section += (num if num is not None else 1) * u
            last_unit = u
            num = None
        elif ch in _CN_BIG:
            u = _CN_BIG[ch]
            section += num or 0
            total += (section or 1) * u
            last_unit = u
            section, num = 0.0, None
        else:
            return None
        i += 1
    if num is not None:
        # '一万五' = 15000, '三千二' = 3200: a trailing digit after a unit is one unit lower
        if last_unit >= 100 and s[-1] in _CN_DIGITS and len(s) >= 2 and (s[-2] in _CN_UNITS or s[-2] in _CN_BIG):
            section += num * (last_unit // 10)
        else:
            section += num
    return total + section


_NUMERALS = "零〇一二两三四五六七八九十百千万亿"
# a number starts where no digit (or numeral) stands before it: a match attempt inside a
# long run of digits would rescan the run from every position (quadratic time)
_NUM = rf"(?:\d+(?:\.\d+)?|[{_NUMERALS}]+)"
_NUM_START = rf"(?:(?<![\d.])\d+(?:\.\d+)?|(?<![{_NUMERALS}])[{_NUMERALS}]+)"
# guarded (nlp.prefilter): behind a look-ahead for the characters a match starts with, which
# the engine skips to at C speed (the same matches, 2-4x sooner)
_MONEY_RE = guarded(
    r"(" + _NUM_START + r"(?:[万千百]" + _NUM + r"?)?)\s*(多|来)?\s*(万|千|百)?\s*(多|来)?\s*"
    r"(元|块钱|块|圆|rmb|人民币|w(?![a-z])|k(?![a-z]))?")
_NOT_MONEY_AFTER = re.compile(r"^(个|人|户|名|家|口|号|日|月|年|天|点|米|亩|平|斤|公里|楼|栋|层|组|岁|次|辆|分钟|小时|%|％|遍|条|只|头|周|分)")


_MONEY_CHARS = frozenset("元块圆钱万千百亿币wkWKrR")


def find_money(text: str, normalised: bool = False) -> list[float]:
    """Sums in yuan: '5000元', '两万块', '一万五', '3.5万', '八百块钱', '欠我2w'."""
    out: list[float] = []
    if _MONEY_CHARS.isdisjoint(text):
        return out        # a sum needs a currency word or a big unit
    try:
        t = text if normalised else _half(text)
        for m in _MONEY_RE.finditer(t):
            numtxt, _, unit, _, cur = m.groups()
            if not numtxt:
                continue
            has_big = unit or re.search(r"[万千]", numtxt)
            if not cur and not has_big:
                continue
            tail = t[m.end():m.end() + 2]
            if not cur and _NOT_MONEY_AFTER.match(tail):
                continue
            if not cur and numtxt in ("千", "万", "百", "一千", "一万") and t[m.start() - 1:m.start()] in ("几", "上", "成"):
                continue
            val = cn_number(numtxt)
            if val is None:
                continue
            mult = {"万": 10_000, "千": 1000, "百": 100}.get(unit or "", 1)
            if cur == "w":
                mult *= 10_000
            elif cur == "k":
                mult *= 1000
            val *= mult
            if val <= 0:
                continue
            out.append(float(val))
    except Exception:  # pragma: no cover
        return out
    return out


_APPROX = {"几十": 30, "十几": 15, "几百": 200, "上百": 100, "好几十": 40, "好几百": 300,
           "成百": 100, "上千": 1000, "几千": 2000, "好几": 4, "几": 3, "数十": 30, "数百": 200}
_PEOPLE_RE = guarded(
    r"(好几十|好几百|几十|十几|几百|上百|成百|上千|几千|数十|数百|好几|" + _NUM_START + r")\s*(多|来|余|几)?\s*(个|名|位|户|家|口)?\s*(人|村民|群众|户|家人|工人|业主|老乡|农民工|住户)")


_PEOPLE_CHARS = frozenset("人民众户工主乡住")


def find_people(text: str, normalised: bool = False) -> int | None:
    """Largest number of people/households said ('几十个人' → 30, '二十多户' → 20)."""
    said = find_people_said(text, normalised)
    return said[0] if said else None


def find_people_said(text: str, normalised: bool = False) -> tuple[int, str] | None:
    """The largest number of people/households said, and the words that said it ("二三十户"
    is quoted as said, not as "30人")."""
    best: tuple[int, str] | None = None
    if _PEOPLE_CHARS.isdisjoint(text):
        return best
    try:
        t = text if normalised else _half(text)
        for m in _PEOPLE_RE.finditer(t):
            numtxt = m.group(1)
            if numtxt in _APPROX:
                n = _APPROX[numtxt]
            else:
                v = cn_number(numtxt)
                if v is None:
                    continue
                n = int(v)
            if m.group(3) is None and m.group(4) in ("人",) and re.match(r"^\d", numtxt) is None and numtxt in ("一",):
                continue
            if n <= 0 or n > 1_000_000:
                continue
            if best is None or n > best[0]:
                # "二三十户人家": households, said up to 户
                said = m.group(0)[:m.end(3) - m.start()] if m.group(3) in ("户", "家", "口") else m.group(0)
                best = (n, said.strip())
    except Exception:  # pragma: no cover
        return best
    return best


_DATE_RE = guarded(
    r"(\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*[日号]|[一二三四五六七八九十]{1,3}月[初底中]?[一二三四五六七八九十]{0,3}[日号]?"
    r"|\d{1,2}\s*号|\d{1,2}\s*月份?"
    r"|大前天|前天|昨天|昨晚|昨日|今天|今早|今晚|今日|明天|后天|上周[一二三四五六日天]?|上个?星期[一二三四五六日天]?|上礼拜"
    r"|上个?月|去年|前年|今年|年前|年后|春节|过年"
    r"|(?:(?<!\d)\d+|(?<![一二两三四五六七八九十半几])[一二两三四五六七八九十半几]+)\s*(?:个)?\s*(?:天|周|星期|月|年)(?:前|以前|了|多了)"
    r"|星期[一二三四五六日天]|周[一二三四五六日]|礼拜[一二三四五六日天])")


_DATE_CHARS = frozenset("年月日号天周星期礼拜昨今明前后晚早春节过-/.")


def find_dates(text: str, normalised: bool = False) -> list[str]:
    """Date expressions as written ('5月3号', '昨天', '半年前', '2023年4月')."""
    if _DATE_CHARS.isdisjoint(text):
        return []
    try:
        t = text if normalised else _half(text)
        return [m.group(0).strip() for m in _DATE_RE.finditer(t)]
    except Exception:  # pragma: no cover
        return []
