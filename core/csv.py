"""CSV cells made safe to open in a spreadsheet."""

from __future__ import annotations

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: object) -> object:
    """Prefix a quote to text that a spreadsheet would run as a formula (CSV injection).

    Numbers are left alone so that negative values stay numbers for pandas and R.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
