"""`Understanding`: one object that reads residents' messages into `Reading`s."""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Sequence

from nlp.keywords import KeywordClassifier, TypeResult
from nlp.normalize import Normalizer
from nlp.places import PlaceIndex, iter_names
from nlp.reading import NOT_A_DISPUTE, PlaceMatch, PlaceRef, Reading
from nlp.risk import RiskAssessor
from nlp.slots import find_dates, find_money, find_people, find_phones

log = logging.getLogger(__name__)


class Understanding:
    """Builds everything once; `read` is then cheap and never raises.

    No module-level mutable state: each instance owns its normaliser, scanners, place
    index and a private `jieba.Tokenizer` (built lazily, used by learned models and
    `tokens`). With `model_dir`, a label set learned by `jiefen nlp train` replaces the
    built-in types (risk, places and slots stay the same).
    """

    def __init__(self, places: Sequence[PlaceRef] = (), *, model_dir: str | Path | None = None,
                 taxonomy: str | Path | None = None, risk_file: str | Path | None = None):
        self._normalize = Normalizer()
        self.classifier = KeywordClassifier(taxonomy) if taxonomy else KeywordClassifier.with_chat_model()
        self.risk = RiskAssessor(risk_file)
        self.places = PlaceIndex(places)
        self._place_list = list(places)
        self._lock = threading.Lock()
        self._tokenizer = None
        self.model = None
        if model_dir is not None:
            from nlp.learn import LearnedModel
            self.model = LearnedModel.load(model_dir)
            self.model.attach(self.tokenizer)

    # -- jieba -----------------------------------------------------------------
    def tokenizer(self):
        """A private jieba tokenizer whose user dictionary holds the taxonomy words and
        the place names/aliases (built on first use)."""
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    import jieba
                    jieba.setLogLevel(logging.WARNING)
                    tk = jieba.Tokenizer()
                    tk.initialize()
                    for w in self.classifier.words():
                        tk.add_word(w, freq=2000)
                    for w in iter_names(self._place_list):
                        tk.add_word(w, freq=5000, tag="ns")
                    self._tokenizer = tk
        return self._tokenizer

    def tokens(self, text: str) -> list[str]:
        return self.tokenizer().lcut(self._normalize(text))

    # -- registry --------------------------------------------------------------
    def set_places(self, places: Sequence[PlaceRef]) -> None:
        places = list(places)
        idx = PlaceIndex(places)
        self.places = idx
        self._place_list = places
        if self._tokenizer is not None:
            for w in iter_names(places):
                self._tokenizer.add_word(w, freq=5000, tag="ns")

    def match_places(self, text: str, limit: int = 3) -> list[PlaceMatch]:
        try:
            return self.places.fuzzy(self._normalize(text), limit=limit)
        except Exception:  # pragma: no cover - never fail on odd input
            log.exception("match_places failed")
            return []

    # -- reading ---------------------------------------------------------------
    def classify_type(self, norm: str, margins=None) -> TypeResult:
        if self.model is not None:
            return self.model.classify(norm)
        return self.classifier.classify(norm, margins)

    def read(self, text: str) -> Reading:
        try:
            return self._read(text)
        except Exception:  # never raise: a reading that says "not understood"
            log.exception("read failed")
            t = text if isinstance(text, str) else ""
            return Reading(text=t, type=NOT_A_DISPUTE, confidence=0.0, extra={"error": True})

    def _read(self, text: str) -> Reading:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        norm = self._normalize(text)
        chat = self.classifier.model
        margins = chat.margins(norm) if chat is not None else None
        tr = self.classify_type(norm, margins)
        phones = tuple(find_phones(norm))
        # phone numbers are not money nor people
        scan = norm
        for p in phones:
            scan = scan.replace(p, " ")
        money = tuple(find_money(scan))
        people = find_people(scan)
        dates = tuple(find_dates(scan))
        risk = self.risk.assess(norm, money=money, people=people)
        if risk.colour != "red" and not risk.set_aside and margins is not None and "red" in chat.index:
            # the learned half: a text that reads like the red reports it was trained on
            # is red even when no rule fired (a missed red is the worst error); not when
            # a rule found a red cue and set it aside on purpose ("不会动手的", an accident)
            threshold = float(chat.meta.get("red_threshold", 1.0))
            seen = self.risk.blank_benign(norm)
            red_margins = margins if seen == norm else chat.margins(seen)
            if chat.probability("red", red_margins) >= threshold:
                risk = self.risk.learned_red(risk, chat.evidence("red", seen))
        if self.model is None and risk.colour == "red":
            top = max((v for k, v in tr.scores.items() if k != NOT_A_DISPUTE), default=0.0)
            if tr.type == NOT_A_DISPUTE or ("self_harm" in risk.keys and top < 2.5):
                # violence, self-harm or a gathering is a dispute even without a type word;
                # "我不想活了" is about the person, not about the stray word that matched
                tr = TypeResult("other", 0.4, tr.type, tr.evidence, tr.scores)
        places = tuple(self.places.scan(norm))
        return Reading(text=norm, type=tr.type, confidence=tr.confidence, runner_up=tr.runner_up,
                       evidence=tr.evidence, risk=risk.colour, risk_reasons=risk.reasons,
                       places=places, phones=phones, money=money, people=people, dates=dates,
                       extra={"risk_cues": risk.cues})
