"""Personal data: plates are masked outside the commander role."""

from __future__ import annotations

import re

_PLATE = re.compile(r"^([\u4e00-\u9fff])([A-Z])[·\.\s-]?([A-Z0-9])([A-Z0-9]+)$")


def mask_plate(plate: object) -> str:
    """``渝FB2089`` → ``渝F·B****``: province, city letter and first character kept.

    Anything that does not look like a Chinese plate is masked whole except its first
    character, so no unexpected format leaks in full.
    """
    if plate is None or (isinstance(plate, float) and plate != plate):
        return ""
    text = str(plate).strip().upper()
    if not text:
        return ""
    m = _PLATE.match(text)
    if m:
        return f"{m.group(1)}{m.group(2)}·{m.group(3)}{'*' * len(m.group(4))}"
    return text[0] + "*" * (len(text) - 1)
