"""CSV written for spreadsheets: text cells that cannot run as formulas."""

from __future__ import annotations

from typing import Any

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """`value` as text, with a leading quote when it starts like a formula (=, +, -, @, tab,
    CR), which a spreadsheet would otherwise run. For free text only: numbers are written as
    numbers by the caller, so a negative amount stays a number."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
