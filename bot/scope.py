"""What a staff member sees in the console, read from the registry.

The county centre sees every case; a town's people (its centre desk, mediators, leader on duty)
the town and everything under it; a village's grid worker their own places; a professional
committee the types it takes, in the area it covers. Whatever is assigned to somebody is theirs
to see wherever it is. A case outside one's scope does not exist for them (404, not 403).

Full phone numbers and names: the case's assignees and the centre, each view a ledger event.
"""
from __future__ import annotations

from storage.case_list import Scope
from storage.models import Case
from storage.registry import Registry, StaffInfo

# who may read the desk's pages: figures for an area, the bulletins, the ledger export, posters
DESK_ROLES = frozenset({"centre", "leader_on_duty", "mediator"})


def scope_of(reg: Registry, staff: StaffInfo) -> Scope | None:
    """None: no limit (a county-level centre or leader)."""
    places: set[str] = set()
    for code in staff.places:
        places |= reg.subtree(code)
    counties = {c for c, p in reg.places.items() if p.level == "county"}
    whole = bool(counties) and counties <= set(staff.places)
    types = frozenset(staff.types) if staff.role == "committee" and staff.types else None
    if whole and types is None and staff.role in ("centre", "leader_on_duty"):
        return None
    return Scope(places=None if whole else frozenset(places), types=types, staff_id=staff.id)


def sees(reg: Registry, staff: StaffInfo, case: Case) -> bool:
    """The Python twin of storage.case_list.scope_condition (the tests hold them equal)."""
    scope = scope_of(reg, staff)
    if scope is None:
        return True
    if scope.staff_id and scope.staff_id in (case.assignees or []):
        return True
    if scope.places is not None and case.place_code not in scope.places:
        return False
    return scope.types is None or case.type in scope.types


def sees_contact(reg: Registry, staff: StaffInfo, case: Case) -> bool:
    """The full phone number and names: the case's assignees, and the centre over its place."""
    if staff.id in (case.assignees or []):
        return True
    return staff.role == "centre" and sees(reg, staff, case)


def desk(staff: StaffInfo) -> bool:
    return staff.role in DESK_ROLES


def area_of(reg: Registry, staff: StaffInfo) -> str | None:
    """The place a person's figures default to: the highest of their places (None: the county)."""
    from storage.registry import LEVEL_RANK
    known = [reg.places[c] for c in staff.places if c in reg.places]
    if not known:
        return None
    top = min(known, key=lambda p: LEVEL_RANK[p.level])
    return top.code
