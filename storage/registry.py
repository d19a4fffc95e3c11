"""The registry: places in five levels and the staff who cover them.

File format (YAML; documented in README.md):
    places: [{code, name, level, parent, aliases: [...], lat, lng}]
    staff:  [{id, name, role, places: [codes], types: [dispute types], wecom_userid, phone, capacity,
              on_duty: ["1-5 08:00-18:00", "6,7 00:00-24:00"]}]   # ISO weekdays (1 = Monday) or "*",
                                                                 # local times; a range may pass midnight;
                                                                 # no on_duty: always on duty. Optional.
    groups: [{id, name, place, chats: [chat ids], webhook_key}]   # work groups: which grid a group
                                                                 # belongs to, its robot webhook
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.lifecycle import CASE_TYPES
from storage.models import Meta, Place, Staff, WorkGroup

LEVELS = ("county", "town", "village", "community", "grid", "microgrid")
LEVEL_RANK = {"county": 0, "town": 1, "village": 2, "community": 2, "grid": 3, "microgrid": 4}
ROLES = ("grid_worker", "mediator", "committee", "leader_on_duty", "centre")
DEMO_FILE = Path(__file__).with_name("demo") / "demo_county.yaml"


class RegistryError(ValueError):
    pass


@dataclass(frozen=True)
class PlaceInfo:
    code: str
    name: str
    level: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    lat: float | None = None
    lng: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "level": self.level, "parent": self.parent,
                "aliases": list(self.aliases), "lat": self.lat, "lng": self.lng}


@dataclass(frozen=True)
class StaffInfo:
    id: str
    name: str
    role: str
    places: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    wecom_userid: str = ""
    phone: str = ""
    capacity: int = 20
    active: bool = True
    on_duty: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role, "places": list(self.places),
                "types": list(self.types), "wecom_userid": self.wecom_userid, "capacity": self.capacity,
                "on_duty": list(self.on_duty)}

    def on_duty_at(self, local: datetime) -> bool:
        """Whether `local` (a time in the county's zone) falls in one of the on-duty spans."""
        return not self.on_duty or any(_in_span(span, local) for span in self.on_duty)


@dataclass(frozen=True)
class GroupInfo:
    """A grid / village / town work group: the place its posts default to, the chat ids the
    smart robot sees it under, and the group robot's webhook key for digests."""
    id: str
    name: str
    place: str
    chats: tuple[str, ...] = ()
    webhook_key: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "place": self.place, "chats": list(self.chats),
                "webhook_key": self.webhook_key}


@dataclass
class Registry:
    """An in-memory view of the registry, read once at start-up and after each reload."""
    places: dict[str, PlaceInfo] = field(default_factory=dict)
    staff: dict[str, StaffInfo] = field(default_factory=dict)
    groups: dict[str, GroupInfo] = field(default_factory=dict)
    _children: tuple[int, dict[str, list[str]]] | None = field(default=None, repr=False, compare=False)

    def children(self, code: str) -> list[str]:
        if self._children is None or self._children[0] != len(self.places):
            index: dict[str, list[str]] = {}
            for c, p in self.places.items():
                if p.parent:
                    index.setdefault(p.parent, []).append(c)
            self._children = (len(self.places), index)
        return self._children[1].get(code, [])

    def subtree(self, code: str | None) -> frozenset[str]:
        """The place and every place under it (empty for an unknown place)."""
        if not code or code not in self.places:
            return frozenset()
        found, todo = {code}, [code]
        while todo:
            for child in self.children(todo.pop()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return frozenset(found)

    def group_for_chat(self, chat_id: str) -> GroupInfo | None:
        return next((g for g in self.groups.values() if chat_id in g.chats), None)

    def county_code(self) -> str | None:
        """The county's own code (the area above every town), when the registry has one."""
        return next((p.code for p in self.places.values() if p.level == "county"), None)

    def place(self, code: str | None) -> PlaceInfo | None:
        return self.places.get(code) if code else None

    def name(self, code: str | None) -> str:
        p = self.place(code)
        return p.name if p else ""

    def ancestors(self, code: str | None) -> list[PlaceInfo]:
        """The place itself, then its parent, up to the county."""
        chain: list[PlaceInfo] = []
        seen: set[str] = set()
        while code and code in self.places and code not in seen:
            seen.add(code)
            chain.append(self.places[code])
            code = self.places[code].parent
        return chain

    def at_level(self, code: str | None, *levels: str) -> PlaceInfo | None:
        return next((p for p in self.ancestors(code) if p.level in levels), None)

    def residents_name(self, code: str | None) -> str:
        """A place as residents know it: the village or community, and a building or group
        within it as they call it ("南湖街道南湖社区3栋"), without the grids staff work in
        ("南湖社区第一网格" means nothing to a resident)."""
        place = self.place(code)
        unit = self.at_level(code, "village", "community")
        if place is None or unit is None or place.code == unit.code:
            return self.full_name(code)
        base = self.full_name(unit.code)
        if place.level == "microgrid":
            own = place.name[len(unit.name):] if place.name.startswith(unit.name) else place.name
            return base + own
        # a grid by the name residents use for it, when it has one ("柳林村1组" → 1组)
        called = next((a[len(unit.name):] for a in place.aliases if a.startswith(unit.name) and len(a) > len(unit.name)), "")
        return base + called

    def full_name(self, code: str | None) -> str:
        """"东溪镇柳林村第一网格": town and below, as people say it. A name that repeats a place
        above it ("南湖社区第一网格" under "南湖社区") says only what it adds."""
        names: list[str] = []
        parts: list[str] = []
        for place in reversed(self.ancestors(code)):
            if place.level == "county":
                continue
            prefix = max((n for n in names if place.name.startswith(n)), key=len, default="")
            names.append(place.name)
            if place.name[len(prefix):]:
                parts.append(place.name[len(prefix):])
        return "".join(parts)

    def parents(self) -> dict[str, str | None]:
        return {c: p.parent for c, p in self.places.items()}

    def as_dict(self) -> dict[str, Any]:
        return {"places": [p.as_dict() for p in self.places.values()],
                "staff": [s.as_dict() for s in self.staff.values() if s.active],
                "groups": [g.as_dict() for g in self.groups.values()]}


def read_registry_file(path: str | Path) -> Registry:
    return parse_registry(Path(path).read_text(encoding="utf-8"))


def parse_registry(text: str) -> Registry:
    """Check a registry document; every problem is named with its place code or staff id."""
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise RegistryError(f"not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise RegistryError("the file must hold a mapping with 'places' and 'staff'")
    problems: list[str] = []
    reg = Registry()
    for i, row in enumerate(doc.get("places") or []):
        try:
            p = PlaceInfo(code=str(row["code"]).strip(), name=str(row["name"]).strip(), level=str(row["level"]),
                          parent=str(row["parent"]) if row.get("parent") else None,
                          aliases=tuple(str(a) for a in row.get("aliases") or ()),
                          lat=float(row["lat"]) if row.get("lat") is not None else None,
                          lng=float(row["lng"]) if row.get("lng") is not None else None)
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"places[{i}]: {_why(exc)}")
            continue
        if p.level not in LEVELS:
            problems.append(f"place {p.code}: level {p.level!r} is not one of {', '.join(LEVELS)}")
        if p.code in reg.places:
            problems.append(f"place {p.code}: listed twice")
        reg.places[p.code] = p
    for p in reg.places.values():
        if p.parent and p.parent not in reg.places:
            problems.append(f"place {p.code}: parent {p.parent} is not in the file")
        elif p.parent and LEVEL_RANK[reg.places[p.parent].level] >= LEVEL_RANK.get(p.level, 0):
            problems.append(f"place {p.code}: a {p.level} cannot sit under a {reg.places[p.parent].level}")
        elif not p.parent and p.level != "county":
            problems.append(f"place {p.code}: only a county has no parent")
    for i, row in enumerate(doc.get("staff") or []):
        try:
            s = StaffInfo(id=str(row["id"]), name=str(row["name"]), role=str(row["role"]),
                          places=tuple(str(c) for c in row.get("places") or ()),
                          types=tuple(str(t) for t in row.get("types") or ()),
                          wecom_userid=str(row.get("wecom_userid") or ""), phone=str(row.get("phone") or ""),
                          capacity=int(row.get("capacity") or 20),
                          on_duty=tuple(str(d) for d in row.get("on_duty") or ()))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"staff[{i}]: {_why(exc)}")
            continue
        if s.role not in ROLES:
            problems.append(f"staff {s.id}: role {s.role!r} is not one of {', '.join(ROLES)}")
        problems += [f"staff {s.id}: place {c} is not in the file" for c in s.places if c not in reg.places]
        problems += [f"staff {s.id}: type {t} is not a dispute type" for t in s.types if t not in CASE_TYPES]
        problems += [f"staff {s.id}: on_duty {d!r} is not like '1-5 08:00-18:00'" for d in s.on_duty
                     if not _SPAN.fullmatch(d.strip())]
        if s.id in reg.staff:
            problems.append(f"staff {s.id}: listed twice")
        reg.staff[s.id] = s
    for i, row in enumerate(doc.get("groups") or []):
        try:
            g = GroupInfo(id=str(row["id"]), name=str(row.get("name") or row["id"]), place=str(row["place"]),
                          chats=tuple(str(c) for c in row.get("chats") or ()),
                          webhook_key=str(row.get("webhook_key") or ""))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"groups[{i}]: {_why(exc)}")
            continue
        if g.place not in reg.places:
            problems.append(f"group {g.id}: place {g.place} is not in the file")
        if g.id in reg.groups:
            problems.append(f"group {g.id}: listed twice")
        taken = [c for c in g.chats if reg.group_for_chat(c)]
        problems += [f"group {g.id}: chat {c} already belongs to another group" for c in taken]
        reg.groups[g.id] = g
    if problems:
        raise RegistryError("; ".join(problems))
    return reg


_SPAN = re.compile(r"(\*|[1-7](?:-[1-7])?(?:,[1-7](?:-[1-7])?)*)\s+(\d{1,2}):(\d\d)-(\d{1,2}):(\d\d)")


def _in_span(span: str, local: datetime) -> bool:
    m = _SPAN.fullmatch(span.strip())
    if not m:
        return False
    days: set[int] = set(range(1, 8)) if m.group(1) == "*" else set()
    for part in ([] if m.group(1) == "*" else m.group(1).split(",")):
        a, _, b = part.partition("-")
        days |= set(range(int(a), int(b or a) + 1))
    start, end = int(m.group(2)) * 60 + int(m.group(3)), int(m.group(4)) * 60 + int(m.group(5))
    minute = local.hour * 60 + local.minute
    if start < end:
        return local.isoweekday() in days and start <= minute < end
    # a night span (18:00-08:00) belongs to the day it starts on
    yesterday = (local.isoweekday() - 2) % 7 + 1
    return (local.isoweekday() in days and minute >= start) or (yesterday in days and minute < end)


def _why(exc: Exception) -> str:
    return f"missing {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)


async def save_registry(session: AsyncSession, reg: Registry) -> None:
    """Replace places and staff with the file's. Staff no longer listed are kept inactive, so
    their open cases stay assigned until somebody moves them."""
    existing_places = {p.code: p for p in (await session.scalars(select(Place))).all()}
    for place in reg.places.values():
        prow = existing_places.pop(place.code, None) or Place(code=place.code)
        prow.name, prow.level, prow.parent = place.name, place.level, place.parent
        prow.aliases, prow.lat, prow.lng = list(place.aliases), place.lat, place.lng
        session.add(prow)
    # places missing from the new file stay: cases point at them
    existing_staff = {s.id: s for s in (await session.scalars(select(Staff))).all()}
    for member in reg.staff.values():
        srow = existing_staff.pop(member.id, None) or Staff(id=member.id)
        srow.name, srow.role, srow.places, srow.types = member.name, member.role, list(member.places), \
            list(member.types)
        srow.wecom_userid, srow.phone, srow.capacity, srow.active = member.wecom_userid, member.phone, \
            member.capacity, True
        srow.on_duty = list(member.on_duty)
        session.add(srow)
    for srow in existing_staff.values():
        srow.active = False
    existing_groups = {g.id: g for g in (await session.scalars(select(WorkGroup))).all()}
    for group in reg.groups.values():
        grow = existing_groups.pop(group.id, None) or WorkGroup(id=group.id)
        grow.name, grow.place, grow.chats, grow.webhook_key = group.name, group.place, list(group.chats), \
            group.webhook_key
        session.add(grow)
    for grow in existing_groups.values():
        await session.delete(grow)
    # running servers read the registry once: this mark tells them it changed (a new leader on
    # duty's account was ignored until a restart)
    from uuid import uuid4
    row = await session.get(Meta, STAMP_KEY)
    if row is None:
        session.add(Meta(key=STAMP_KEY, value=uuid4().hex))
    else:
        row.value = uuid4().hex


STAMP_KEY = "registry_stamp"


async def registry_stamp(session: AsyncSession) -> str:
    """The mark of the registry last saved ("" before any)."""
    row = await session.get(Meta, STAMP_KEY)
    return row.value if row is not None else ""


async def read_registry(session: AsyncSession) -> Registry:
    reg = Registry()
    for p in (await session.scalars(select(Place).order_by(Place.code))).all():
        reg.places[p.code] = PlaceInfo(p.code, p.name, p.level, p.parent, tuple(p.aliases or ()), p.lat, p.lng)
    for s in (await session.scalars(select(Staff).order_by(Staff.id))).all():
        reg.staff[s.id] = StaffInfo(s.id, s.name, s.role, tuple(s.places or ()), tuple(s.types or ()),
                                    s.wecom_userid, s.phone, s.capacity, s.active, tuple(s.on_duty or ()))
    for g in (await session.scalars(select(WorkGroup).order_by(WorkGroup.id))).all():
        reg.groups[g.id] = GroupInfo(g.id, g.name, g.place, tuple(g.chats or ()), g.webhook_key)
    return reg
