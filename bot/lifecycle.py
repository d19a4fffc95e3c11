"""The life of a case as people read it. The statuses and their one table of transitions are
storage's (storage/lifecycle.py), which every path obeys."""
from __future__ import annotations

from storage.lifecycle import OPEN_STATUSES, TRANSITIONS, Status, TransitionRefused, can_move, check_transition

STATUS_NAMES: dict[str, str] = {
    Status.RECEIVED: "已受理", Status.DISPATCHED: "已分派", Status.MEDIATING: "调解中",
    Status.RESOLVED: "已化解", Status.ESCALATED: "已上报上级", Status.CLOSED: "已办结归档",
}

__all__ = ["OPEN_STATUSES", "STATUS_NAMES", "TRANSITIONS", "Status", "TransitionRefused", "can_move",
           "check_transition"]
