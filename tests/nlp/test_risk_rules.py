"""Risk rules added for generalisation: semantic cue categories, conditional negation,
accident exceptions, and the first-character pre-filter (which must change nothing)."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.alternatives import AlternativesIndex, top_branches
from nlp.prefilter import candidates_index, first_chars


@pytest.mark.parametrize("text", [
    "不还钱就卸你一条腿",                 # negation is the condition, the threat stands
    "再不给工钱我就从厂房上跳下去",
    "刀我已经磨好了",
    "他扛着猎枪说谁来就崩了谁",
    "我把农药都准备好了",
    "活着还有什么意思",
    "我一个人坐在水库边上",
    "我们三十几个工人明天去公司堵门",
    "人倒在地上口吐白沫",
    "我妈被锁在屋里出不来",
    "小孩被几个陌生人拖上面包车",
])
def test_red_categories(u, text):
    r = u.read(text)
    assert r.risk == "red", (text, r.risk_reasons)


@pytest.mark.parametrize("text", ["一家人跪在医院门口要说法", "一家人跪在医院门口讨说法"])
def test_a_petition_at_a_gate_is_red_or_asked(u, text):
    """A gathering cue is weak (nlp/data/decision.yaml: the labelled sets hold non-red lines it
    matches): red when the learned reading agrees, else the safety question. The first line sat
    at the edge (red probability 0.126 with the model of round 20, 0.094 with round 21's)."""
    r = u.read(text)
    assert r.risk == "red" or r.ask_safety, (text, r.risk, r.risk_reasons)
    assert any(k.startswith("聚集或上访苗头") for k in r.risk_reasons), r.risk_reasons


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
@given(st.text(alphabet=st.sampled_from(list("拿提举着起刀锄头十几个人去堵不想活着没意思打死伤跳楼河你好在吗丁七万丈x0123 ")),
               max_size=30))
def test_prefilter_is_exact(text):
    cand = set(candidates_index(PATTERNS)(text))
    for i, p in enumerate(PATTERNS):
        if re.search(p, text):
            assert i in cand, (p, text)


# -- round 3 -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "我还不如喝药算了",                     # 不如 is no negation
    "实在受不了了 想去跳江",                 # 受不了: a complement, not a negation
    "求求你们别让他打我妈了",                 # a plea, not a denial
    "活着还有啥用 拖累孩子",
    "我把自己锁在房间里 不想再醒了",
    "我弟被人砸晕了 现在还没醒",
    "业主们在微信群里约好了明天一起去堵售楼部",
    "我们全组明天一起去县政府讨个说法",
    "拆迁队半夜带着挖机把房子推倒了 我爸还在里面",
    "他掐着我脖子 我逃出来了不敢回家",      # the victim who does not dare go home
])
def test_round3_red(u, text):
    r = u.read(text)
    assert r.risk == "red", (text, r.risk_reasons, r.extra)


@pytest.mark.parametrize("text", [
    # threats and beatings told without means, immediacy or injury: the newest authors
    # (written like real intake) mark these yellow, the older ones red; the reading is red
    # when its learned half confirms the weak cue, and asks the safety question otherwise
    "别人家的狗咬了我 他还打我",             # 别人: no negation
    "你给我等着 我饶不了你",
    "两伙人在工地上打成一团",
    "我要去见我老伴了 你们照顾好自己",
    "楼下那家的老太太倒在楼梯口 半天没人管",
    "她老公把她揍了一顿 眼睛都打肿了",
    "我一个人在家 有人在撬窗户",
    # fire, gas and water became a weak cue with 23 authors: products that caught fire
    # once, told in complaints (w11, w12), outnumber the reds it alone finds
    "孩子掉进池塘里了",
    # a threat on one's life without a weapon word: life_threat went weak with round 30
    # (among its lines the learned reading would not confirm, 3 red to 2 quarrels' threats
    # "谁敢动房子就跟谁拼命"), and the learned reading of this one is low (0.003)
    "他说过两天要来要我的命",
    # a declared threat ("放话") of not leaving the village, without means or a time: of the
    # 18 declared threats in the sets that a weak cue reads, 16 are labelled yellow; the learned
    # reading put this one at 0.086 before rounds 69-70 were trained on and at 0.068 after,
    # either side of the weak cues' 0.07
    "那个人放话说让我出不了这个村",
])
def test_red_or_safety_question(u, text):
    r = u.read(text)
    assert r.risk == "red" or r.ask_safety, (text, r.risk, r.risk_reasons, r.extra)


@pytest.mark.parametrize("text", [
    "镇上那个厂臭得要命",
    "邻居把建筑垃圾倒在我家田边上",
    "美容院打的针 脸都肿了",
    "他家雇人砍了我家山上十几棵杉树",
    "修围墙的时候他家的树倒了压坏了我家车棚",
    "明天大家一起去镇政府开会 别迟到",
    "包工头拿了钱人不见了",
    "我不会动手的 请你们来评评理",
])
def test_round3_not_red(u, text):
    r = u.read(text)
    assert r.risk != "red", (text, r.risk_reasons, r.extra)


def test_required_chars():
    from nlp.prefilter import required_chars
    assert required_chars("(要|让)(你|他)的?命") == frozenset("命")
    assert required_chars("(拿|提)(着)?刀") == frozenset("刀")
    assert required_chars("a?") is None
    assert required_chars(r"\d+元") == frozenset("元")
    assert required_chars(r"\d+") is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("拿提举着起刀锄头十几个人去堵不想活着没意思打死伤跳楼河你好在吗丁七万丈x0123 要让命的元")),
               max_size=30))
def test_required_chars_prefilter_is_exact(text):
    pats = PATTERNS + [r"(要|让)(你|他)的?命", r"\d+元", r"(?<=[要让])命|命(?=的)"]
    cand = set(candidates_index(pats)(text))
    run = dict(AlternativesIndex(pats)(text))
    for i, p in enumerate(pats):
        found = [m.span() for m in re.finditer(p, text)]
        if found:
            assert i in cand, (p, text)
            assert found == [m.span() for m in run[i](text)], (p, text)


# every labelled text (about 91,000) under every cue and type regex, plain and guarded: 244 s on
# one idle core in session 53, more beside another worker; it grows with the sets
@pytest.mark.timeout(900)
def test_risk_patterns_prefilter_exact_on_sets(u):
    """Every risk and type regex that matches a labelled text is among the candidates, its
    guarded form (nlp.prefilter.guarded) finds the same matches, and so does the regex of
    only the alternatives that can match the text (nlp.prefilter.AlternativesIndex)."""
    import re as _re

    from nlp.evaluate import load_tsv, parts
    ra, lx = u.rules, u.lexicon
    plain_r = [_re.compile(p) for p in ra.sources]
    plain_l = [_re.compile(p) for p in lx.sources]
    split = sum(len(bs) > 1 for bs in ra.alternatives.branches)
    assert split >= len(plain_r) // 2, split       # most cues are alternations
    narrowed = 0
    for p in parts()["all"]:
        for _, _, t in load_tsv(p):
            n = ra.blank_benign(u._normalize(t))
            run = dict(ra.alternatives(n))
            narrowed += sum(getattr(f, "__self__", None) is not ra.patterns[i].rx for i, f in run.items())
            for i, rx in enumerate(plain_r):
                found = [m.span() for m in rx.finditer(n)]
                if found:
                    assert i in run, (rx.pattern, n)
                    assert found == [m.span() for m in run[i](n)], (rx.pattern, n)
                assert found == [m.span() for m in ra.patterns[i].rx.finditer(n)], rx.pattern
            ck = set(lx._pindex(n))
            for i, rx in enumerate(plain_l):
                if rx.search(n):
                    assert i in ck, (rx.pattern, n)
    assert narrowed > 0      # the narrowed regexes were run, and found what the whole ones find


@pytest.mark.parametrize("pattern, branches", [
    ("a|b(c|d)|e", ["a", "b(c|d)", "e"]),
    ("[|]x|y", ["[|]x", "y"]),                   # a bar in a class
    ("[]|]x|y", ["[]|]x", "y"]),                 # a ']' first in a class is a character
    (r"a\|b|c", [r"a\|b", "c"]),               # an escaped bar
    ("(?i)a|b", ["(?i)a|b"]),                    # inline flags: kept whole
    ("(?<=[，。])(a|b)", ["(?<=[，。])(a|b)"]),   # no top-level alternation
])
def test_top_branches(pattern, branches):
    assert top_branches(pattern) == branches


# -- required pairs (nlp.prefilter.required_grams) --------------------------------------

@pytest.mark.parametrize("pattern, grams", [
    ("(拿|提)(着)?刀", {"拿刀", "提刀", "着刀"}),      # 着刀 covers both 拿着刀 and 提着刀
    ("(要|让)(你|他)的?命", {"你命", "他命", "的命"}),
    (r"(?<!不)打(死|伤)", {"打死", "打伤"}),           # a look-behind holds no character
    ("跳(楼|河)|不想活", {"跳楼", "跳河", "想活"}),
    (r"\d+元", {"元"}),                                  # no pair without the digits: a character
    (r"(十几|几十|\d{2,})个?人.{0,6}(去|堵)", {"人"}),
    ("[丁-七]+x", {"x"}),
])
def test_required_grams(pattern, grams):
    from nlp.prefilter import required_grams
    assert required_grams(pattern) == frozenset(grams)


@pytest.mark.parametrize("pattern", ["a?", r"\d+", "(?i)ab", "a(?i:bc)d", ".{2,}"])
def test_required_grams_unknown(pattern):
    from nlp.prefilter import required_grams
    assert required_grams(pattern) is None


GRAM_PATTERNS = PATTERNS + [r"(要|让)(你|他)的?命", r"\d+元", r"(?<=[要让])命|命(?=的)", "打(?!我)人",
                            r"(人|我们)(?!家).{0,3}(围|堵)(住|了)?", "一?(把|根)刀", "(打|砍){2}死"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("拿提举着起刀锄头十几个人去堵不想活着没意思打死伤跳楼河你好在吗丁七x0123 ，要让命的元我们家围住了一把根砍")),
               max_size=30))
def test_pair_prefilter_is_exact(text):
    """With the pairs the featurizer takes (between punctuation, digits as 0) or the
    text's own, every pattern that matches is among the candidates."""
    from nlp.features import Featurizer
    from nlp.prefilter import text_pairs
    index = candidates_index(GRAM_PATTERNS)
    _, _, pairs = Featurizer(None, None).read_pairs(text)
    by_feats, by_text = set(index(text, pairs)), set(index(text, text_pairs(text)))
    for i, p in enumerate(GRAM_PATTERNS):
        if re.search(p, text):
            assert i in by_feats and i in by_text, (p, text)


# -- literal alternations as a trie (nlp.prefilter.literal_alternation) -------------------

_TRIE_ALPHABET = list("打人死了砍刀一把跳楼河.*(?[")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(_TRIE_ALPHABET), min_size=1, max_size=4), min_size=1, max_size=12),
       st.text(alphabet=st.sampled_from(_TRIE_ALPHABET + ["，"]), max_size=30))
def test_literal_alternation_matches_longest_first(words, text):
    """The trie finds what the words' alternation, longest first, finds (regex characters
    among the words are literals)."""
    from nlp.prefilter import literal_alternation
    plain = re.compile("|".join(map(re.escape, sorted(set(words), key=len, reverse=True))))
    trie = re.compile(literal_alternation(words))
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_literal_alternation_shape():
    from nlp.prefilter import literal_alternation
    assert literal_alternation([]) is None
    assert literal_alternation(["打死", "打伤", "打"]) == "打(?:[伤死])?"
    assert re.fullmatch(literal_alternation(["a.b", "a"]), "a.b")
    assert not re.fullmatch(literal_alternation(["a.b"]), "axb")


def test_still_not_done_is_no_repetition():
    """res10: "工资也一直没发" was yellow for '反复发生：“一直”': 一直没/不 is "still not" (of the labelled
    lines with only that 一直, 148 green against 53 yellow); 一直 otherwise still counts."""
    from nlp.normalize import Normalizer
    from nlp.risk import RiskRules
    rules, norm = RiskRules(), Normalizer()

    def repeated(text):
        return [h.words for h in rules.hits(norm(text)) if h.cue.reason == "repeated" and h.kept]
    assert repeated("我在砖厂的工资也一直没发") == []
    assert repeated("前年借给表哥五千 他一直不还") == []
    assert repeated("楼上一直在吵 半夜都不停") == ["一直"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["ab", "a", "bc", "b+c", "a.?b", "(?<=a)b", "c(?=a)", "ba?", "(?<!b)a", "[ab]c"]),
                min_size=2, max_size=5, unique=True),
       st.text(alphabet="abc，", max_size=16))
def test_merged_alternatives_match_as_the_alternation(branches, text):
    """The matches of alternatives run one by one and merged (nlp.prefilter.alternation_finditer)
    are the alternation's: leftmost first, the first alternative on a tie, on from its end."""
    from nlp.alternatives import alternation_finditer
    whole = [m.span() for m in re.finditer("|".join(branches), text)]
    merged = [m.span() for m in alternation_finditer([re.compile(b) for b in branches], text)]
    assert merged == whole, (branches, text)
