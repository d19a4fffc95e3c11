"""Whether a negation governs a cue: a negation word just before it in its clause ("不会动手的"),
unless it is no negation there (不如, 受不了, 腿脚不好), is doubled ("不会不管", "不砍死一个不走"),
or is the condition of a threat ("不还钱就卸他一条腿")."""
from __future__ import annotations

import re
from collections.abc import Iterable

from nlp.clauses import CLAUSE_BREAK

# a negation right before a cue is cancelled when followed by these ("不会不管" = will)
_DOUBLE_NEG = ("不会不", "不能不", "没有不", "不得不")
# "不砍死一个不走", "不弄死他不算完": not leaving until the act is done, the act is meant
_NOT_UNTIL = re.compile(r"不[^，。！？\s不]{1,8}不(走|罢休|算完|收手|回去|离开|停手|甘心|行)")
# words that turn "negation ... cue" into "if not ..., then cue"
_CONDITIONAL = re.compile(r"就|便|的话|否则|要不|我也|我就|才")
# "不" / "没" / "别" / "未" that deny nothing: fixed words (不如, 别人, 未成年; 没了 is "gone", the
# end of what was lost, in voice input run on into the next clause: "钱没了活着也没意思了") and the
# potential complement of a verb (受不了, 出不来, 活不下去, 找不到): "我不如喝药死了算了",
# "受不了了要跳河" must not cancel the cue that follows
_NON_NEG_WORD = re.compile(r"不(要|如|然|管|停|断|少|仅|光|但|止|久|料|知|得了|得不|好(?!好)|便|灵便|利索)|恨不得|巴不得|恨不能|要不是|别(人|的|处|家|墅)|"
                           r"(特|区|告|分|离|级|性|类|派|识|辨|鉴|判)别|未(成年|来|满|婚)|没(完|准|事|了)")
_SUBJECTS = frozenset("我你他她俺")
_COMPLEMENT = set("了来去下上起住到回动开完清成过出着见通掉走够")
_NOT_ADVERB = set("我你他她们也都就还再可又才并绝决从永万一人谁要会能敢想肯愿是这那")


def _not_a_negation(text: str, k: int, neg: str) -> bool:
    seg = text[max(0, k - 2):k + len(neg) + 2]
    j = k - max(0, k - 2)
    for m in _NON_NEG_WORD.finditer(seg):
        if m.start() <= j < m.end():
            return True
    if neg == "不" and 0 < k and k + 1 < len(text):
        prev, nxt = text[k - 1], text[k + 1]
        if nxt in _COMPLEMENT and "\u4e00" <= prev <= "\u9fff" and prev not in _NOT_ADVERB:
            return True  # 受不了, 出不来, 回不去, 活不下去
    return False


class Negation:
    """The negation words of risk.yaml, longest first, and how far before a cue they reach."""

    def __init__(self, words: Iterable[str], window: int = 5):
        self.negations = tuple(sorted((str(n) for n in words), key=len, reverse=True))
        self.chars = frozenset("".join(self.negations))
        self.window = window

    def __call__(self, text: str, start: int, cue: str) -> bool:
        if cue[:1] in ("不", "没", "别"):  # the cue carries its own negation (不想活)
            before = text[max(0, start - 3):start]
            return before.endswith(("不是", "没说", "不会"))
        lo = max(0, start - self.window)
        ctx = text[lo:start]
        m = None
        for br in CLAUSE_BREAK.finditer(ctx):
            m = br
        if m is not None:
            lo += m.end()
            ctx = ctx[m.end():]
        if not ctx or self.chars.isdisjoint(ctx):
            return False
        for neg in self.negations:
            k = ctx.rfind(neg)
            while k >= 0 and _not_a_negation(text, lo + k, neg):
                k = ctx.rfind(neg, 0, k)
            if k >= 0 and len(ctx) - (k + len(neg)) > 2:
                # "没脸见人要去死": a negation governs the next word or two, not a clause
                k = -1
            if k >= 0:
                tail = ctx[k:]
                if any(tail.startswith(d) for d in _DOUBLE_NEG) or _NOT_UNTIL.match(text, lo + k):
                    return False
                if _CONDITIONAL.search(tail[len(neg):] + cue[:2]) or (cue[:1] == "连" and tail[len(neg):]):
                    # "不还钱就卸他一条腿", "不给钱我就跳下去", "再不起来连人一起碾": the negation
                    # is the condition, the threat stands ("不会连人一起撞" is still denied)
                    return False
                if tail[len(neg):] and cue[:1] in _SUBJECTS:
                    # "说不还钱我的腿打断": a new subject after the negated verb, the condition
                    # said without 就 (second-language and sign-language writers)
                    return False
                return True
        return False
