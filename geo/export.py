"""Safe tabular exports: CSV that spreadsheet programs open without running formulas."""

from __future__ import annotations

import re

import pandas as pd

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_DANGEROUS) and not _NUMBER.match(value):
        return "'" + value
    return value


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes (UTF-8 with BOM, so Excel shows Chinese) with formula cells neutralised."""
    safe = frame.map(neutralize)
    safe.columns = [neutralize(c) for c in safe.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")
