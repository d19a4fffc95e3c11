"""A field of the report named and given its new value ("对方叫刘建国", "老板姓陈", "类型不对
应该是债务", "电话最后一位是8不是9"): which field, and the value, for the draft or the open case."""
from __future__ import annotations

import re

from nlp.parties import looks_like_a_name

# a field named and given a new value while the report is drafted: "对方是合伙人陈刚",
# "改一下对方：陈刚", "类型不对 应该是债务" (the value is short and is not more of the story)
_PARTY_EDIT = re.compile(r"^\s*对方(?:(?:说|写)?错了|不对|不是[^，,。！？!?；;\s]{1,8})?"
                         r"(?:[，,\s]*不是[^，,。！？!?；;\s]{1,8})?[，,\s]*(?:应该|其实)?"
                         r"(?:是|叫|改成|改为|换成|[:：])\s*(?!谁|个|一个)([^，,。！？!?；;]{1,14}?)[。.!！]?$")
_TYPE_EDIT = re.compile(r"^\s*(?:纠纷)?类型(?:不对|错了|选错了)?[，,\s]*(?:应该|其实)?(?:是|改成|改为|换成|选|[:：])\s*"
                        r"([^，,。！？!?；;]{1,10}?)(?:纠纷|的事|吧)?[。.!！]?$")
# what residents call the types (TYPE_NAMES, and the words they use for them)
_TYPE_WORDS = (("debt", "债务|借贷|借钱|欠钱|欠款"), ("labour", "劳动|工资|工伤|欠薪"), ("neighbour", "邻里|邻居"),
               ("marriage_family", "婚姻|家庭|离婚|赡养|抚养"), ("property_mgmt", "物业"),
               ("consumer", "消费|买东西|退货|退款"), ("contract", "合同"), ("homestead_housing", "宅基地|房屋|房子"),
               ("land_forest", "土地|山林|承包地|林地"), ("land_acquisition", "征地|拆迁"),
               ("business", "生产|经营|生意|合伙"), ("damages", "损害|赔偿"), ("environment", "环境|污染|噪音"),
               ("medical", "医疗|医院|看病"), ("traffic", "交通|车祸|撞车"), ("other", "其他|别的"))


# "老板姓陈", "对方姓刘": the surname of the party, or of a role that is one ("对方", "他": the party
# already named; a role word: that role)
_SURNAME_TOLD = re.compile(r"^\s*(对方|他|她|那人|那个人|([\u4e00-\u9fa5]{1,4}?))(?:的)?姓([\u4e00-\u9fa5])(?:的)?[。.!！，,\s]*$")
_ROLES = re.compile(r"老板|房东|房客|租客|包工头|工头|司机|车主|店主|老板娘|邻居|经理|医生|村干部|组长|会计|合伙人|"
                    # the neighbours as the report named them ("楼上那家姓孙"), and the village's people
                    r"(?:楼上|楼下|隔壁|对门|对面|后面|前面)?(?:那家|那户|那个人|那人)?|村主任|村长|书记|主任|队长|业主")
# "包工头姓周 叫周大发", "老李叫李富贵", "对方叫刘建国": the party's whole name, told later
_NAME_TOLD = re.compile(r"^\s*(对方|他|她|老[\u4e00-\u9fa5]|[\u4e00-\u9fa5]{1,6}?)(?:的)?(?:姓[\u4e00-\u9fa5])?[，,\s]*"
                        r"(?:全名|名字)?叫([\u4e00-\u9fa5]{2,4})[。.!！]?$")


# "电话最后一位是8不是9": one digit of the number mistyped
_LAST_DIGIT = re.compile(r"^\s*(?:我的)?(?:电话号码|手机号码?|电话|号码|手机)?(?:号码)?(?:(?:错了|不对|写错了|打错了|说错了)[，,\s]*)?"
                         r"的?(?:(?:最后|末)(?:一|1)位(?:数字|数)?|尾号|尾数)"
                         r"(?:应该|应当)?(?:是|为|改成)\s*([0-9零〇一二三四五六七八九])(?![0-9零〇一二三四五六七八九])")
_DIGIT = {**{str(d): str(d) for d in range(10)}, "零": "0", "〇": "0", "一": "1", "二": "2", "三": "3", "四": "4",
          "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}


def said_after_type(text: str) -> str:
    """What follows the type in a type correction ("类型不对 应该是婚姻家庭 他是我前夫" → "他是我前夫")."""
    m = _TYPE_EDIT.match(text)
    parts = m.group(1).split(maxsplit=1) if m else []
    return parts[1] if len(parts) == 2 else ""


def field_edit(text: str) -> tuple[str, str] | None:
    """("party", name), ("surname", 陈), ("type", code) or ("last_digit", 8) for a message that
    names a field of the report and gives its new value; None otherwise."""
    m = _LAST_DIGIT.match(text)
    if m:
        return "last_digit", _DIGIT[m.group(1)]
    m = _SURNAME_TOLD.match(text)
    if m and (m.group(2) is None or _ROLES.fullmatch(m.group(2))):
        return ("surname", m.group(3)) if m.group(2) is None else ("party", f"{m.group(2)}（姓{m.group(3)}）")
    m = _NAME_TOLD.match(text)
    if m and not _PARTY_EDIT.match(text):
        who, name = m.group(1), m.group(2)
        plain = who in ("对方", "他", "她") or (who.startswith("老") and len(who) == 2)    # the name alone
        if looks_like_a_name(name) and (plain or _ROLES.fullmatch(who)):
            return ("party", name if plain else f"{who}{name}")
    m = _PARTY_EDIT.match(text)
    if m:
        # "对方是隔壁老张我是老王": what follows 我是 is who the writer is
        said = re.split(r"(?:我|俺)(?:是|叫|姓)", m.group(1))[0]
        value = re.sub(r"\s*叫\s*|\s+", "", said)
        return ("party", value) if value else None
    m = _TYPE_EDIT.match(text)
    if m:
        value = m.group(1)
        for code, words in _TYPE_WORDS:
            if re.search(words, value):
                return "type", code
    return None
