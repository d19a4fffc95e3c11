"""The red cue tiers (nlp.tiers.choose_tiers): which cues stay, which are strong, and what the
ways of saying (nlp/data/ways/, risk only) may and may not decide."""
from nlp.tiers import choose_tiers
from nlp.train import Line, train


def _line(group, kind, red, hits, text="x"):
    line = Line(group, kind, None, red, text)
    line.hits = [(cid, "kept") for cid in hits]
    return line


def _tiers(lines, p=0.0):
    return choose_tiers(lines, {id(l): p for l in lines}, min_groups=2, k=2.0, confirm=0.1)


def test_a_cue_one_author_needs_is_dropped_and_a_second_author_keeps_it():
    one = [_line("w1", "chat", True, ["kill_verb"]), _line("w1", "chat", True, ["kill_verb"])]
    assert _tiers(one)["kill_verb"] == "drop"
    assert _tiers(one + [_line("w2", "chat", True, ["kill_verb"])])["kill_verb"] == "strong"


def test_ways_of_saying_keep_a_cue_but_do_not_make_it_strong():
    voices = [_line("w1", "chat", True, ["kill_verb"]), _line("w1", "chat", False, ["kill_verb"])]
    assert _tiers(voices)["kill_verb"] == "drop"
    # a second author among the ways of saying: the cue stays, weak as the voices say
    said = [_line("ways_a1", "ways", True, ["kill_verb"]) for _ in range(20)]
    assert _tiers(voices + said)["kill_verb"] == "weak"
    # their look-alikes count neither way
    assert _tiers(voices + said + [_line("ways_a1", "ways", False, ["kill_verb"])])["kill_verb"] == "weak"


def test_ways_of_saying_are_not_trained_on():
    typed = [Line("w1", "chat", t, r, x) for t, r, x in (
        ("labour", False, "老板拖欠工资三个月"), ("neighbour", False, "楼上天天半夜吵"),
        ("labour", True, "工头说再要工资就弄死我"), ("debt", False, "借了五万块不还"))] * 3
    said = [Line("ways_a1", "ways", None, True, "楼上天天半夜吵") for _ in range(30)]
    cfg = {"C": 5.0, "words": False, "lexicon": False, "ngram": (1, 2), "min_df": 1, "binary": True}
    a, b = train(typed, cfg, backend="python"), train(typed + said, cfg, backend="python")
    assert a.weights == b.weights and a.bias == b.bias


def test_ways_of_saying_are_read_out_of_fold_by_the_model_of_every_voice():
    """Out of fold, a voice is read by the model trained without it; the ways of saying, never
    fitted on, by the model trained on every voice (nlp.train.out_of_fold)."""
    from nlp.chat_model import values
    from nlp.train import featurizer, out_of_fold
    texts = (("labour", False, "老板拖欠工资三个月"), ("neighbour", False, "楼上天天半夜吵"),
             ("labour", True, "工头说再要工资就弄死我"), ("debt", False, "借了五万块不还"))
    lines = [Line(g, "chat", t, r, x) for g in ("w1", "w2") for t, r, x in texts]
    lines += [Line("ways_a1", "ways", None, True, "他说要弄死我"), Line("ways_b1", "ways", None, False, "楼上吵死了")]
    cfg = {"C": 5.0, "words": False, "lexicon": False, "ngram": (1, 2), "min_df": 1, "binary": True}
    fz = featurizer(cfg)
    docs = [values(fz(l.text), True) for l in lines]
    oof = out_of_fold(cfg, lines, docs, log=lambda s: None)

    def same(margins, model, text):     # the packed weights read within their rounding
        return all(abs(margins[k] - v) < 1e-4 for k, v in zip(model.outputs, model.margins(fz(text)), strict=True))
    every, only_w2 = train(lines[:8], cfg, docs[:8]), train(lines[4:8], cfg, docs[4:8])
    assert same(oof[8], every, lines[8].text) and same(oof[9], every, lines[9].text)
    assert same(oof[0], only_w2, lines[0].text) and not same(oof[0], every, lines[0].text)


def test_folds_trained_at_once_give_the_same_margins():
    """`nlp.train --procs N` trains N folds at once in forked workers: every line's
    out-of-fold margins are the ones the folds give one after another."""
    from nlp.chat_model import values
    from nlp.train import featurizer, out_of_fold
    texts = (("labour", False, "老板拖欠工资三个月"), ("neighbour", False, "楼上天天半夜吵"),
             ("labour", True, "工头说再要工资就弄死我"), ("debt", False, "借了五万块不还"),
             ("neighbour", False, "隔壁装修天天打电钻"), ("debt", False, "朋友借钱两年不还"))
    lines = [Line(g, "chat", t, r, x) for g in ("w1", "w2", "w3") for t, r, x in texts[:4 + int(g[1]) % 3]]
    lines += [Line("ways_a1", "ways", None, True, "他说要弄死我"), Line("ways_b1", "ways", None, False, "楼上吵死了")]
    cfg = {"C": 5.0, "words": False, "lexicon": False, "ngram": (1, 2), "min_df": 1, "binary": True}
    fz = featurizer(cfg)
    docs = [values(fz(l.text), True) for l in lines]
    one = out_of_fold(cfg, lines, docs, log=lambda s: None)
    two = out_of_fold(cfg, lines, docs, log=lambda s: None, procs=2)
    assert all(m is not None for m in two) and two == one
    assert one[0] != one[len(lines) - 1]        # the folds differ: the comparison can fail


def test_groups_are_dealt_into_folds_and_each_fold_is_read_by_a_model_without_it():
    """Ten folds instead of one per voice (nlp.train.FOLDS): every fitted group in exactly one
    fold, no two real sources together while the folds suffice, the ways of saying last; a
    line's margins come from the model trained without every group of its fold."""
    from nlp.chat_model import values
    from nlp.train import featurizer, fold_tasks, out_of_fold
    texts = (("labour", False, "老板拖欠工资三个月"), ("neighbour", False, "楼上天天半夜吵"),
             ("labour", True, "工头说再要工资就弄死我"), ("debt", False, "借了五万块不还"))
    lines = [Line(g, "chat", t, r, x) for g in ("w1", "w2", "w3", "w4") for t, r, x in texts]
    lines += [Line(g, "real", "debt", False, x) for g, x in (("r_a", "欠款纠纷一审"), ("r_b", "借贷不还起诉"))]
    lines += [Line("ways_a1", "ways", None, True, "他说要弄死我")]
    tasks = fold_tasks(lines, 2)
    assert tasks == [["r_a", "w1", "w3"], ["r_b", "w2", "w4"], ["ways_a1"]]
    assert fold_tasks(lines, 0)[:6] == [["r_a"], ["r_b"], ["w1"], ["w2"], ["w3"], ["w4"]]
    assert len(fold_tasks(lines, 50)) == 7          # never more folds than groups
    cfg = {"C": 5.0, "words": False, "lexicon": False, "ngram": (1, 2), "min_df": 1, "binary": True}
    fz = featurizer(cfg)
    docs = [values(fz(l.text), True) for l in lines]
    oof = out_of_fold(cfg, lines, docs, log=lambda s: None, folds=2)
    second = [i for i, l in enumerate(lines) if l.group in ("r_b", "w2", "w4")]
    without_first = train([lines[i] for i in second], cfg, [docs[i] for i in second])

    def same(margins, model, text):     # the packed weights read within their rounding
        return all(abs(margins[k] - v) < 1e-4 for k, v in zip(model.outputs, model.margins(fz(text)), strict=True))
    assert same(oof[0], without_first, lines[0].text)           # w1, read without w1, w3, r_a
    assert same(oof[8], without_first, lines[8].text)           # w3 too
    assert not same(oof[4], without_first, lines[4].text)       # w2 is in the other fold


def test_statutes_are_trained_on_in_every_fold_only_when_weighed_and_never_read():
    """The statute articles (kind "law", scripts/build_statutes.py) are knowledge, not a set
    to score: no fold holds them out, no margin is read for them, and at `law_w` 0 (the
    setting in use) they change no weight."""
    from nlp.chat_model import values
    from nlp.train import featurizer, fold_tasks, out_of_fold
    texts = (("labour", False, "老板拖欠工资三个月"), ("neighbour", False, "楼上天天半夜吵"),
             ("labour", True, "工头说再要工资就弄死我"), ("debt", False, "借了五万块不还"))
    lines = [Line(g, "chat", t, r, x) for g in ("w1", "w2") for t, r, x in texts]
    law = [Line("statutes", "law", "labour", None, "用人单位应当按时足额支付劳动报酬"),
           Line("statutes", "law", "debt", None, "借款人应当按照约定的期限返还借款")]
    assert fold_tasks(lines + law, 2) == [["w1"], ["w2"]]
    cfg = {"C": 5.0, "words": False, "lexicon": False, "ngram": (1, 2), "min_df": 1, "binary": True}
    fz = featurizer(cfg)
    docs = [values(fz(l.text), True) for l in lines + law]
    plain = train(lines, cfg, docs[:8], backend="python")
    unweighed = train(lines + law, cfg, docs, backend="python")
    assert unweighed.weights == plain.weights and unweighed.bias == plain.bias
    weighed = train(lines + law, {**cfg, "law_w": 1.0}, docs, backend="python")
    assert weighed.weights != plain.weights
    oof = out_of_fold({**cfg, "law_w": 1.0}, lines + law, docs, log=lambda s: None, folds=2)
    assert oof[8] is None and oof[9] is None and all(m is not None for m in oof[:8])
