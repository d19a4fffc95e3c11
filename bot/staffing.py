"""Who covers a place, read from the registry: its grid worker (micro-grid, grid, village; the
town's mediator when nobody covers the village), the mediators of its town or county, a
professional committee's least loaded mediator for a type, the leader on duty now, the
nearest centre; and who may act on a case (its assignees and those above them)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from nlp.reading import TYPE_NAMES
from storage.models import Case
from storage.registry import LEVEL_RANK, Registry, StaffInfo

if TYPE_CHECKING:
    from bot.uow import UnitOfWork

COMMITTEE_TYPES = frozenset({"medical", "traffic", "marriage_family", "labour", "environment", "property_mgmt"})
SUPERVISORS = ("mediator", "leader_on_duty", "centre")   # roles that may act on cases below them


@dataclass(frozen=True)
class Choice:
    staff: StaffInfo
    why: str


def _covering(reg: Registry, code: str, *roles: str) -> list[StaffInfo]:
    return [s for s in reg.staff.values() if s.active and s.role in roles and code in s.places]


def grid_workers(reg: Registry, place_code: str | None) -> list[Choice]:
    """The grid worker of the place: the nearest of micro-grid, grid, village up the tree;
    the town's mediator when no grid worker covers any of them."""
    for place in reg.ancestors(place_code):
        if LEVEL_RANK[place.level] < LEVEL_RANK["village"]:
            break
        found = _covering(reg, place.code, "grid_worker")
        if found:
            return [Choice(s, f"{place.name}的网格员") for s in found]
    return handlers_at(reg, place_code, "town")


def handlers_at(reg: Registry, place_code: str | None, level: str) -> list[Choice]:
    """The mediators of the place's town or county; the centre when there are none."""
    place = reg.at_level(place_code, level)
    if place is not None:
        found = _covering(reg, place.code, "mediator")
        if found:
            return [Choice(s, f"{place.name}的调解员") for s in found]
    return [Choice(s, "没有对应的调解员，交综治中心") for s in centres(reg, place_code)]


def committee(reg: Registry, case_type: str, place_code: str | None, load: Counter[str]) -> Choice | None:
    """The least loaded committee mediator who takes this type in an area holding the place;
    those at capacity only when everybody is."""
    if case_type not in COMMITTEE_TYPES:
        return None
    area = {p.code for p in reg.ancestors(place_code)} or {c for c, p in reg.places.items() if p.level == "county"}
    pool = [s for s in reg.staff.values() if s.active and s.role == "committee" and case_type in s.types
            and area & set(s.places)]
    if not pool:
        return None
    free = [s for s in pool if load[s.id] < s.capacity] or pool
    best = min(free, key=lambda s: (load[s.id], s.id))
    return Choice(best, f"{TYPE_NAMES.get(case_type, case_type)}专业调委会，在办{load[best.id]}件最少")


def leaders_on_duty(reg: Registry, place_code: str | None, local_now: datetime) -> list[Choice]:
    """The leader(s) on duty now over the place; all of them when nobody's hours cover now."""
    area = {p.code for p in reg.ancestors(place_code)} or set(reg.places)
    pool = [s for s in reg.staff.values() if s.active and s.role == "leader_on_duty" and area & set(s.places)]
    now = [s for s in pool if s.on_duty_at(local_now)]
    return [Choice(s, "值班领导（红色预警）" if now else "值班领导（此刻无人排班，全部通知）") for s in now or pool]


def centres(reg: Registry, place_code: str | None) -> list[StaffInfo]:
    """The nearest comprehensive governance centre up the tree (town desk before county)."""
    for place in reg.ancestors(place_code):
        found = _covering(reg, place.code, "centre")
        if found:
            return found
    return [s for s in reg.staff.values() if s.active and s.role == "centre"]


def staff_by_user(reg: Registry, wecom_userid: str) -> StaffInfo | None:
    return next((s for s in reg.staff.values() if s.active and s.wecom_userid == wecom_userid), None)


def find_staff(reg: Registry, text: str) -> StaffInfo | None:
    """`转办 N 王建国` / `转办 N gw-taoyuan` / `转办 N WangJianGuo`."""
    t = text.strip()
    return next((s for s in reg.staff.values() if s.active and t and t in (s.id, s.name, s.wecom_userid)), None)


def may_act(reg: Registry, staff: StaffInfo, case: Case) -> bool:
    """The case's assignees, supervisors covering a place above every assignee's place, and the
    centre and the leader on duty of the case's area (a county committee's mediator has nobody
    above them in the tree, and the centre still answers for the case)."""
    if staff.id in (case.assignees or []):
        return True
    if staff.role not in SUPERVISORS:
        return False
    chain = {p.code: LEVEL_RANK[p.level] for p in reg.ancestors(case.place_code)}
    if not chain:                    # no place yet: only the desk that sorts such cases out
        return staff.role in ("leader_on_duty", "centre")
    if staff.role in ("leader_on_duty", "centre") and any(c in chain for c in staff.places):
        return True                  # the county's desk supervises every case in its area, whoever holds it
    ranks = [chain[c] for a in case.assignees or [] if a in reg.staff for c in reg.staff[a].places if c in chain]
    ceiling = min(ranks, default=chain.get(case.place_code or "", 99) + 1)
    return any(chain.get(c, 99) < ceiling for c in staff.places)


async def open_load(uow: "UnitOfWork", staff_ids: Iterable[str]) -> Counter[str]:
    """Open cases of each of these staff members (counts kept with every change: one row each)."""
    return Counter(await (await uow.cases()).open_load(staff_ids))
