"""What the understanding layer hands to the rest of jiefen: one `Reading` per text.

This is the contract between `nlp/` and the handlers; keep it stable and channel-free.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from storage.lifecycle import CASE_TYPES

DISPUTE_TYPES: tuple[str, ...] = CASE_TYPES     # one list: the cases' own (storage/lifecycle.py)
NOT_A_DISPUTE = "none"
RISK_COLOURS: tuple[str, ...] = ("green", "yellow", "red")

TYPE_NAMES: dict[str, str] = {
    "marriage_family": "婚姻家庭", "neighbour": "邻里纠纷", "homestead_housing": "宅基地和房屋",
    "land_forest": "土地山林权属", "land_acquisition": "征地拆迁", "contract": "合同纠纷",
    "debt": "债务借贷", "business": "生产经营", "damages": "损害赔偿", "environment": "环境污染",
    "labour": "劳动争议", "medical": "医疗纠纷", "traffic": "交通事故", "property_mgmt": "物业纠纷",
    "consumer": "消费纠纷", "other": "其他纠纷", "none": "非纠纷",
}
RISK_NAMES: dict[str, str] = {"green": "绿色", "yellow": "黄色", "red": "红色"}


@dataclass(frozen=True)
class PlaceRef:
    """A registry place as the understanding layer needs it."""
    code: str
    name: str
    level: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlaceMatch:
    code: str
    name: str
    score: float          # 0..100, rapidfuzz scale
    matched: str          # the words of the text that matched


@dataclass(frozen=True)
class Reading:
    text: str                                   # the normalised text
    type: str                                   # a DISPUTE_TYPES code or NOT_A_DISPUTE
    confidence: float                           # 0..1
    runner_up: str | None = None
    evidence: tuple[str, ...] = ()              # the words that decided the type
    risk: str = "green"
    # one per reason, naming the words behind it: '暴力或暴力威胁：“弄死他”'. Red always has
    # an explicit rule reason (violence, self-harm, a gathering or petition, a person in
    # danger now); a learned score never makes a reading red on its own
    risk_reasons: tuple[str, ...] = ()
    # True when the reading is unsure whether someone is in danger (not red, but the text
    # reads like the urgent reports): the bot asks the resident one safety question
    ask_safety: bool = False
    places: tuple[PlaceMatch, ...] = ()         # best first
    phones: tuple[str, ...] = ()                # the writer's numbers, digits only, e.g. "13812345678"
    other_phones: tuple[str, ...] = ()          # numbers given as someone else's ("他电话是…")
    money: tuple[float, ...] = ()               # sums in yuan
    people: int | None = None                   # number of people involved, when said
    dates: tuple[str, ...] = ()                 # date expressions as written
    model_version: str = ""                     # which vocabulary and model read it (Understanding.model_version)
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def is_dispute(self) -> bool:
        return self.type != NOT_A_DISPUTE
