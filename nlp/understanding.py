"""`Understanding`: one object that reads residents' messages into `Reading`s."""
from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path
from typing import Sequence

from nlp.keywords import KeywordClassifier, TypeResult
from nlp.normalize import Normalizer
from nlp.places import PlaceIndex, iter_names
from nlp.reading import NOT_A_DISPUTE, PlaceMatch, PlaceRef, Reading
from nlp.risk import RiskAssessor
from nlp.slots import blank_spans, find_dates, find_money, find_people, phone_spans

log = logging.getLogger(__name__)


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
        self.model_version = model_version(self._data_files(taxonomy, risk_file, model_dir))

    @staticmethod
    def _data_files(taxonomy, risk_file, model_dir) -> list[Path]:
        from nlp.keywords import DATA_DIR
        files = [Path(taxonomy) if taxonomy else DATA_DIR / "taxonomy.yaml",
                 Path(risk_file) if risk_file else DATA_DIR / "risk.yaml",
                 DATA_DIR / "typos.yaml", DATA_DIR / "chat_model.json"]
        if model_dir is not None:
            files += sorted(p for p in Path(model_dir).iterdir() if p.is_file())
        return files

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

    def normalize(self, text: str) -> str:
        """The text as the reading sees it (full-width, traditional characters, typos)."""
        return self._normalize(text)

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
            return Reading(text=t, type=NOT_A_DISPUTE, confidence=0.0, model_version=self.model_version,
                           extra={"error": True, "model_version": self.model_version})

    def _read(self, text: str) -> Reading:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        norm = self._normalize(text)
        chat = self.classifier.model
        margins = chat.margins(norm) if chat is not None else None
        tr = self.classify_type(norm, margins)
        spans = phone_spans(norm)
        phones = tuple(dict.fromkeys(d for _, _, d in spans))
        # phone numbers are not money nor people
        scan = blank_spans(norm, spans) if spans else norm
        money = tuple(find_money(scan))
        people = find_people(scan)
        dates = tuple(find_dates(scan))
        risk = self.risk.assess(norm, money=money, people=people)
        ask_safety, safety_cues = False, ()
        if risk.colour != "red" and not risk.set_aside and margins is not None and "red" in chat.index:
            # the learned half never makes a reading red: a text that reads like the red
            # reports it was trained on, with no rule reason, makes the bot ask the resident
            # whether anyone is hurt or in danger; not when a rule found a red cue and set it
            # aside on purpose ("不会动手的", an accident)
            threshold = float(chat.meta.get("red_threshold", 1.0))
            seen = self.risk.blank_benign(norm)
            red_margins = margins if seen == norm else chat.margins(seen)
            if chat.probability("red", red_margins) >= threshold:
                ask_safety, safety_cues = True, chat.evidence("red", seen)
        if self.model is None and risk.colour == "red":
            top = max((v for k, v in tr.scores.items() if k != NOT_A_DISPUTE), default=0.0)
            if tr.type == NOT_A_DISPUTE or ("self_harm" in risk.keys and top < 2.5):
                # violence, self-harm or a gathering is a dispute even without a type word;
                # "我不想活了" is about the person, not about the stray word that matched
                tr = TypeResult("other", 0.4, tr.type, tr.evidence, tr.scores)
        places = tuple(self.places.scan(norm))
        return Reading(text=norm, type=tr.type, confidence=tr.confidence, runner_up=tr.runner_up,
                       evidence=tr.evidence, risk=risk.colour, risk_reasons=risk.reasons,
                       ask_safety=ask_safety, places=places, phones=phones, money=money, people=people,
                       dates=dates, model_version=self.model_version,
                       extra={"risk_cues": risk.cues, "safety_cues": safety_cues, "model_version": self.model_version})
