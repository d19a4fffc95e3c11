"""Reading what mediators type after a command: a party (name, phone, organisation), a time
and a place, labelled fields (事实：… 争议：…), sums of money and deadlines. Pure functions."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from nlp.slots import blank_spans, find_money, phone_spans
from storage.lifecycle import PartyKind

_ORG = re.compile(r"公司|厂|店|超市|物业|合作社|委员会|村委|居委|医院|学校|中心|集团|酒店|饭店|工作室|诊所|银行"
                  r"|站$|部$")
_URL = re.compile(r"https?://[^\s，,；;]+")


def phone_in(text: str) -> str:
    """The first mobile number (without +86) or landline (with its area code), digits only."""
    found = phone_spans(text)
    return found[0][2] if found else ""


def without_phone(text: str) -> str:
    return blank_spans(text, phone_spans(text))


def party_from(text: str) -> tuple[str, str, PartyKind, str]:
    """'王五 13900001111 楼上502' → (name, phone, kind, the rest). The name is the first word
    that is not a phone; an organisation by the words organisations' names end in."""
    phone = phone_in(text)
    words = [w for w in re.split(r"[\s,，、/；;]+", without_phone(text)) if w]
    name = words[0] if words else ""
    rest = " ".join(words[1:])
    kind = PartyKind.ORGANISATION if name and _ORG.search(name) else PartyKind.PERSON
    return name[:100], phone, kind, rest


LABELS = {
    "到场": "attendees", "参加人": "attendees", "出席": "attendees",
    "争议焦点": "points", "争议": "points", "焦点": "points",
    "申请人": "applicant", "申请人陈述": "applicant", "被申请人": "respondent", "被申请人陈述": "respondent",
    "方案": "proposal", "调解方案": "proposal", "建议": "proposal",
    "下一步": "next_step",
    "事实": "facts", "主要事实": "facts", "责任": "responsibility",
    "内容": "terms", "协议内容": "terms", "协议": "terms",
    "金额": "amount", "标的": "amount", "涉及金额": "amount",
    "履行方式": "method", "方式": "method", "履行期限": "due", "期限": "due",
}
_LABEL = re.compile(r"(?:^|(?<=[\s；;。]))(" + "|".join(sorted(LABELS, key=len, reverse=True)) + r")\s*[:：]")


def labelled(text: str) -> dict[str, str]:
    """'事实：…\\n争议：…' → {"facts": …, "points": …}; text before the first label is "".
    The same field twice is joined."""
    out: dict[str, str] = {}
    marks = list(_LABEL.finditer(text))
    head = text[: marks[0].start()] if marks else text
    if head.strip():
        out[""] = head.strip()
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        value = text[m.end():end].strip(" \n；;")
        key = LABELS[m.group(1)]
        out[key] = (out[key] + "；" + value) if out.get(key) else value
    return out


_MONEY = re.compile(r"(\d+(?:[.,]\d+)*)\s*(万|千)?\s*(?:元|块)?")


def amount_fen(text: str) -> int:
    """'5000元' '1.2万元' '壹万元' '两万' → fen (the understanding layer's sums, Chinese numerals
    too); in the 金额 field a bare '3,500' is yuan as well; 0 when there is no sum."""
    sums = find_money(text or "")
    if sums:
        return int(round(sums[0] * 100))
    m = _MONEY.search(text or "")
    if not m:
        return 0
    value = float(m.group(1).replace(",", ""))
    value *= {"万": 10000, "千": 1000}.get(m.group(2) or "", 1)
    return int(round(value * 100))


_DATE = re.compile(r"(?:(\d{4})\s*[-/.年])?\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_WORKDAYS = re.compile(r"(\d+)\s*个?工作日")
_DAYS = re.compile(r"(\d+)\s*(?:天|日)内")


def parse_date(text: str, today: date, ahead: bool = True) -> tuple[date | None, str]:
    """A date ('2026-12-08', '12月8日'; without a year the next such day, or with `ahead`
    False the last one: a decision already made), and the text left."""
    m = _DATE.search(text)
    if not m:
        return None, text
    year = int(m.group(1)) if m.group(1) else today.year
    try:
        day = date(year, int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None, text
    if not m.group(1) and ahead and day < today:
        day = date(year + 1, day.month, day.day)
    elif not m.group(1) and not ahead and (day - today).days > 31:
        # a decision already made: last year's, unless it is days ahead ("12月6日" on the 5th is
        # tomorrow, not a year ago: "not yet", not "before the application")
        day = date(year - 1, day.month, day.day)
    return day, (text[: m.start()] + " " + text[m.end():]).strip()


_DAY_WORDS = {"今天": 0, "昨天": -1, "前天": -2}


def decision_day(text: str, today: date) -> tuple[date | None, str, str]:
    """A court decision's day as written ('2026-12-03', '12月3日', '昨天'), the text left, and
    what is wrong with it ('' when nothing is): a day that does not exist is said so."""
    for word, delta in _DAY_WORDS.items():
        if word in text:
            return today + timedelta(days=delta), text.replace(word, " ").strip(), ""
    m = _DATE.search(text)
    day, rest = parse_date(text, today, ahead=False)
    if m and day is None:
        return None, text, f"日期“{m.group(0).strip()}”不存在"
    return day, rest, ""


def video_link(text: str) -> tuple[str, str]:
    m = _URL.search(text)
    if not m:
        return "", text
    return m.group(0), (text[: m.start()] + text[m.end():]).replace("视频", "").strip()


def deadline(text: str, now: datetime, tz: str,
             add_working_days: Callable[[datetime, int, str], datetime]) -> datetime | None:
    """'10个工作日' (on the working-day calendar), '30日内', '2026-12-31': the end of that day's
    working hours (18:00 local), not the minute the agreement was typed."""
    if not text:
        return None
    zone = ZoneInfo(tz)
    m = _WORKDAYS.search(text)
    if m:
        day = add_working_days(now, int(m.group(1)), tz).astimezone(zone).date()
        return datetime.combine(day, time(18, 0), tzinfo=zone).astimezone(now.tzinfo)
    m = _DAYS.search(text)
    if m:
        day = (now + timedelta(days=int(m.group(1)))).astimezone(zone).date()
        return datetime.combine(day, time(18, 0), tzinfo=zone).astimezone(now.tzinfo)
    written, _ = parse_date(text, now.astimezone(zone).date())
    if written is None:
        return None
    return datetime.combine(written, time(18, 0), tzinfo=zone).astimezone(now.tzinfo)
