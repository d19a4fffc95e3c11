"""The case list's filter as it travels in a URL (shareable, bookmarkable) and back."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from multidict import MultiMapping

from nlp.reading import DISPUTE_TYPES
from storage.case_list import CaseFilter, Scope, Sort
from storage.cases import NUMBER_CHARS
from storage.lifecycle import OPEN_STATUSES, Result, Risk, Status
from storage.registry import Registry

MULTI = ("status", "result", "type", "risk", "channel", "code")
FLAGS = ("overdue", "red_card", "several", "open", "rated")
SINGLE = ("place", "assignee", "from", "to", "q", "number", "sort", "dir")
PAGE_SIZES = (20, 50, 100)
CHANNELS = ("wechat_mp", "web", "wecom_bot", "wecom_app", "group_forward", "terminal")


class BadQuery(ValueError):
    pass


@dataclass(frozen=True)
class ListQuery:
    """What the person asked for, as given (to redraw the form), and the filter it makes."""
    values: dict[str, list[str]]
    flt: CaseFilter
    sort: Sort
    descending: bool
    size: int
    cursor: str | None

    def url(self, base: str, **changes: str | None) -> str:
        """This query as a URL, with some parameters changed (None: dropped); never the cursor
        unless given."""
        pairs: list[tuple[str, str]] = []
        values = {k: list(v) for k, v in self.values.items() if k != "cursor"}
        for k, v in changes.items():
            values[k] = [] if v is None else [v]
        for k, vs in values.items():
            pairs += [(k, x) for x in vs if x]
        return base + ("?" + urlencode(pairs) if pairs else "")

    def has(self, key: str, value: str) -> bool:
        return value in self.values.get(key, [])

    def one(self, key: str) -> str:
        got = self.values.get(key) or [""]
        return got[0]


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadQuery(f"日期应写作 2026-11-23 这样：“{text[:20]}”") from None


def _number(text: str, prefix: str) -> str:
    """A case number or its start, as typed: "261205-003", "jf261205", "JF 261205003"."""
    t = re.sub(r"[\s_]+", "", text.translate(NUMBER_CHARS).upper())[:32]     # ＪＦ２６… as typed by input methods
    if t[:1].isdigit():
        t = prefix.upper() + t
    return re.sub(r"^([A-Z]+\d{6})(\d)", r"\1-\2", t)


def _codes(given: list[str], registry: Registry) -> list[str]:
    """Dispute codes by their place code or the place's name ("dx01", "柳林村")."""
    by_name = {p.name: p.code for p in registry.places.values()}
    out = []
    for g in given:
        code = g if g in registry.places else g.upper() if g.upper() in registry.places else by_name.get(g, g)
        out.append(code)
    return out


def parse(query: MultiMapping[str] | Mapping[str, str], registry: Registry, tz: str,
          scope: Scope | None, prefix: str = "JF") -> ListQuery:
    getall = getattr(query, "getall", None)

    def many(key: str) -> list[str]:
        raw = getall(key, []) if getall else ([query[key]] if key in query else [])
        out: list[str] = []
        for item in raw:
            out += [x.strip() for x in str(item).split(",") if x.strip()]
        return out[:50]

    values: dict[str, list[str]] = {k: many(k) for k in MULTI}
    for k in SINGLE + FLAGS + ("cursor", "size"):
        got = many(k)
        values[k] = got[:1]
    statuses = set(values["status"])
    if "1" in values["open"]:
        statuses |= set(OPEN_STATUSES)
    bad = [s for s in statuses if s not in set(Status)] + [t for t in values["type"] if t not in DISPUTE_TYPES] + \
        [r for r in values["risk"] if r not in set(Risk)] + [r for r in values["result"] if r not in set(Result)]
    if bad:
        raise BadQuery("没有这样的状态、结果、类型或风险：" + "、".join(sorted(bad))[:80])
    place = values["place"][0] if values["place"] else ""
    if place and place not in registry.places:
        raise BadQuery(f"没有这个地点：“{place[:20]}”")
    zone = ZoneInfo(tz)
    since, until = _day(values["from"][0] if values["from"] else ""), _day(values["to"][0] if values["to"] else "")
    if since and until and since > until:
        raise BadQuery("起止日期有误：开始晚于结束")
    try:
        sort = Sort(values["sort"][0]) if values["sort"] else Sort.CREATED
    except ValueError:
        raise BadQuery("排序只能按受理时间、最后变动或到期时间") from None
    descending = (values["dir"][0] if values["dir"] else "desc") != "asc"
    try:
        size = int(values["size"][0]) if values["size"] else PAGE_SIZES[0]
    except ValueError:
        raise BadQuery("每页条数应是数字") from None
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    flt = CaseFilter(statuses=frozenset(statuses), results=frozenset(values["result"]), types=frozenset(values["type"]), risks=frozenset(values["risk"]),
                     places=registry.subtree(place) if place else None, channels=frozenset(values["channel"]),
                     sources=frozenset(_codes(values["code"], registry)), assignee=values["assignee"][0] if values["assignee"] else None,
                     created_from=datetime.combine(since, time(), zone) if since else None,
                     created_to=datetime.combine(until + timedelta(days=1), time(), zone) if until else None,
                     overdue="1" in values["overdue"], red_card="1" in values["red_card"],
                     several="1" in values["several"], rated="1" in values["rated"], text=(values["q"] or [""])[0][:100],
                     number=_number(values["number"][0] if values["number"] else "", prefix), scope=scope)
    return ListQuery(values, flt, sort, descending, size, values["cursor"][0] if values["cursor"] else None)


def with_scope(q: ListQuery, scope: Scope | None) -> ListQuery:
    return replace(q, flt=replace(q.flt, scope=scope))
