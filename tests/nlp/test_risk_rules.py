"""Risk rules added for generalisation: semantic cue categories, conditional negation,
accident exceptions, and the first-character pre-filter (which must change nothing)."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.scanner import candidates_index, first_chars


@pytest.mark.parametrize("text", [
    "不还钱就卸你一条腿",                 # negation is the condition, the threat stands
    "再不给工钱我就从厂房上跳下去",
    "刀我已经磨好了",
    "他扛着猎枪说谁来就崩了谁",
    "我把农药都准备好了",
    "活着还有什么意思",
    "我一个人坐在水库边上",
    "我们三十几个工人明天去公司堵门",
    "一家人跪在医院门口要说法",
    "人倒在地上口吐白沫",
    "我妈被锁在屋里出不来",
    "小孩被几个陌生人拖上面包车",
])
def test_red_categories(u, text):
    r = u.read(text)
    assert r.risk == "red", (text, r.risk_reasons)


@pytest.mark.parametrize("text", [
    "邻居烧秸秆火星飘过来把我家柴房烧了",  # an accident, not arson
    "集上买的菜刀没用两天就卷刃了",
    "隔壁厂的汽油味太重",
    "小区下水道堵了一个礼拜",
    "我没有跟他打起来，就是吵了两句",
    "他拼了命挣钱给家里盖房",
    "这个政策一刀切不合理",
    "欠钱的人找不到了电话也拉黑了",
    "臭得要命",
])
def test_not_red(u, text):
    r = u.read(text)
    assert r.risk != "red", (text, r.risk_reasons, r.extra)


def test_first_chars():
    assert first_chars("(拿|提)(着)?刀") == frozenset("拿提")
    assert first_chars("(着)?刀") == frozenset("着刀")
    assert first_chars(r"\d+元") is None       # categories: no filter, always tried
    assert first_chars("(?:a)?") is None         # can match empty


PATTERNS = [r"(拿|提|举)(着|起)?(刀|锄头)", r"(十几|几十|\d{2,})个?人.{0,6}(去|堵)", "不想活|活着没意思",
            r"(?<!不)打(死|伤)", "跳(楼|河)", r"^(你好|在吗)$", "[丁-七]+x"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("拿提举着起刀锄头十几个人去堵不想活着没意思打死伤跳楼河你好在吗丁七万丈x0123 ")), max_size=30))
def test_prefilter_is_exact(text):
    cand = set(candidates_index(PATTERNS)(text))
    for i, p in enumerate(PATTERNS):
        if re.search(p, text):
            assert i in cand, (p, text)
