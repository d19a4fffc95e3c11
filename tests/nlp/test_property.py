from hypothesis import given, settings
from hypothesis import strategies as st

from nlp import find_money, find_phones, normalize
from nlp.reading import DISPUTE_TYPES, NOT_A_DISPUTE, RISK_COLOURS

CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
MIXED = st.one_of(st.text(), st.text(alphabet=st.one_of(CHINESE, st.sampled_from(list("，。！？ 0123456789１２３+-[]（）😡工资物业刀上访")))))


@settings(max_examples=400, deadline=None)
@given(MIXED)
def test_read_never_raises(u, text):
    r = u.read(text)
    assert r.type in DISPUTE_TYPES + (NOT_A_DISPUTE,)
    assert r.risk in RISK_COLOURS
    assert 0.0 <= r.confidence <= 1.0
    assert isinstance(normalize(text), str)
    find_phones(text)
    find_money(text)
    u.match_places(text)


def test_read_odd_inputs(u):
    for t in ["", " ", "\x00", "\ud800", "a" * 10000, "刀" * 5000, None, 123]:
        r = u.read(t)  # type: ignore[arg-type]
        assert r.type in DISPUTE_TYPES + (NOT_A_DISPUTE,)
