"""Reading time grows linearly with the text's length, whatever the text.

A regex or a scanner that is quadratic on some input (a run of digits, one character
repeated, a long clause with no punctuation) turns a pasted document into minutes of CPU on
a worker. Each input is read at 10 KB and at 100 KB in the same run; linear work takes
about 10 times as long for 10 times the text, quadratic work 100 times. The bound (25) is
generous for a shared, noisy machine: CPU time of this thread, best of a few runs.
"""
import time

import pytest

from nlp import find_dates, find_money, find_people, find_phones, normalize
from nlp.parties import find_party

UNITS = {
    "ascii": "A",
    "digits": "1",
    "spaced digits": "1 2 3 ",
    "mixed": "工资abc123 打人ok，楼上13812345678说要弄死我",
    "numerals": "一二三",
    "cue repeated": "他打我",
    "cue in one clause": "拿刀",
    "place repeated": "柳林村",
    "negated cue": "不打人",
    "phones": "13812345678 ",
    "landlines": "0101234567 ",
    "traditional": "說話",
    "benign clause": "开会",
}


def _cpu(fn, text, rounds=2):
    best = float("inf")
    for _ in range(rounds):
        t0 = time.thread_time()
        fn(text)
        best = min(best, time.thread_time() - t0)
    return max(best, 1e-4)


def _text(unit, n):
    return (unit * (n // len(unit) + 1))[:n]


@pytest.mark.parametrize("name", sorted(UNITS))
def test_read_is_linear(u, name):
    small, big = _text(UNITS[name], 10_000), _text(UNITS[name], 100_000)
    u.read(small)
    t_small, t_big = _cpu(u.read, small), _cpu(u.read, big)
    assert t_big / t_small < 25, (name, t_small, t_big)


@pytest.mark.parametrize("name", ["digits", "mixed", "numerals", "place repeated", "traditional"])
def test_helpers_are_linear(u, name):
    small, big = _text(UNITS[name], 10_000), _text(UNITS[name], 100_000)
    for fn in (normalize, find_phones, find_money, find_people, find_dates, find_party, u.match_places):
        fn(small)
        t_small, t_big = _cpu(fn, small), _cpu(fn, big)
        assert t_big / t_small < 25, (name, fn.__name__, t_small, t_big)
