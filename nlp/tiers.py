"""The red cue tiers: per red cue, from the labelled lines and their out-of-fold learned red
reading, whether it is dropped (fewer than two authors' reports need it), strong (makes a
reading red on its own) or weak (red only when the learned reading agrees); written into
nlp/data/decision.yaml by `python -m nlp.train write`, chosen again inside each fold by `cv`.
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from nlp.risk import RiskRules

if TYPE_CHECKING:
    from nlp.train import Line


def red_hits(lines: list[Line], rules: RiskRules | None = None) -> None:
    rules = rules or RiskRules()
    for l in lines:
        l.hits = [(h.cue.id, h.status) for h in rules.hits(l.text) if h.cue.colour == "red"]


def choose_tiers(lines: list[Line], red_p: dict[int, float], min_groups: int, k: float,
                 confirm: float) -> dict[str, str]:
    """Per red cue, from the chat lines (with their out-of-fold learned red probability
    `red_p`, by line id): `drop` when the red lines of fewer than `min_groups` groups keep
    it; `strong` when, among the lines it is kept in whose learned reading alone would not
    confirm it (p < `confirm`), the red ones are at least `k` times the others (making it
    strong finds those reds at the price of those false alarms); `weak` otherwise. The ways
    of saying (kind "ways") count towards keeping a cue, not towards making it strong: red
    by design, they would outweigh the false alarms of the voices."""
    red_groups: dict[str, set] = defaultdict(set)
    extra_red: dict[str, int] = defaultdict(int)
    extra_false: dict[str, int] = defaultdict(int)
    for l in lines:
        if l.kind not in ("chat", "ways") or l.red is None:
            continue
        low = red_p[id(l)] < confirm
        for cid in {c for c, s in l.hits if s == "kept"}:
            if l.red:
                red_groups[cid].add(l.group)
                if l.kind == "chat":
                    extra_red[cid] += low
            elif l.kind != "chat":
                continue
            else:
                extra_false[cid] += low
    tiers = {}
    for cue in RiskRules().red_cues():
        cid = cue.id
        if len(red_groups[cid]) < min_groups:
            tiers[cid] = "drop"
        elif extra_red[cid] > 0 and extra_red[cid] >= k * extra_false[cid]:
            tiers[cid] = "strong"
        else:
            tiers[cid] = "weak"
    return tiers


class CueHit:
    """A stand-in for nlp.risk.Hit built from precomputed (cue id, status) pairs."""
    __slots__ = ("cue", "status", "words")

    def __init__(self, cue, status):
        self.cue, self.status, self.words = cue, status, cue.id[:12]

    @property
    def kept(self):
        return self.status == "kept"
