"""The life of a case: statuses, the transitions allowed between them, and their names for people."""
from __future__ import annotations

STATUSES: tuple[str, ...] = ("received", "dispatched", "mediating", "resolved", "escalated", "closed")

# received → dispatched → mediating → resolved → closed, or escalated one level up and
# dispatched again there. A resident who says "not settled" sends resolved back to
# mediating; a misrouted case goes back from dispatched to received (the centre).
# Settling on the spot (当场化解) goes straight to resolved.
TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"dispatched", "mediating", "resolved", "escalated", "closed"}),
    "dispatched": frozenset({"mediating", "resolved", "escalated", "received"}),
    "mediating": frozenset({"resolved", "escalated"}),
    "escalated": frozenset({"dispatched", "mediating", "resolved"}),
    "resolved": frozenset({"closed", "mediating"}),
    "closed": frozenset(),
}
OPEN_STATUSES = frozenset({"received", "dispatched", "mediating", "escalated"})

STATUS_NAMES: dict[str, str] = {
    "received": "已受理", "dispatched": "已分派", "mediating": "调解中",
    "resolved": "已化解", "escalated": "已上报上级", "closed": "已办结归档",
}


class TransitionRefused(Exception):
    def __init__(self, number: str, current: str, wanted: str):
        super().__init__(f"case {number}: {current} → {wanted} is not allowed")
        self.number, self.current, self.wanted = number, current, wanted


def check_transition(number: str, current: str, wanted: str) -> None:
    if wanted not in TRANSITIONS.get(current, frozenset()):
        raise TransitionRefused(number, current, wanted)
