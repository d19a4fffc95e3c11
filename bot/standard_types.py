"""The fifteen types of the people's mediation statistics (人民调解纠纷统计), in the order in which
justice bureaus report them, and which of our dispute types each one counts.

Source of the list and its order: the monthly statistics that justice bureaus publish, e.g.
黄石市司法局《我市八月份矛盾纠纷排查化解工作要情》(2016-09): 婚姻家庭、邻里、房屋宅基地、
合同、生产经营、损害赔偿、山林土地、征地拆迁、环境污染、劳动争议、消费、医疗、道路交通事故、
物业、其它 — fifteen, with 其它 last (DOMAIN.md: "a similar list with 其他 as the last type").

Our sixteen types are the same list with one more: debts and loans (债务借贷), which the
statistics have no line for. A loan between people is a loan contract (借款合同, Civil Code
book three), so its cases are counted under 合同纠纷; nothing else is merged or split.
"""
from __future__ import annotations

STANDARD_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("婚姻家庭纠纷", ("marriage_family",)),
    ("邻里纠纷", ("neighbour",)),
    ("房屋宅基地纠纷", ("homestead_housing",)),
    ("合同纠纷", ("contract", "debt")),
    ("生产经营纠纷", ("business",)),
    ("损害赔偿纠纷", ("damages",)),
    ("山林土地纠纷", ("land_forest",)),
    ("征地拆迁纠纷", ("land_acquisition",)),
    ("环境污染纠纷", ("environment",)),
    ("劳动争议纠纷", ("labour",)),
    ("消费纠纷", ("consumer",)),
    ("医疗纠纷", ("medical",)),
    ("道路交通事故纠纷", ("traffic",)),
    ("物业纠纷", ("property_mgmt",)),
    ("其他纠纷", ("other",)),
)

