"""jiefen's understanding layer: dispute type, risk colour, places, slots, duplicates."""
from nlp.normalize import normalize
from nlp.reading import (
    DISPUTE_TYPES,
    NOT_A_DISPUTE,
    RISK_COLOURS,
    RISK_NAMES,
    TYPE_NAMES,
    PlaceMatch,
    PlaceRef,
    Reading,
)
from nlp.slots import find_dates, find_money, find_people, find_phones
from nlp.understanding import Understanding

__all__ = ["Understanding", "Reading", "PlaceRef", "PlaceMatch", "DISPUTE_TYPES", "NOT_A_DISPUTE",
           "RISK_COLOURS", "TYPE_NAMES", "RISK_NAMES", "normalize", "find_phones", "find_money",
           "find_people", "find_dates"]
