from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.privacy import mask_plate


@pytest.mark.parametrize(
    ("plate", "masked"),
    [
        ("渝FB2089", "渝F·B****"),
        ("渝F·32345", "渝F·3****"),
        ("渝fab12c", "渝F·A****"),
        ("京A12345D", "京A·1*****"),
        ("ABC123", "A*****"),
        ("", ""),
        (None, ""),
    ],
    ids=["plain", "dotted", "lower", "new-energy", "foreign", "empty", "none"],
)
def test_mask(plate, masked) -> None:
    assert mask_plate(plate) == masked


@given(st.text(min_size=1, max_size=12))
def test_never_shows_more_than_three_leading_characters(text: str) -> None:
    masked = mask_plate(text)
    clean = text.strip().upper().replace("·", "")
    if len(clean) > 4:
        assert clean not in masked.replace("·", "")
        assert masked.count("*") >= len(clean) - 3 - 1
