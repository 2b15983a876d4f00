"""Personal data: plates are masked outside the commander role."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

import pandas as pd

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


#: per-process key for plate ids: stable while the server runs, never shown or stored
_PLATE_KEY = secrets.token_bytes(32)


def plate_id(plate: object) -> str:
    """A short non-reversible id of a plate (same plate, same id, within one process)."""
    if plate is None or (isinstance(plate, float) and plate != plate):
        return ""
    text = re.sub(r"[\s·.\-]", "", str(plate)).upper()
    if not text:
        return ""
    return "V" + hmac.new(_PLATE_KEY, text.encode("utf-8"), hashlib.sha256).hexdigest()[:8]


def mask_events(events: pd.DataFrame) -> pd.DataFrame:
    """Events with masked plates (and masked parties) plus ``plate_id`` to tell them apart."""
    out = events.copy()
    if "plate" in out.columns:
        codes, uniques = pd.factorize(out["plate"], use_na_sentinel=True)
        masked = [mask_plate(u) for u in uniques]
        ids = [plate_id(u) for u in uniques]
        out["plate"] = pd.array([masked[c] if c >= 0 else None for c in codes], dtype="string")
        out["plate_id"] = pd.array([ids[c] if c >= 0 else None for c in codes], dtype="string")
    if "party" in out.columns:
        out["party"] = out["party"].map(
            lambda v: None if v is None or pd.isna(v) or not str(v) else str(v)[0] + "**"
        )
    return out
