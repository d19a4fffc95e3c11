"""`Understanding`: one object that reads residents' messages into `Reading`s.

    text ─ normalise ─┬─ taxonomy terms, jieba words, character n-grams ─ learned model ─┐
                      ├─ risk cues and the words around them (nlp/risk.py) ─────────────┤
                      ├─ places, phones, sums, people, dates                              │
                      └──────────────────────────── decision stage (nlp/decision.py) ─────┴─ Reading
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from nlp.chat_model import RED, LinearModel
from nlp.decision import Decision
from nlp.features import TERM, WORD, Featurizer, Lexicon
from nlp.headline import MODEL_PATH as HEADLINE_PATH
from nlp.headline import HeadlineModel, HeadlineTest
from nlp.normalize import Normalizer
from nlp.pattern_facts import PatternFacts
from nlp.places import PlaceIndex, iter_names
from nlp.reading import NOT_A_DISPUTE, PlaceMatch, PlaceRef, Reading
from nlp.risk import RED_REASONS, RiskRules
from nlp.segment import PLACE_FREQ, Segmenter, load_words
from nlp.slots import blank_spans, find_dates, find_money, find_people_said, others_phones, phone_spans

log = logging.getLogger(__name__)
RED_REASONS_SET = frozenset(RED_REASONS)
DATA_DIR = Path(__file__).with_name("data")
CHAT_MODEL = "chat_model.json"


def model_version(files) -> str:
    """A short fingerprint of the files that decide a reading (vocabulary, rules, model
    weights): two readings with the same version were made by the same understanding."""
    h = hashlib.sha256()
    for p in files:
        h.update(Path(p).name.encode())
        try:
            h.update(Path(p).read_bytes())
        except OSError:
            h.update(b"-")
    return h.hexdigest()[:12]


class Understanding:
    """Builds everything once; `read` is then cheap, thread-safe (it changes nothing) and
    never raises.

    No module-level mutable state: each instance owns its normaliser, segmenter, model,
    rules and place index. `model_dir` is a folder written by `jiefen nlp train`: with a
    `chat_model.json` (`--from-ledger`: the built-in model retrained on staff corrections)
    it replaces the shipped model; with a `model.json` (a label set learned from a labelled
    CSV) its labels replace the built-in types (risk, places and slots stay the same).
    """

    def __init__(self, places: Sequence[PlaceRef] = (), *, model_dir: str | Path | None = None,
                 taxonomy: str | Path | None = None, risk_file: str | Path | None = None,
                 decision_file: str | Path | None = None):
        self._normalize = Normalizer()
        model_path = DATA_DIR / CHAT_MODEL
        label_set = None
        if model_dir is not None:
            md = Path(model_dir)
            if (md / CHAT_MODEL).exists():
                model_path = md / CHAT_MODEL
            elif (md / "model.json").exists():
                label_set = md
            else:
                raise FileNotFoundError(f"{md}: neither {CHAT_MODEL} nor model.json")
        self.model = LinearModel.load(model_path)
        cfg = self.model.meta.get("features") or {}
        facts = PatternFacts.load()      # the rules' and the taxonomy's regexes, analysed before
        self.lexicon = Lexicon(taxonomy, facts=facts) if cfg.get("lexicon", True) else None
        self.segmenter = None
        if cfg.get("words", True):
            self.segmenter = Segmenter(load_words())
            if self.lexicon is not None:
                self.segmenter.add_words(self.lexicon.terms())
                self.lexicon.known = self.segmenter
        self.featurize = Featurizer(self.segmenter, self.lexicon, tuple(cfg.get("ngram", (1, 2))))
        self.decision = Decision(decision_file)
        self.headline = HeadlineTest(HeadlineModel.load(), self.decision.headline_min)
        self.rules = RiskRules(risk_file, headline=self.headline, facts=facts)
        self._lock = threading.Lock()
        self._tokenizer = None
        self.places = PlaceIndex(())
        self._place_list: list[PlaceRef] = []
        self.set_places(places)
        self.label_set = None
        if label_set is not None:
            from nlp.learn import LearnedModel
            self.label_set = LearnedModel.load(label_set)
            self.label_set.attach(self.tokenizer)
        files = [Path(taxonomy) if taxonomy else DATA_DIR / "taxonomy.yaml",
                 Path(risk_file) if risk_file else DATA_DIR / "risk.yaml",
                 Path(decision_file) if decision_file else DATA_DIR / "decision.yaml",
                 DATA_DIR / "typos.yaml", DATA_DIR / "words.json", model_path, model_path.with_suffix(".weights"),
                 HEADLINE_PATH]
        if label_set is not None:
            files += sorted(p for p in Path(label_set).iterdir() if p.is_file())
        self.model_version = model_version(files)

    # -- jieba, for learned label sets ---------------------------------------------
    def tokenizer(self):
        """A private jieba tokenizer whose user dictionary holds the taxonomy words and
        the place names/aliases (built on first use, for label sets learned from a CSV)."""
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    import jieba
                    jieba.setLogLevel(logging.WARNING)
                    tk = jieba.Tokenizer()
                    tk.initialize()
                    for w in (self.lexicon.terms() if self.lexicon is not None else ()):
                        tk.add_word(w, freq=2000)
                    for w in iter_names(self._place_list):
                        tk.add_word(w, freq=PLACE_FREQ, tag="ns")
                    self._tokenizer = tk
        return self._tokenizer

    def normalize(self, text: str) -> str:
        """The text as the reading sees it (full-width, traditional characters, typos)."""
        return self._normalize(text)

    def words(self, text: str) -> list[str]:
        """The words (two Chinese characters or more) the reading sees in a text."""
        return self.segmenter.words(self._normalize(text)) if self.segmenter is not None else []

    # -- registry --------------------------------------------------------------
    def set_places(self, places: Sequence[PlaceRef]) -> None:
        places = list(places)
        idx = PlaceIndex(places)
        with self._lock:
            names = [n for n in iter_names(places) if n]
            if self.segmenter is not None:
                # the dictionary only grows: a reading in flight sees the old or the new
                # words, never a broken table
                self.segmenter.add_words(names, PLACE_FREQ)
            if self._tokenizer is not None:
                for w in names:
                    self._tokenizer.add_word(w, freq=PLACE_FREQ, tag="ns")
            self.places = idx
            self._place_list = places

    def match_places(self, text: str, limit: int = 3) -> list[PlaceMatch]:
        try:
            return self.places.fuzzy(self._normalize(text), limit=limit)
        except Exception:  # pragma: no cover - never fail on odd input
            log.exception("match_places failed")
            return []

    # -- reading ---------------------------------------------------------------
    def read(self, text: str) -> Reading:
        try:
            return self._read(text)
        except Exception:  # never raise: a reading that says "not understood"
            log.exception("read failed")
            t = text if isinstance(text, str) else ""
            return Reading(text=t, type=NOT_A_DISPUTE, confidence=0.0, model_version=self.model_version,
                           extra={"error": True, "model_version": self.model_version})

    def _read(self, text: str) -> Reading:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        norm = self._normalize(text)
        feats, found, pairs = self.featurize.read_pairs(norm)
        model = self.model
        margins = model.margins(feats)
        red_p = model.probability(RED, margins) if RED in model.index else None
        spans = phone_spans(norm, normalised=True)
        others = tuple(others_phones(norm, normalised=True, spans=spans)) if spans else ()
        phones = tuple(d for d in dict.fromkeys(d for _, _, d in spans) if d not in others)
        # phone numbers are not money nor people
        scan = blank_spans(norm, spans) if spans else norm
        money = tuple(find_money(scan, normalised=True))
        counted = find_people_said(scan, normalised=True)
        people = counted[0] if counted else None
        dates = tuple(find_dates(scan, normalised=True))
        hits = self.rules.hits(norm, pairs)
        colour = self.decision.colour(hits, red_p, self.rules.size_reasons(money, people, counted[1] if counted else ""))
        if self.label_set is not None:
            tr = self.label_set.classify(norm)
            typ, conf, runner, evidence = tr.type, tr.confidence, tr.runner_up, tr.evidence
        else:
            typ, conf, runner = model.best_two(margins)
            if typ == NOT_A_DISPUTE:
                # "这种算不算工伤": no grievance told in chat words, but a dispute named
                named = self.decision.type_over_none((f for _, f, _ in found), lambda t: margins[model.index[t]])
                if named is not None:
                    runner, typ = typ, named
                    conf = dict(model.probabilities(margins))[typ]
            if typ != NOT_A_DISPUTE and self.decision.is_news(lambda: self.rules.voiceless(norm),
                                                               lambda: self.headline.score(norm)):
                # a news title pasted or forwarded ("南邵镇政府强拆民房被判违法") tells of
                # nobody's dispute here, whatever its words name
                runner, typ = typ, NOT_A_DISPUTE
                conf = dict(model.probabilities(margins))[typ]
            if typ == NOT_A_DISPUTE and (colour.colour == "red" or colour.ask_safety) \
                    and RED_REASONS_SET.intersection(colour.keys):
                # violence, self-harm, a gathering or danger told, red or not sure, is a
                # dispute even when no type word says which
                ranked = model.probabilities(margins)
                runner, typ = typ, self.decision.red_type(ranked)
                conf = dict(ranked).get(typ, 0.0)
            evidence = self._evidence(typ, found, feats)
        safety = model.evidence(RED, feats, keep=_is_word) if colour.ask_safety else ()
        return Reading(text=norm, type=typ, confidence=round(float(conf), 3), runner_up=runner,
                       evidence=evidence, risk=colour.colour, risk_reasons=colour.reasons,
                       ask_safety=colour.ask_safety, places=tuple(self.places.scan(norm)), phones=phones,
                       other_phones=others,
                       money=money, people=people, dates=dates, model_version=self.model_version,
                       extra={"risk_cues": colour.cues, "safety_cues": tuple(w[1:] for w in safety),
                              "set_aside": colour.set_aside,
                              "red_probability": round(red_p, 3) if red_p is not None else None,
                              "model_version": self.model_version})

    def _evidence(self, typ: str, found, feats) -> tuple[str, ...]:
        """The words that decided the type: the taxonomy's terms for it found in the text,
        else the words the model weighed most for it."""
        terms = tuple(dict.fromkeys(w for label, f, w in found if label == typ and f.startswith(TERM)))
        if terms:
            return terms
        matched = tuple(dict.fromkeys(w for label, _, w in found if label == typ))
        if matched:
            return matched
        if typ in self.model.index:
            return tuple(f[1:] for f in self.model.evidence(typ, feats, n=3, keep=_is_word))
        return ()


def _is_word(feature: str) -> bool:
    return feature.startswith(WORD)
