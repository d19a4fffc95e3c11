"""What one message says, worked out once, before any handler looks at it.

The `hear` middleware (bot/middlewares.py) normalises the text, reads it with the
understanding (in a reader process, within its budget) and finds its intents; the handlers
are chosen by filters on these (bot/filters.py: IntentIs, Corrected) and receive them as
`words`. No handler normalises or reads the message again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlp import Reading
from nlp.intents import Intent, intents_of, strip_correction

# emoji that answer a question: a thumbs-up confirms, a thumbs-down or a cross says no
EMOJI_WORDS = {"👍": "好", "👌": "好", "✅": "好", "🆗": "好", "🙆": "好", "✔": "好", "☑": "好",
               "👎": "不对", "❌": "不对", "🙅": "不对", "✖": "不对"}
_EMOJI_ONLY = re.compile("^[\\s" + "".join(EMOJI_WORDS) + "\\ufe0f\\U0001F3FB-\\U0001F3FF]+$")
# a report that mentions "查一下" is still a report: longer than this and read as a dispute
PROGRESS_MAX_REPORT = 12


_HAN = re.compile(r"[\u4e00-\u9fff]")


def han_count(text: str) -> int:
    """How many Chinese characters the text holds (how much was said, punctuation and emoji aside)."""
    return len(_HAN.findall(text))


def emoji_as_words(text: str) -> str:
    """A message of answering emoji only ("👍", "👌🏻") reads as the word it stands for."""
    if not _EMOJI_ONLY.match(text):
        return text
    return next((EMOJI_WORDS[ch] for ch in text if ch in EMOJI_WORDS), text)


@dataclass(frozen=True)
class Words:
    raw: str                        # as said, trimmed: what the ledger and the description keep
    text: str                       # normalised, answering emoji as words
    corrected: bool                 # began with 不对 / 错了 / 应该是 …
    body: str                       # the text without that correction word
    reading: Reading                # of `body`
    intents: frozenset[Intent]

    def has(self, *intents: Intent) -> bool:
        return not self.intents.isdisjoint(intents)


def words_of(raw: str, text: str, reading: Reading, is_case_number: bool) -> Words:
    """Put the pieces together (pure: the reading was made by the caller)."""
    corrected, body = strip_correction(text)
    intents = set(intents_of(text, body))
    if Intent.PROGRESS in intents and len(text) > PROGRESS_MAX_REPORT and reading.is_dispute:
        intents.discard(Intent.PROGRESS)        # "查一下楼上为什么天天漏水" is a report
    if is_case_number:
        intents.add(Intent.PROGRESS)
    return Words(raw=raw.strip(), text=text, corrected=corrected, body=body, reading=reading,
                 intents=frozenset(intents))
