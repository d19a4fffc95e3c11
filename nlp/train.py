"""Training and validation of the built-in reading (offline; scikit-learn when installed).

    python -m nlp.train cv [--config JSON]...   out-of-group figures for each setting
    python -m nlp.train write                   train on every set, write the model and tiers
    (either with --procs N: N folds trained at once, same figures; --folds K: K folds of groups,
    0 for one per group)
    python -m nlp.train words                   write the segmenter's dictionary (nlp/data/words.json)
    python -m nlp.train facts                   write the regexes' analyses (nlp/data/pattern_facts.json)

A group is one chat author (a voice) or one real source (nlp/corpus.py). The groups are
dealt into `FOLDS` folds (`fold_tasks`: every real source in a fold of its own); each fold
trains on the other folds' groups and reads its own: type accuracy per group, pooled over
the chat groups and over the real ones; for red, the cue tiers are chosen again for each group
from the other chat groups' out-of-fold readings (a cue that fewer than two of them need is
dropped: a rule written for one set's sentence does not survive being left out) and the colour
is decided with the fold's learned red reading. The settings that `write` uses (`CHOSEN`) are the
ones these figures chose (nlp/RESULTS.md).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from nlp import headline
from nlp.chat_model import RED, LinearModel, _sigmoid, design, fit, values
from nlp.corpus import chat_groups, law_groups, real_dir, real_groups, rows, ways_groups
from nlp.decision import Decision
from nlp.features import Featurizer, Lexicon
from nlp.files import load_yaml
from nlp.headline import HeadlineTest, load_titles
from nlp.normalize import Normalizer
from nlp.reading import NOT_A_DISPUTE
from nlp.risk import RiskRules
from nlp.segment import Segmenter, load_words, write_words
from nlp.tiers import CueHit, choose_tiers, red_hits

DATA_DIR = Path(__file__).with_name("data")
MODEL_PATH = DATA_DIR / "chat_model.json"
DECISION_PATH = DATA_DIR / "decision.yaml"

# chosen by `cv` (nlp/RESULTS.md)
CHOSEN = {"C": 5.0, "real_w": 1.0, "words": True, "lexicon": True, "ngram": (1, 2), "norm": False,
          "min_df": 2, "binary": True}
TIER_RULE = {"min_groups": 2, "k": 2.0}
# groups dealt into this many folds (0: one fold per group). Leaving one voice out of 180
# trained 180 models (about three hours on 2 cores); ten folds leave out a tenth of the
# voices each, a stricter test for an eleventh of the training (nlp/RESULTS.md, session 47)
FOLDS = 10


@dataclass
class Line:
    group: str
    kind: str              # "chat" | "real" | "ways" (nlp.corpus.ways_groups: never fitted on) |
                           # "law" (nlp.corpus.law_groups: fitted on in every fold, never scored)
    type: str | None       # None: risk only ('*')
    red: bool | None       # None: the source does not tell ('?')
    text: str              # normalised
    hits: list = field(default_factory=list)     # (cue id, status) of red cues
    news: bool = False     # reads as news (Decision.is_news, with the cross-fitted headline test)


def load_lines(norm: Normalizer | None = None, groups: dict | None = None) -> list[Line]:
    norm = norm or Normalizer()
    out = []
    for kind, gs in (("chat", chat_groups()), ("real", real_groups()), ("ways", ways_groups()),
                     ("law", law_groups())):
        for g, paths in gs.items():
            if groups is not None and g not in groups:
                continue
            for t, r, x in rows(paths):
                out.append(Line(g, kind, None if t == "*" else t, None if r == "?" else r == "red", norm(x)))
    return out


def featurizer(cfg: dict) -> Featurizer:
    lex = Lexicon() if cfg.get("lexicon", True) else None
    seg = None
    if cfg.get("words", True):
        # the shipped dictionary, or (to compare settings) jieba's own at another frequency floor
        seg = Segmenter(load_words()) if not cfg.get("dict_min_freq") else Segmenter(min_freq=int(cfg["dict_min_freq"]))
        if lex is not None:
            seg.add_words(lex.terms())
            lex.known = seg
    return Featurizer(seg, lex, tuple(cfg.get("ngram", (1, 2))))


def train(lines: list[Line], cfg: dict, docs: list[dict] | None = None, backend: str = "auto",
          meta: dict | None = None) -> LinearModel:
    """The chat model trained on `lines` (types from typed lines, red from chat lines and
    from real lines labelled green)."""
    if docs is None:
        fz = featurizer(cfg)
        docs = [values(fz(l.text), bool(cfg.get("binary"))) for l in lines]
    law_w = float(cfg.get("law_w", 0.0))
    keep = [l.kind != "ways" and (l.kind != "law" or law_w > 0) for l in lines]
    if not all(keep):
        docs = [d for d, k in zip(docs, keep, strict=True) if k]
        lines = [l for l, k in zip(lines, keep, strict=True) if k]
    vocab, X = design(docs, int(cfg.get("min_df", 2)), bool(cfg.get("norm", False)))
    labels = [l.type for l in lines]
    red = [l.red if (l.kind != "real" or l.red is False) else None for l in lines]
    weight = {"real": float(cfg.get("real_w", 1.0)), "ledger": float(cfg.get("ledger_w", 1.0)), "law": law_w}
    sw = [weight.get(l.kind, 1.0) for l in lines]
    outputs, weights, bias = fit(X, labels, red, C=float(cfg.get("C", 10.0)), sample_weight=sw, backend=backend)
    prune = float(cfg.get("prune", 0.0))
    if prune:
        # features whose every weight is this small change a margin by less than it: left
        # out, the model is smaller and a reading touches less memory
        weights = {f: ws for f, ws in weights.items() if max(abs(w) for w in ws) >= prune}
    labs = [o for o in outputs if o != RED]
    m = dict(meta or {})
    m.update({"labels": labs, "norm": bool(cfg.get("norm", False)), "binary": bool(cfg.get("binary", False)),
              "features": {"words": bool(cfg.get("words", True)), "lexicon": bool(cfg.get("lexicon", True)),
                           "ngram": list(cfg.get("ngram", (1, 2)))},
              "config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in cfg.items()}})
    return LinearModel(outputs, weights, bias, m)


def headline_test(lines: list[Line], cache: Path | None = None, log=print, write_model: bool = False) -> HeadlineTest:
    """The headline test each labelled line is read with: a model that saw neither its
    author nor, for a news title, that title (nlp/headline.py). With `write_model`, the model
    on every title and line is written too. Without the titles, the shipped test."""
    titles_raw = load_titles(real_dir())
    if not titles_raw:
        return HeadlineTest.shipped()
    norm = Normalizer()
    titles = sorted({norm(t) for t in titles_raw})
    known = set(titles)
    others = [(l.group, l.text) for l in lines if l.text not in known and l.kind != "law"]
    if write_model:
        log(f"headline model: {headline.train(titles, [x for _, x in others]).save()}")
    return headline.cross_fitted(titles, others, Decision(DECISION_PATH).headline_min, cache, log)


def fold_tasks(lines: list[Line], folds: int = FOLDS) -> list[list[str]]:
    """The groups of each fold, fitted groups dealt in turn (the real sources first, so that
    no two share a fold while there are as many folds as sources; then the chat groups by
    name), and last the groups never fitted on (the ways of saying), which the model of every
    fitted line reads. `folds` 0: one fold per fitted group."""
    fitted = {l.group for l in lines if l.kind not in ("ways", "law")}
    real = sorted({l.group for l in lines if l.kind == "real"})
    order = real + sorted(fitted - set(real))
    k = len(order) if folds <= 0 else min(folds, len(order))
    tasks = [order[i::k] for i in range(k)]
    ways = sorted({l.group for l in lines if l.kind == "ways"})
    return [t for t in tasks if t] + ([ways] if ways else [])


def out_of_fold(cfg: dict, lines: list[Line], docs: list[dict], log=print,
                cache: Path | None = None, procs: int = 1, folds: int = FOLDS) -> list[list[float]]:
    """Every line's margins from the model trained without its fold's groups (`fold_tasks`);
    cached in `cache` when given (keyed by the settings, the folds and the texts). `procs`
    folds are trained at once; the margins are the same for any number."""
    import hashlib
    import pickle

    from nlp import chat_model
    from nlp.segment import WORDS_FILE
    # the trainer's code is in the key too: a margin cached from another solver setting is
    # another model's
    # statutes not trained on leave the key as it was without them
    texts = [l.group + l.text for l in lines if l.kind != "law" or cfg.get("law_w")]
    key = hashlib.sha256(json.dumps([cfg, folds, texts], sort_keys=True,
                                    default=str).encode()
                         + json.dumps(sorted(Lexicon().terms())).encode()
                         + WORDS_FILE.read_bytes() + Path(chat_model.__file__).read_bytes()).hexdigest()[:16]
    if cache is not None:
        f = cache / f"oof-{key}.pickle"
        if f.exists():
            with open(f, "rb") as fh:
                return pickle.load(fh)
    margins: list = [None] * len(lines)
    fitted = [i for i, l in enumerate(lines) if l.kind != "ways"]
    fitted_groups = {lines[i].group for i in fitted}
    tasks = fold_tasks(lines, folds)
    fold = _Folds(cfg, lines, docs, fitted)
    if procs > 1:
        import multiprocessing
        # forked workers inherit the lines and features instead of receiving a pickled copy
        # per task; the longest task (the model of every fitted line) goes first
        tasks.sort(key=lambda gs: gs[0] in fitted_groups)
        with multiprocessing.get_context("fork").Pool(procs, initializer=_Folds.adopt, initargs=(fold,)) as pool:
            results = pool.imap_unordered(_Folds.run_adopted, tasks)
            for gs, ms, dt in results:
                _place(margins, gs, ms, dt, log)
    else:
        for gs in tasks:
            _place(margins, *fold.run(gs), log)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        with open(cache / f"oof-{key}.pickle", "wb") as fh:
            pickle.dump(margins, fh)
    return margins


class _Folds:
    """The trainings of `out_of_fold`, one fold at a time."""

    adopted: _Folds | None = None     # in a forked worker: the parent's instance

    def __init__(self, cfg: dict, lines: list[Line], docs: list[dict], fitted: list[int]):
        self.cfg, self.lines, self.docs, self.fitted = cfg, lines, docs, fitted

    @classmethod
    def adopt(cls, folds: _Folds) -> None:
        cls.adopted = folds

    @classmethod
    def run_adopted(cls, groups: list[str]) -> tuple[list[str], dict[int, dict], float]:
        assert cls.adopted is not None
        return cls.adopted.run(groups)

    def run(self, groups: list[str]) -> tuple[list[str], dict[int, dict], float]:
        t0 = time.time()
        lines, docs = self.lines, self.docs
        want = set(groups)
        tr = [i for i in self.fitted if lines[i].group not in want]
        m = train([lines[i] for i in tr], self.cfg, [docs[i] for i in tr])
        read = {i: dict(zip(m.outputs, _margins(m, docs[i]), strict=False))
                for i, l in enumerate(lines) if l.group in want}
        return groups, read, time.time() - t0


def _place(margins: list, groups: list[str], read: dict[int, dict], seconds: float, log) -> None:
    for i, ms in read.items():
        margins[i] = ms
    log(f"  fold {groups[0]}{f' and {len(groups) - 1} more' if len(groups) > 1 else ''} ({seconds:.0f}s)")


def kfold_real(cfg: dict, lines: list[Line], docs: list[dict], k: int = 5, log=print) -> dict[str, list[int]]:
    """Type accuracy on real texts when their source is known to the model: the real lines
    split into k folds at random (seeded), each read by a model trained on every chat line
    and the other folds. The optimistic estimate for a hidden set drawn from the same kinds
    of source; leaving the whole source out (`cv`) is the pessimistic one."""
    import random
    rnd = random.Random(20261203)
    real = [i for i, l in enumerate(lines) if l.kind == "real" and l.type is not None]
    fold = {i: rnd.randrange(k) for i in real}
    correct: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    dec = Decision(DECISION_PATH)
    for f in range(k):
        t0 = time.time()
        tr = [i for i in range(len(lines)) if fold.get(i, -1) != f]
        m = train([lines[i] for i in tr], cfg, [docs[i] for i in tr])
        labels = [o for o in m.outputs if o != RED]
        for i in real:
            if fold[i] == f:
                c = correct[lines[i].group]
                c[1] += 1
                ms = dict(zip(m.outputs, _margins(m, docs[i]), strict=False))
                c[0] += decided_type(labels, ms, docs[i], dec, lines[i].news) == lines[i].type
        log(f"  real fold {f} ({time.time() - t0:.0f}s)")
    return dict(correct)


def cv(cfg: dict, lines: list[Line], docs: list[dict], *, colour_grid: list[dict] | None = None,
       tier_rules: list[dict] | None = None, log=print, cache: Path | None = None, procs: int = 1,
       folds: int = FOLDS) -> dict:
    """Out of fold (`fold_tasks`). Types for every group; red for chat groups and the real
    groups' green lines (read with the learned red output of the fold), with the cue tiers
    chosen from the other chat groups."""
    oof = out_of_fold(cfg, lines, docs, log, cache, procs, folds)
    labels = [o for o in oof[0] if o != RED]
    correct: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    red_p = []
    dec = Decision(DECISION_PATH)
    for l, ms, doc in zip(lines, oof, docs, strict=False):
        if ms is None:          # a statute: trained on in every fold, never read
            red_p.append(0.0)
            continue
        if l.type is not None:
            c = correct[l.group]
            c[1] += 1
            c[0] += decided_type(labels, ms, doc, dec, l.news) == l.type
        red_p.append(_sigmoid(ms[RED]))
    out = {"types": dict(correct), "red_p": red_p}
    if colour_grid and tier_rules:
        cues = {c.id: c for c in RiskRules().red_cues()}
        res = {}
        by_id = {id(l): p for l, p in zip(lines, red_p, strict=False)}
        for tr_ in tier_rules:
            for col in colour_grid:
                fold_tiers = {g: choose_tiers([l for l in lines if l.group != g], by_id, confirm=col["confirm"], **tr_)
                              for g in {l.group for l in lines}}
                # what each modifier does is decision.yaml's, whatever colour settings are tried
                deciders = {g: Decision(data={"colour": {**col, "modifiers": dec.effects}, "tiers": t})
                            for g, t in fold_tiers.items()}
                agg = defaultdict(lambda: defaultdict(int))
                for i, l in enumerate(lines):
                    if l.red is None:
                        continue
                    c = deciders[l.group].colour([CueHit(cues[cid], s) for cid, s in l.hits if cid in cues], red_p[i])
                    a = agg[l.kind if l.kind == "real" else l.group]
                    if l.red:
                        a["red"] += 1
                        a["tp"] += c.colour == "red"
                        a["asked"] += c.colour != "red" and c.ask_safety
                    else:
                        a["neg"] += 1
                        a["fp"] += c.colour == "red"
                        a["neg_asked"] += c.colour != "red" and c.ask_safety
                res[(json.dumps(tr_), json.dumps(col))] = {k: dict(v) for k, v in agg.items()}
        out["colour"] = res
    return out


def decided_type(labels: list[str], margins: dict[str, float], doc: dict[str, float], dec: Decision,
                 news: bool = False) -> str:
    """The type the reading gives (nlp/understanding.py): the most probable label, or what
    a `none` reading yields to (Decision.type_over_none); `none` for a text that reads as
    news (`news`: Decision.is_news)."""
    best = max(labels, key=margins.__getitem__)
    if best == NOT_A_DISPUTE:
        best = dec.type_over_none(doc, margins.__getitem__) or best
    return NOT_A_DISPUTE if news else best


def _margins(m: LinearModel, doc: dict[str, float]) -> list[float]:
    """Margins from a document's feature values (as `LinearModel.margins` computes them
    from a feature list)."""
    import math
    k = len(m.outputs)
    sums = [0.0] * k
    sq = 0.0
    for f, v in doc.items():
        w = m.weights.get(f)
        if w is not None:
            sq += v * v
            for j in range(k):
                sums[j] += v * w[j]
    if m.norm and sq:
        inv = 1.0 / math.sqrt(sq)
        sums = [s * inv for s in sums]
    return [b + s for b, s in zip(m.bias, sums, strict=False)]


def summarise(out: dict, lines: list[Line]) -> list[str]:
    chat = {l.group for l in lines if l.kind == "chat"}
    ways = {l.group for l in lines if l.kind == "ways"}
    t = out["types"]
    c = [sum(t[g][0] for g in t if g in chat), sum(t[g][1] for g in t if g in chat)]
    r = [sum(t[g][0] for g in t if g not in chat), sum(t[g][1] for g in t if g not in chat)]
    res = [f"types: chat {c[0] / max(c[1], 1):.3f} ({c[0]}/{c[1]}), real {r[0] / max(r[1], 1):.3f} ({r[0]}/{r[1]})",
           "   " + " ".join(f"{g}:{a / max(b, 1):.2f}" for g, (a, b) in sorted(t.items()))]
    for (kt, kc), agg in sorted(out.get("colour", {}).items()):
        tot = defaultdict(int)
        new = defaultdict(int)
        said = defaultdict(int)
        for g, a in agg.items():
            if g == "real":
                continue
            for k, v in a.items():
                if g in ways:
                    said[k] += v
                    continue
                tot[k] += v
                if g.startswith("w"):
                    new[k] += v
        rr = agg.get("real", {})

        def fmt(a):
            return (f"recall {a['tp'] / max(a['red'], 1):.3f} ({a['tp']}/{a['red']}) "
                    f"(+asked {(a['tp'] + a['asked']) / max(a['red'], 1):.3f}) "
                    f"false red {1000 * a['fp'] / max(a['neg'], 1):.1f}/1000 ({a['fp']}/{a['neg']}) "
                    f"asked {1000 * a['neg_asked'] / max(a['neg'], 1):.0f}/1000")
        res.append(f"red {kt} {kc}: chat {fmt(tot)} | new voices {fmt(new)} | real green: {rr.get('fp', 0)} red, "
                   f"{rr.get('neg_asked', 0)} asked of {rr.get('neg', 0)}" + (f" | ways of saying {fmt(said)}" if said else ""))
    return res


def write(cfg: dict | None = None, backend: str = "auto", cache: Path | None = None, log=print,
          procs: int = 1, folds: int = FOLDS) -> tuple[Path, Path]:
    cfg = dict(CHOSEN if cfg is None else cfg)
    lines = load_lines()
    fz = featurizer(cfg)
    docs = [values(fz(l.text), bool(cfg.get("binary"))) for l in lines]
    m = train(lines, cfg, docs, backend=backend, meta={"trained_on": sorted({l.group for l in lines})})
    path = m.save(MODEL_PATH)
    # the tiers need every line's learned red reading from a model that did not see it
    oof = out_of_fold(cfg, lines, docs, cache=cache, log=log, procs=procs, folds=folds)
    red_p = {id(l): _sigmoid(ms[RED]) for l, ms in zip(lines, oof, strict=False) if ms is not None}
    red_hits(lines, RiskRules(headline=headline_test(lines, cache, log, write_model=True)))
    dec = load_yaml(DECISION_PATH) if DECISION_PATH.exists() else {}
    tiers = choose_tiers(lines, red_p, confirm=float((dec.get("colour") or {}).get("confirm", 0.5)), **TIER_RULE)
    dec["tiers"] = tiers
    write_decision(dec)
    return path, DECISION_PATH


def write_decision(dec: dict) -> None:
    import yaml
    head = DECISION_PATH.read_text(encoding="utf-8").split("\ntiers:")[0] if DECISION_PATH.exists() else ""
    body = yaml.safe_dump({"tiers": dec["tiers"]}, allow_unicode=True, sort_keys=True, width=1000)
    DECISION_PATH.write_text(head.rstrip("\n") + "\n" + body, encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nlp.train")
    ap.add_argument("what", choices=("cv", "write", "words", "facts"))
    ap.add_argument("--config", action="append", default=None, help="JSON settings for `cv` (repeatable)")
    ap.add_argument("--colour", action="append", default=None, help="JSON colour thresholds for `cv` (repeatable)")
    ap.add_argument("--tiers", action="append", default=None, help="JSON tier rule for `cv` (repeatable)")
    ap.add_argument("--cache", default=None, help="folder for out-of-fold margins (reused while only rules change)")
    ap.add_argument("--kfold", type=int, default=0,
                    help="also: real texts in k random folds, their sources known (the optimistic estimate)")
    ap.add_argument("--procs", type=int, default=1,
                    help="train this many folds at once (the figures are the same)")
    ap.add_argument("--folds", type=int, default=FOLDS,
                    help=f"groups dealt into this many folds (0: one per group; default {FOLDS})")
    ap.add_argument("--chat-only", action="store_true", help="with write: train without the real sets")
    ap.add_argument("--record", action="store_true",
                    help="with cv of the settings in use: write nlp/data/cv.json (the figures the suite checks)")
    a = ap.parse_args(argv)
    if a.what == "words":
        print(f"wrote {write_words()}")
        return 0
    if a.what == "facts":
        from nlp.pattern_facts import FACTS_PATH, written_facts
        print(f"{written_facts().save()} answers -> {FACTS_PATH}")
        return 0
    if a.what == "write":
        if not real_groups() and not a.chat_only:
            # the shipped model is trained on the real sets too: without them it would be
            # replaced by a weaker one (nlp/corpus.py says where they are looked for)
            print("nlp.train write: no real-text sets (JIEFEN_REAL_DATA); build them with "
                  "scripts/build_real_sets.py, or pass --chat-only to train on the chat sets alone", file=sys.stderr)
            return 2
        print("wrote", *write(cache=Path(a.cache) if a.cache else None, procs=a.procs, folds=a.folds,
                              log=lambda s: print(s, file=sys.stderr, flush=True)))
        return 0
    lines = load_lines()
    cache = Path(a.cache) if a.cache else None
    test = headline_test(lines, cache, log=lambda s: print(s, file=sys.stderr, flush=True))
    rules = RiskRules(headline=test)
    red_hits(lines, rules)
    dec = Decision(DECISION_PATH)
    for l in lines:
        l.news = dec.is_news(lambda l=l: rules.voiceless(l.text), lambda l=l: test.score(l.text))
    colour = [json.loads(c) for c in a.colour] if a.colour else [dict(load_yaml(DECISION_PATH).get("colour") or {})]
    tiers = [json.loads(t) for t in a.tiers] if a.tiers else [TIER_RULE]
    for c in (a.config or [json.dumps({k: (list(v) if isinstance(v, tuple) else v) for k, v in CHOSEN.items()})]):
        cfg = {**CHOSEN, **json.loads(c)}
        fz = featurizer(cfg)
        docs = [values(fz(l.text), bool(cfg.get("binary"))) for l in lines]
        out = cv(cfg, lines, docs, colour_grid=colour, tier_rules=tiers, cache=Path(a.cache) if a.cache else None,
                 procs=a.procs, folds=a.folds,
                 log=lambda s: print(s, file=sys.stderr, flush=True))
        print(json.dumps(cfg, ensure_ascii=False))
        for s in summarise(out, lines):
            print("  " + s, flush=True)
        kf = None
        if a.kfold:
            kf = kfold_real(cfg, lines, docs, a.kfold, log=lambda s: print(s, file=sys.stderr, flush=True))
            ok, n = sum(v[0] for v in kf.values()), sum(v[1] for v in kf.values())
            print(f"  real texts, {a.kfold} random folds (sources known): {ok / n:.3f} ({ok}/{n}) "
                  + " ".join(f"{g}:{v[0] / v[1]:.2f}" for g, v in sorted(kf.items())))
        if a.record:
            from nlp.cv_record import CV_RECORD, record
            record(cfg, out, lines, colour[0], kf, a.folds)
            print(f"wrote {CV_RECORD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
