"""The segmenter is jieba's segmentation (same dictionary, same route), computed in one pass."""
import logging
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.segment import Segmenter, load_words

_HAN = re.compile(r"[\u4e00-\u9fff]+")
USER = ["拖椅子", "柳林村", "宅基地", "一分钱没给"]


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    import jieba
    jieba.setLogLevel(logging.WARNING)
    entries = load_words()
    path = tmp_path_factory.mktemp("dict") / "dict.txt"
    path.write_text("".join(f"{w} {f}\n" for w, f in entries.items() if f > 0), encoding="utf-8")
    tk = jieba.Tokenizer(str(path))
    tk.initialize()
    seg = Segmenter(entries)
    for w in USER:
        tk.add_word(w, 2000)
        seg.add_word(w, 2000)
    return tk, seg


def jieba_words(tk, text):
    return [w for w in tk.lcut(text, HMM=False) if len(w) > 1 and _HAN.fullmatch(w)]


def test_same_words_as_jieba_on_every_labelled_text(pair):
    from nlp.corpus import groups, rows
    from nlp.normalize import Normalizer
    tk, seg = pair
    n = Normalizer()
    texts = [n(x) for paths in groups().values() for _, _, x in rows(paths)]
    diff = [t for t in texts if jieba_words(tk, t) != seg.words(t)]
    assert not diff, diff[:3]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("楼上天天半夜拖椅子吵得睡不着老板欠我工资一分钱没给柳林村宅基地，。ab1 ")),
               max_size=40))
def test_same_words_as_jieba_on_any_text(pair, text):
    tk, seg = pair
    assert seg.words(text) == jieba_words(tk, text)


def test_user_words_come_out_whole():
    seg = Segmenter(load_words())
    seg.add_words(["拖椅子"])
    assert "拖椅子" in seg.words("楼上天天半夜拖椅子")
    assert seg.is_word("拖椅子") and not seg.is_word("拖椅")
