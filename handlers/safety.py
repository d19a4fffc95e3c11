"""The safety question's answers. When the reading is unsure whether someone is in danger (a
learned score alone never wakes the leader on duty), the resident is asked once; "yes" makes
the report red at once, "no" lets the intake go on, and a question left unanswered puts the
case on the centre's attention list instead of the leader's phone."""
from __future__ import annotations

import re
from typing import Any

from bot.filters import Filter, FilterResult
from bot.message import Message

IN_DANGER = "群众答复：现在有人受伤或有人身危险"
UNANSWERED = "疑似紧急，群众未答复安全问题"

_END = r"[。！!？?~～\s.，,]*"
_YES = re.compile(rf"^\s*(?:有|有的|有人|是|是的|对|嗯|危险|很危险|有危险|有人受伤|受伤了|打起来了|快来|救命|报警|"
                  rf"有人身危险|现在就有|正在打)(?:了|啊|呀)?{_END}$|^\s*(?:有|是|对)[，,。！!\s]|救命|快来人|有人受伤|正在打|"
                  rf"打伤了|流血|"
                  # asking for help now, or afraid: the resident feels in danger, which is what was asked
                  rf"(?:你们|赶紧|快点?|马上)(?:来|过来|派人)|害怕|怕得|有点怕|很怕|好怕|吓死")
_NO = re.compile(rf"^\s*(?:没有|没|没事|没人受伤|没有危险|不危险|安全|都安全|还好|暂时没有|目前没有|现在没有|无|否|"
                 rf"不是|没有人受伤|没那么严重|不用)(?:了|啊|呀|的)?{_END}$")


# a "no" that opens the answer, then whatever the person adds ("没有人受伤 就是吓死我了",
# "那倒没有", "人没事 墙倒了", "没那么严重 就是吵"): the answer is the opening, the rest the story
_NO_LEAD = re.compile(r"^\s*(?:那倒|倒|也|都|暂时|目前|现在|还|应该|基本上?|好像|其实|人倒是?){0,2}"
                      r"(?:没有|没|木有|无|不至于|没那么|不危险|不严重|不用|还好|安全|都安全|都好|平安|不是(?:不是)?[，,\s]*没)"
                      r"|^\s*(?:人|人员|大家|家里人|我们|我|孩子|老人)(?:都|倒|倒是|还|也)?"
                      r"(?:没事|没受伤|好好的|没伤着|没伤到|安全|平安|没危险|没有危险)"
                      # the alarming words were a figure of speech ("口头禅而已", "气话"), or "don't alert"
                      r"|^\s*(?:不是(?:不是)?[，,\s]*)?(?:我)?(?:就是|只是)?(?:口头禅|随口|顺口|说着玩|开玩笑|开个玩笑|气话|说说而已)"
                      r"|^\s*(?:不是(?:不是)?[，,\s]*)?(?:别|不用|不要)(?:通知|惊动|叫|报告)(?:领导|值班|你们领导)")
# the opening clause, and what comes after it
_FIRST_CLAUSE = re.compile(r"^[^，,。.！!？?；;\s]*?(?=[，,。.！!？?；;\s]|但|可是|不过|就是|只是|$)")
# danger told after a "no" ("没有人受伤，但他还拿着刀在门口"): the answer is yes after all
_DANGER_AFTER = re.compile(r"救命|快来|砸门|踹门|撞门|在砸|赶紧来|马上来|拿着?刀|菜刀|刀子|棍子|正在打|还在打|打起来|流血|还在(?:门口|外面|砸|闹|堵)|"
                           r"要杀|砍死|弄死|打死|不让我走|堵着我|关起来|锁起来|要跳|往下跳|喝药|不想活")


# "我说的是砍树 不是砍人": the danger denied, what was meant said
_NOT_A_PERSON = re.compile(r"不是(?:要)?(?:砍|打|杀|伤|冲着|对)(?:人|他|她|谁)")


# not answering, and saying so ("不想说 你们别管我"): asked no more (it was asked again)
REFUSES = re.compile(r"不想说|不想回答|不回答|别问了|不要问了|别管我|不用你们管|不关你们的事|你们别管|懒得说")


def said_besides(text: str) -> str:
    """What a "no" answer adds after its opening ("没有，但是他说今晚还要回来收拾我" → "但是他说今晚
    还要回来收拾我"): more of the story."""
    if not _NO_LEAD.match(text) or _NO.match(text):
        return ""
    first = _FIRST_CLAUSE.match(text.strip())
    return text.strip()[first.end():].strip(" ，,。.！!？?；;") if first else ""


def safety_answer(text: str) -> bool | None:
    """True: someone is hurt or in danger now; False: nobody is; None: not an answer."""
    if _NO.match(text):
        return False
    if _NOT_A_PERSON.search(text) and not _DANGER_AFTER.search(_NOT_A_PERSON.sub("", text)):
        return False
    if _NO_LEAD.match(text):
        first = _FIRST_CLAUSE.match(text.strip())
        rest = text.strip()[first.end():] if first else ""
        return bool(_DANGER_AFTER.search(rest))
    if _YES.search(text):
        return True
    return None


class SafetyAnswered(Filter):
    """The words answer the safety question; hands over `in_danger`."""

    async def __call__(self, message: Message, data: dict[str, Any]) -> FilterResult:
        words = data.get("words")
        answer = safety_answer(words.text) if words is not None else None
        return False if answer is None else {"in_danger": answer}
