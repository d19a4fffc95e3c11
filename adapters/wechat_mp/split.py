"""Long answers in several WeChat text messages.

WeChat limits a text message's content to 2048 bytes (UTF-8), both for a passive reply and for
a customer-service message (`message/custom/send` answers 45002 "content size out of limit";
some clients silently show nothing). A long answer — a case's ledger, a long list of cases — is
cut into parts that each fit, at the most sensible place inside the limit: a blank line, else a
line break, else the end of a Chinese sentence (。！？…), else a clause (，；：、 or a space),
else between two characters. A cut never falls inside a UTF-8 character (we cut strings, not
bytes), inside a case number (JF261123-007), a phone number, a URL or any other run of
letters and digits, nor between a character and the mark or joiner that belongs to it.

Whitespace at a cut is dropped (a message does not start with a line break); nothing else is.
The cut is greedy from the start, so splitting what is left after the first part gives the
same parts as splitting the whole: a remainder can be stored and split again later.
"""
from __future__ import annotations

import re
import unicodedata

LIMIT = 2048                     # bytes: WeChat's limit for a text message's content
# a little under the limit: clients differ in how they count a line end; 2000 bytes is ~660 hanzi
PART_BYTES = 2000
MIN_FILL = 0.5                   # a cut at a weaker boundary is used when a stronger one would leave a part under half full

# strongest first: each a pattern whose match END is a place to cut
_BOUNDARIES = (
    re.compile(r"\n[ \t\r]*\n"),                      # a blank line (paragraph)
    re.compile(r"\n"),                                # a line break
    re.compile(r"[。！？!?…]+[”’」』）)]*"),             # the end of a sentence (with its closing quote)
    re.compile(r"[；;：:，,、]|[.](?=\s)|\s"),           # a clause, or any space
)
# runs a cut must not fall inside: case numbers (with the spaces and dashes canonical_number
# allows), and any run of ASCII letters, digits and URL / number punctuation
_CASE_NUMBER = re.compile(r"[A-Za-z]{1,4}\s*-?\s*\d{6}\s*-?\s*\d{3,6}")
_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-./:@%+=&?#~]*")


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def split_text(text: str, limit: int = PART_BYTES) -> list[str]:
    """The parts of `text`, each at most `limit` bytes of UTF-8; [] for blank text."""
    parts: list[str] = []
    rest = text
    while True:
        head, rest = split_once(rest, limit)
        if not head:
            return parts
        parts.append(head)


def split_once(text: str, limit: int = PART_BYTES) -> tuple[str, str]:
    """The first part of `text` and what is left (to be split the same way later): ("", "") when blank."""
    if limit < 16:
        raise ValueError("a part must hold at least a few characters")
    text = text.strip()
    if utf8_len(text) <= limit:
        return text, ""
    cut = _cut(text, limit)
    return text[:cut].rstrip(), text[cut:].lstrip()


def _fits(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` bytes (at least one)."""
    size = 0
    for i, ch in enumerate(text):
        size += len(ch.encode("utf-8"))
        if size > limit:
            return max(i, 1)
    return len(text)


def _cut(text: str, limit: int) -> int:
    """Where to cut `text` (longer than `limit` bytes): an index, 0 < index < len(text)."""
    end = _fits(text, limit)
    window = text[:end]
    reach = min(len(text), end + 64)
    # case numbers on their own too: one glued to other digits ("13912345678JF261123-007") is
    # still kept whole when the run around it has to be cut
    spans = [m.span() for rx in (_CASE_NUMBER, _RUN) for m in rx.finditer(text, 0, reach)]
    for pattern in _BOUNDARIES:
        best = 0
        for m in pattern.finditer(window):
            if 0 < m.end() <= end and not _inside(m.end(), spans) and not _joined(text, m.end()):
                best = m.end()
        if best and utf8_len(text[:best]) >= limit * MIN_FILL:
            return best
    # no good boundary in the second half: the latest allowed one anywhere, else between characters
    for pattern in _BOUNDARIES:
        best = max((m.end() for m in pattern.finditer(window)
                    if 0 < m.end() <= end and not _inside(m.end(), spans) and not _joined(text, m.end())), default=0)
        if best:
            return best
    cut = end
    # move back to the start of the innermost run the cut would split
    for start, stop in sorted(spans, key=lambda span: -span[0]):
        if start < cut < stop and start > 0:
            cut = start
            break
    back = cut
    while 1 < back and _joined(text, back):     # keep a character with its combining mark / joiner,
        back -= 1
    return back if not _inside(back, spans) else cut     # unless that splits a number ("…007" + ZWJ)


def _inside(i: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < i < stop for start, stop in spans)


def _joined(text: str, i: int) -> bool:
    """True when characters i-1 and i belong together (combining mark, ZWJ, variation selector)."""
    if i <= 0 or i >= len(text):
        return False
    after, before = text[i], text[i - 1]
    return (unicodedata.combining(after) != 0 or after in "\u200d\ufe0e\ufe0f" or before == "\u200d"
            or 0xE0100 <= ord(after) <= 0xE01EF or 0x1F3FB <= ord(after) <= 0x1F3FF)
