"""geo.i18n: tables for people and audit lines in the reader's language."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from geo.i18n import audit_text, present


def test_a_missing_text_is_empty_and_numbers_stay_numbers() -> None:
    frame = pd.DataFrame(
        {
            "plate": ["渝F12345", None],
            "township_code": ["500235105", np.nan],
            "category": ["hsr_station", None],
            "n": [3, np.nan],
        }
    )
    shown = present(
        frame,
        "zh",
        {
            "plate": "bl_col_plate",
            "township_code": "bl_col_townships",
            "category": "col_category",
            "n": "bl_col_n_events",
        },
        codes={"category": "cat_"},
        names={"township_code": {"500235105": "龙角镇"}},
    )
    assert shown.iloc[1, :3].tolist() == ["", "", ""]
    assert shown.iloc[0, :3].tolist() == ["渝F12345", "龙角镇", "高铁站"]
    assert pd.api.types.is_numeric_dtype(shown.iloc[:, 3]) and pd.isna(shown.iloc[1, 3])


def test_plans_and_briefings_are_worded_in_the_audit_log() -> None:
    plan = json.dumps({"period": "night", "window": "20:00-06:00", "posts": 9})
    assert audit_text("plan", plan, "zh") == "夜间 20:00-06:00:9 个岗位"
    assert audit_text("plan", plan, "en") == "Night 20:00-06:00: 9 posts"
    brief = json.dumps({"month": "2025-10", "scope": "500235105"})
    assert audit_text("briefing", brief, "zh", {"500235105": "龙角镇"}) == "2025-10 龙角镇"
    county = json.dumps({"month": "2025-10", "scope": ""})
    assert audit_text("briefing", county, "en") == "2025-10 whole county"
