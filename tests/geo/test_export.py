from __future__ import annotations

import io

import pandas as pd
import pytest

from geo.export import neutralize, to_safe_csv


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-cmd", "'-cmd"),
        ("-12.5", "-12.5"),
        ("渝F12345", "渝F12345"),
        (42, 42),
    ],
    ids=["equals", "plus", "at", "minus-text", "negative-number", "plain", "int"],
)
def test_neutralize(value, expected) -> None:
    assert neutralize(value) == expected


def test_safe_csv_round_trip_keeps_chinese_and_defuses_formulas() -> None:
    frame = pd.DataFrame({"原因": ["=1+1", "正常"], "=bad": [1, 2]})
    data = to_safe_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back.columns.tolist() == ["原因", "'=bad"]
    assert back["原因"].tolist() == ["'=1+1", "正常"]
