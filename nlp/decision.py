"""The decision stage: from what was found in a text to its type and its colour, in one
place, configured by one data file (nlp/data/decision.yaml).

Type: the learned model's most probable label (16 types and `none`). A reading that came
out `none` is a dispute all the same when the text names one: it holds a taxonomy term of
the tier that names a type (`named_over_none`: 工伤, 抚养费, 宅基地, 物业费) and none of
none's strongest words (`named_unless`: asking about a case, thanks, adverts; a greeting is not one);
it takes the most probable of the named types. A text that reads as news is `none` whatever
it names (`news_min`: the headline shape, RiskRules.voiceless, and a learned headline score of
at least this, nlp/headline.py: "南邵镇政府强拆民房被判违法"). Either way, a reading with a
red-reason cue (red, or not sure) is a dispute: the best type when it is likely enough,
otherwise `other`.

Colour:
  red     a kept cue of a red reason (violence, self-harm, gathering, danger) whose tier is
          `strong`; or a kept `weak` cue when the learned red reading is at least `confirm`.
          The reasons name the cue's words. A learned score alone never makes red.
  yellow  any other cue: yellow cues (heated, repeated, many people, the vulnerable),
          large sums and many people, and red cues that the words around them changed
          (past, near miss, taken back, fear) or that are weak and not confirmed.
  green   nothing of the above.
The safety question (`ask_safety`) is asked when the reading is not red and either a
kept weak cue or a `fear` cue was found and the learned red reading is at least
`ask_weak`, or no red cue was found at all and the learned red reading is at least
`ask_none` — never when the rules set a red cue aside on purpose (negated, a joke, a
report of something elsewhere, an accident).

Every number here is chosen by leave-one-author-out validation (`python -m nlp.train`),
never on a blind set; the cue tiers too (`tiers`: a cue that the reports of fewer than
two authors need is dropped, one that is right often enough alone is strong).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nlp.features import TERM
from nlp.files import load_yaml
from nlp.reading import NOT_A_DISPUTE
from nlp.risk import RED_REASONS, Hit, reason_text

DATA_DIR = Path(__file__).with_name("data")
_ORDER = {"red": 2, "yellow": 1, "green": 0}


@dataclass(frozen=True)
class Colour:
    colour: str
    reasons: tuple[str, ...]
    cues: tuple[str, ...]            # the words of the red (or yellow) cues
    keys: tuple[str, ...]            # reason keys
    ask_safety: bool = False
    set_aside: tuple[str, ...] = ()  # red cues set aside on purpose (negated, joke, report, accident)


class Decision:
    def __init__(self, path: str | Path | None = None, *, data: dict | None = None):
        if data is None:
            data = load_yaml(Path(path) if path else DATA_DIR / "decision.yaml")
        col = data.get("colour") or {}
        self.confirm = float(col.get("confirm", 1.01))
        self.ask_weak = float(col.get("ask_weak", 1.01))
        self.ask_none = float(col.get("ask_none", 1.01))
        # the headline test's threshold (nlp/headline.py); the risk rules apply it
        self.headline_min = float(col.get("headline_min", 1.01))
        self.effects: dict[str, str] = {str(k): str(v) for k, v in (col.get("modifiers") or {}).items()}
        self.tiers: dict[str, str] = {str(k): str(v) for k, v in (data.get("tiers") or {}).items()}
        self.default_tier = str(col.get("default_tier", "weak"))
        typ = data.get("type") or {}
        self.red_type_min = float(typ.get("red_type_min", 0.3))
        self.named_tier = str(typ.get("named_over_none") or "")
        self.named_unless = str(typ.get("named_unless") or "")
        # a text in the headline shape (RiskRules.voiceless) whose headline score is at
        # least this is `none`: a news title pasted or forwarded
        self.news_min = float(typ.get("news_min", 1.01))

    def is_news(self, voiceless: Callable[[], bool], score: Callable[[], float]) -> bool:
        """Whether a text reads as news (both asked only when the setting is on)."""
        return self.news_min <= 1.0 and voiceless() and score() >= self.news_min

    def tier(self, cue_id: str) -> str:
        return self.tiers.get(cue_id, self.default_tier)

    # -- colour ----------------------------------------------------------------------
    def colour(self, hits: Sequence[Hit], red_p: float | None, size: Sequence[tuple[str, str]] = ()) -> Colour:
        if not hits and not size:
            # nothing found: green, and the question only when the learned reading is high
            return Colour("green", (), (), (), red_p is not None and red_p >= self.ask_none)
        red: dict[str, list[str]] = {}
        yellow: dict[tuple[str, str], list[str]] = {}
        aside: list[str] = []
        weak: dict[str, list[str]] = {}
        fear = False
        any_red_cue = False
        p = -1.0 if red_p is None else red_p
        for h in hits:
            cue = h.cue
            if cue.colour != "red":
                if h.kept:
                    yellow.setdefault((cue.reason, ""), []).append(h.words)
                continue
            tier = self.tier(cue.id)
            if tier == "drop":
                continue
            any_red_cue = True
            effect = "keep" if h.kept else self.effects.get(h.status, "drop")
            if effect == "keep":
                if tier == "strong":
                    red.setdefault(cue.reason, []).append(h.words)
                else:
                    weak.setdefault(cue.reason, []).append(h.words)
            elif effect == "ask":
                fear = True
                yellow.setdefault((cue.reason, h.status), []).append(h.words)
            elif effect == "yellow":
                yellow.setdefault((cue.reason, h.status), []).append(h.words)
            else:
                aside.append(h.words)
        if weak and p >= self.confirm:
            for reason, words in weak.items():
                red.setdefault(reason, []).extend(words)
            weak = {}
        for reason, words in weak.items():
            yellow.setdefault((reason, ""), []).extend(words)
        for reason, words in size:
            # the number read ("15人") only when no words of the text say it already ("十几个"): a
            # reason quotes what was said
            said = yellow.setdefault((reason, ""), [])
            if not said:
                said.append(words)
        ask = False
        if not red:
            if (weak or fear) and p >= self.ask_weak:
                ask = True
            elif not any_red_cue and not aside and p >= self.ask_none:
                ask = True
        yel = [(k, s, ws) for (k, s), ws in yellow.items()]
        yel.sort(key=lambda x: (x[0] not in RED_REASONS, list(yellow).index((x[0], x[1]))))
        if red:
            reasons = tuple(reason_text(k, ws) for k, ws in red.items()) + tuple(
                reason_text(k, ws, status=s) for k, s, ws in yel if k not in red)
            cues = tuple(dict.fromkeys(w for ws in red.values() for w in ws))
            return Colour("red", reasons, cues, tuple(red) + tuple(dict.fromkeys(k for k, _, _ in yel)), False,
                          tuple(dict.fromkeys(aside)))
        if yel:
            return Colour("yellow", tuple(reason_text(k, ws, status=s) for k, s, ws in yel),
                          tuple(dict.fromkeys(w for _, _, ws in yel for w in ws)),
                          tuple(dict.fromkeys(k for k, _, _ in yel)), ask, tuple(dict.fromkeys(aside)))
        return Colour("green", (), (), (), ask, tuple(dict.fromkeys(aside)))

    # -- type ------------------------------------------------------------------------
    def named_types(self, features: Iterable[str]) -> tuple[str, ...]:
        """The dispute types whose naming terms (taxonomy tier `named_over_none`) are among a
        text's features, in the order found; none at all when the text also holds one of
        none's strongest words (`named_unless`, e.g. none:5)."""
        if not self.named_tier:
            return ()
        out: list[str] = []
        for f in features:
            if not f.startswith(TERM):
                continue
            key = f[len(TERM):]
            if key == self.named_unless:
                return ()
            label, _, tier = key.rpartition(":")
            if tier == self.named_tier and label != NOT_A_DISPUTE and label not in out:
                out.append(label)
        return tuple(out)

    def type_over_none(self, features: Iterable[str], score: Callable[[str], float]) -> str | None:
        """The type a `none` reading yields to: the best by `score` (the model's margin or
        probability) of the types the text names, or None."""
        named = self.named_types(features)
        return max(named, key=score) if named else None

    def red_type(self, ranked: Sequence[tuple[str, float]]) -> str:
        """The type of a reading the model read as `none` although a red-reason cue was
        found (violence, self-harm, a gathering, danger: a dispute even without a type
        word): the best dispute type when likely enough, else `other`."""
        for label, p in ranked:
            if label != NOT_A_DISPUTE:
                return label if p >= self.red_type_min else "other"
        return "other"
