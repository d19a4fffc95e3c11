"""Residents' names and phone numbers are personal data: masked everywhere but for the staff
assigned to the case. One set of functions, used by every view: lists, ledger JSON, log lines
(tracebacks and SQL parameters included), group lines and what other residents read."""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from nlp.normalize import simplified_chars
from nlp.parties import person_names
from nlp.slots import SPOKEN_RUN

# digits as people type them: ASCII or full-width
_D = "[0-9０-９]"
_SEP = r"[-\s.·－—–．。、]?"
# a mobile number: +86 / 0086 / (86) first or not, groups split by dashes, spaces or dots
_PHONE = re.compile(rf"(?<![0-9０-９])(?:(?:\+|＋|00|（|\()?[8８][6６][)）]?{_SEP})?"
                    rf"([1１][3-9３-９]{_D}){_SEP}({_D}{{4}}){_SEP}({_D}{{4}})(?![0-9０-９])")
# a landline with its area code
_LANDLINE = re.compile(rf"(?<![0-9０-９])([0０]{_D}{{2,3}}){_SEP}({_D}{{3,4}}){_SEP}?({_D}{{4}})(?![0-9０-９])")
# an identity card number (18 characters, the last may be X)
_ID_CARD = re.compile(rf"(?<![0-9０-９])({_D}{{6}})({_D}{{8}})({_D}{{3}}[0-9０-９xXｘＸ])(?![0-9０-９])")
# the commonest surnames (compound first): what a personal name starts with
_COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "令狐", "宇文", "司徒",
             "夏侯", "端木", "独孤", "南宫", "西门", "百里", "呼延")
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
    "范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞"
    "颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房"
    "滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣"
    "巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅"
    "屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹"
    "诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由")
# words that make a party label a relation or a role, not a person's name ("楼上那家", "邻居", "王老板")
_NOT_A_NAME = re.compile(r"^.家$|邻居|楼上|楼下|隔壁|对门|对面|那家|这家|一家|家里|老板|物业|公司|房东|房客|租客|老公|老婆|"
                         r"丈夫|妻子|儿子|女儿|父亲|母亲|爸|妈|哥|姐|弟|妹|叔|婶|舅|姨|姑|爷|奶|师傅|老师|医生|医院|"
                         r"村委|社区|政府|单位|厂|店|工地|开发商|包工头|司机|对方|某|"
                         # a business is no person ("麻将馆" was masked as 麻**)
                         r"馆|场|站|院|所|公司|超市|诊所|作坊|中心|银行|学校|酒楼|饭庄|农庄")


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; a landline with its area code whole: 0731-****6660 (as free
    text shows it; the contact field read "073****6660", the area code cut)."""
    digits = re.sub(r"\D", "", _ascii_digits(phone))
    if len(digits) < 7:
        return "*" * len(digits)
    if digits[0] == "0" and len(digits) in (11, 12):
        area = 3 if digits[1] in "12" else 4
        return digits[:area] + "-****" + digits[-4:]
    return digits[:3] + "****" + digits[-4:]


def is_person_name(name: str) -> bool:
    """A name a person goes by (张三, 欧阳娜娜), not a relation or a role (楼上那家, 邻居, 物业)."""
    name = name.strip()
    if not 2 <= len(name) <= 4 or not all("\u4e00" <= ch <= "\u9fff" for ch in name) or _NOT_A_NAME.search(name):
        return False
    return name[:2] in _COMPOUND or name[0] in _SURNAMES


def mask_name(name: str) -> str:
    """张三 → 张*; 欧阳娜娜 → 欧阳**; a relation or a role is left as it is (楼上那家)."""
    if not name or not is_person_name(name):
        return name
    keep = 2 if name[:2] in _COMPOUND and len(name) > 2 else 1
    return name[:keep] + "*" * (len(name) - keep)


# a phone number said aloud and written down by voice input ("一三九零七三一…", "幺八六 七三一零…")


def _mask_spoken(m: re.Match[str]) -> str:
    """As for digits: a mobile number keeps its first three and last four, a shorter one
    (a landline) its last four; the digits between become ****."""
    run = m.group(0)
    at = [i for i, c in enumerate(run) if not c.isspace()]
    head = 3 if len(at) >= 11 else 0
    chars = list(run)
    for i in at[head:-4]:
        chars[i] = ""
    return "".join(chars[:at[head]]) + "****" + "".join(chars[at[head]:])


def mask_numbers(text: str) -> str:
    """Mask every phone number and identity card number inside free text (names stay)."""
    if not text:
        return text
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}********{m.group(3)[-1]}", text)
    text = _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)
    return SPOKEN_RUN.sub(_mask_spoken, text)      # the runs nlp.slots reads as digits


_LATIN_NAME = re.compile(r"(?<=叫)\s?([A-Z][a-zA-Z]{1,15})")


def mask_text(text: str, names: Iterable[str] = ()) -> str:
    """Mask every phone number, identity card number and the given names inside free text."""
    if not text:
        return text
    text = mask_numbers(text)
    # names are found in the text simplified character by character (the same length): "老闆孫德旺"
    # and a case's 李建国 written 李建國 are masked where they stand (they were shown in full)
    plain = simplified_chars(text)
    # the names the case holds, and any the words themselves introduce ("我叫王大明", "借钱的是刘二柱"),
    # and full names of the surnames the case's people go by ("楼上那家姓孙": 孙国庆 in a result)
    names = {simplified_chars(n) for n in names if n}
    names |= {*person_names(plain), *surnamed(plain, names)}
    if "叫" in text:        # "叫Tony": a name in letters
        text = _LATIN_NAME.sub(lambda m: m.group(1)[0] + "*" * (len(m.group(1)) - 1), text)
        plain = simplified_chars(text)
    if plain == text:
        for name in sorted({n for n in names if is_person_name(n)}, key=len, reverse=True):
            text = text.replace(name, mask_name(name))
        return text
    chars = list(text)
    for name in sorted({n for n in names if is_person_name(n)}, key=len, reverse=True):
        keep = len(mask_name(name).rstrip("*"))      # the surname stays as written
        at = plain.find(name)
        while at >= 0:
            chars[at + keep:at + len(name)] = "*" * (len(name) - keep)
            at = plain.find(name, at + len(name))
    return "".join(chars)


# how a party's surname is said without the full name: "楼上那家姓孙", "孙家", "老孙", "孙某", "刘老板"
_SURNAME_SAID = re.compile(r"姓(.)|(.)家|老(?![公婆爸妈伴家人板乡表头太爷娘汉])(.)|(.)某|(.)(?:老板|师傅|经理|主任|书记|会计|大爷|大妈|大哥|大姐|阿姨|老师|总)")
# a given name's characters: not a household or a title, nor the words said after a surname
# ("老黄为了院墙", "老吴占了", "老邓说不管" were masked as 黄为了, 吴占了, 邓说不)
_GIVEN_CHAR = r"[\u4e00-\u9fa5](?<![家某姓氏老师总了的着过为说把被给让跟与在是没不也都就还又我你他她们这那哪啥谁里占])"


def surnamed(text: str, names: Iterable[str]) -> set[str]:
    """Three-character names in `text` whose surname is one the case's people go by (staff wrote
    "孙国庆答应…" in a result the reporter of "楼上那家姓孙" was sent in full)."""
    surnames = set()
    for n in names:
        if is_person_name(n):
            surnames.add(n[0])
        surnames.update(c for m in _SURNAME_SAID.finditer(n) for c in m.groups() if c and c in _SURNAMES)
    if not surnames:
        return set()
    rx = re.compile(f"[{''.join(sorted(surnames))}]{_GIVEN_CHAR}{_GIVEN_CHAR}")
    known = tuple(n for n in names if is_person_name(n))
    # "张三说": a known name and the next word, not another name
    return {m.group(0) for m in rx.finditer(text) if is_person_name(m.group(0)) and not m.group(0).startswith(known)}


def mask_party(name: str, names: Iterable[str] = ()) -> str:
    """A party as written ("王强", "同组的赵老四", "表哥叫陈大军"): a name alone masked as a name,
    a name inside words masked where it stands, a relation or a role left as it is."""
    return mask_name(name) if is_person_name(name) else mask_text(name, names)


def names_of(case: Any) -> tuple[str, ...]:
    """The personal names a case holds (its reporter's and its parties'), to mask in its texts, and
    the surnames its report names people by ("楼上那家姓孙" as 姓孙: no name to mask, but a full
    name of that surname in a staff note is one)."""
    parties = getattr(case, "parties", None) or []
    said = {f"姓{c}" for m in _SURNAME_SAID.finditer(getattr(case, "description", "") or "")
            for c in m.groups() if c and c in _SURNAMES}
    return tuple(n for n in [getattr(case, "reporter_name", "")] + [p.get("name", "") for p in parties
                                                                   if isinstance(p, dict)] if n) + tuple(sorted(said))


def mask_data(value: Any, names: Iterable[str] = ()) -> Any:
    """`mask_text` through a JSON value (a ledger event's data), keys left alone."""
    names = tuple(names)
    if isinstance(value, str):
        return mask_text(value, names)
    if isinstance(value, dict):
        return {k: mask_data(v, names) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_data(v, names) for v in value]
    return value


# the secrets in a mediation invitation and a document link (bot/mediation.py): kept out of the
# ledger, which many read for years, while the token works
_SECRETS = re.compile(r"(invite=|邀请码\s*[:：]?\s*|/mediation/documents/|/mediation/invite/)([A-Za-z0-9]{8,64})")


def redact_secrets(text: str) -> str:
    """'…?invite=K7M2X9QH4P' → '…?invite=K7…'; the same for a typed 邀请码 and a document link."""
    return _SECRETS.sub(lambda m: m.group(1) + m.group(2)[:2] + "…", text) if text else text


def _ascii_digits(text: str) -> str:
    return text.translate({0xFF10 + i: 0x30 + i for i in range(10)})


class MaskingFormatter(logging.Formatter):
    """Last line of defence: no phone number reaches a log file, whoever wrote the line —
    tracebacks and a database error's parameters included (masked after formatting)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


class MaskingFilter(logging.Filter):
    """For handlers we do not format (pytest's capture): the message itself is masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        masked = mask_text(msg)
        if masked != msg:
            record.msg, record.args = masked, None
        return True
