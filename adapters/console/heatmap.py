"""The dashboard's heat map (矛盾纠纷热力图): cases by place and type, against the previous
period, so that a type rising in one area is seen early."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nlp.reading import DISPUTE_TYPES, TYPE_NAMES
from storage.figures import Figures
from storage.registry import Registry

UNIT_LEVELS = ("village", "community")         # the heat map's rows for a town or the county
RISE_MIN = 3                                   # a cell "rises" from this many cases …
RISE_FACTOR = 2.0                              # … at this multiple of the previous period (or from none)


def _unit_of(reg: Registry, code: str, units: set[str]) -> str | None:
    for p in reg.ancestors(code):
        if p.code in units:
            return p.code
    return None


def heat_units(reg: Registry, area: str) -> list[str]:
    """The heat map's rows: the villages and communities of a county or town; a village's grids."""
    top = reg.place(area or reg.county_code())
    if top is None:
        return []
    inside = reg.subtree(top.code)
    units = [c for c in inside if reg.places[c].level in UNIT_LEVELS]
    if not units or top.level in UNIT_LEVELS:
        # a village's grids, and the village itself for the cases filed at it (137 of 527 were
        # left off a village's map)
        return sorted(reg.children(top.code)) + [top.code]
    return sorted(units)


def heat_map(reg: Registry, area: str, f: Figures, p: Figures, link: Callable[..., str],
             types: list[str]) -> dict[str, Any]:
    """Cases by unit (heat_units) and type, this period against the previous one, each cell
    linking to its case list; the cells that rose."""
    units = heat_units(reg, area)
    unit_set = set(units)
    now: dict[tuple[str, str], int] = {}
    before: dict[tuple[str, str], int] = {}
    for src, into in ((f.by_place_type, now), (p.by_place_type, before)):
        for key, m in src.items():
            place, _, kind = key.partition("|")
            unit = _unit_of(reg, place, unit_set)
            if unit and kind:
                into[(unit, kind)] = into.get((unit, kind), 0) + m.cases
    kinds = [k for k in types if k] or list(DISPUTE_TYPES)[:8]
    # a previous period with far fewer cases (a new ledger, a young deployment) is no yardstick:
    # against it every cell would "rise"
    compared = p.total.cases > 0 and p.total.cases * 2 >= f.total.cases
    cells, rises = [], []
    own_row = units[-1] if area and units and units[-1] == area else None
    for i, u in enumerate(units):
        for j, k in enumerate(kinds):
            n, b = now.get((u, k), 0), before.get((u, k), 0)
            # the place's own row: the list by place holds everything under it, so no link
            cells.append({"x": j, "y": i, "value": n, "before": b,
                          "link": "" if u == own_row else link(place=u, type=k)})
            if compared and n >= RISE_MIN and n >= RISE_FACTOR * b:
                rises.append({"place": reg.full_name(u) or reg.name(u), "type": TYPE_NAMES.get(k, k), "now": n,
                              "before": b, "link": "" if u == own_row else link(place=u, type=k)})
    rises.sort(key=lambda r: (-(r["now"] - r["before"]), r["place"]))
    return {"places": [f"{reg.name(u)}（本级）" if u == own_row else (reg.full_name(u) or reg.name(u)) for u in units],
            "place_codes": units,
            "types": [TYPE_NAMES.get(k, k) for k in kinds], "type_codes": kinds, "cells": cells,
            "max": max((c["value"] for c in cells), default=0), "rises": rises[:10]}
