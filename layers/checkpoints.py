"""Checkpoints (卡口) and one screened vehicle's passes at them.

Both take plain tables of :mod:`geo.vehicles`: every checkpoint as a small grey dot, and
the checkpoints one vehicle passed as dark-red circles growing with the number of passes.
Names come from the data and go through :func:`layers.safe.text`.
"""

from __future__ import annotations

import math
from typing import Final

import folium
import pandas as pd

from geo.i18n import label, t, when
from layers.legend import Row
from layers.safe import Tooltip, text

#: every checkpoint (grey) and the vehicle's (dark red, as the blacklist's vehicles)
CHECKPOINT_COLOR: Final = "#6b6b6b"
PASSED_COLOR: Final = "#7f0000"
_DECIMALS: Final = 5


def _finite(lat: object, lon: object) -> bool:
    try:
        return math.isfinite(float(lat)) and math.isfinite(float(lon))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def checkpoint_rows(lang: str = "zh") -> list[Row]:
    """Legend rows of the two layers below: every checkpoint, the vehicle's checkpoints."""
    return [
        Row("dot", CHECKPOINT_COLOR, t("layer_checkpoints", lang)),
        Row("dot", PASSED_COLOR, t("layer_vehicle_passes", lang)),
    ]


def checkpoint_layer(checkpoints: pd.DataFrame, lang: str = "zh") -> folium.FeatureGroup:
    """One grey dot per checkpoint (``cp_name``, ``kind``, ``lat``, ``lon``), named on hover."""
    group = folium.FeatureGroup(name=t("layer_checkpoints", lang), show=True)
    for row in checkpoints.itertuples(index=False):
        if not _finite(row.lat, row.lon):
            continue
        tip = f"{text(row.cp_name)}<br>{text(label('cat_', row.kind, lang))}"
        folium.CircleMarker(
            location=[round(float(row.lat), _DECIMALS), round(float(row.lon), _DECIMALS)],
            radius=3,
            color=CHECKPOINT_COLOR,
            weight=1,
            fill=True,
            fill_opacity=0.7,
            tooltip=Tooltip(tip),
        ).add_to(group)
    return group


def vehicle_passes_layer(counts: pd.DataFrame, lang: str = "zh") -> folium.FeatureGroup:
    """Dark-red circles at the checkpoints a vehicle passed, radius growing with ``n``.

    ``counts`` is :func:`geo.vehicles.checkpoint_counts`' table (``cp_name``, ``lat``,
    ``lon``, ``n``, ``first``, ``last``); the tooltip gives the name, passes and dates.
    """
    group = folium.FeatureGroup(name=t("layer_vehicle_passes", lang), show=True)
    for row in counts.itertuples(index=False):
        if not _finite(row.lat, row.lon):
            continue
        n = int(row.n)
        passes = t("vh_tip_passes", lang, n=n, first=when(row.first), last=when(row.last))
        folium.CircleMarker(
            location=[round(float(row.lat), _DECIMALS), round(float(row.lon), _DECIMALS)],
            radius=min(6 + 2.5 * math.sqrt(n), 26),
            color=PASSED_COLOR,
            weight=2,
            fill=True,
            fill_color=PASSED_COLOR,
            fill_opacity=0.35,
            tooltip=Tooltip(f"<b>{text(row.cp_name)}</b><br>{text(passes)}"),
        ).add_to(group)
    return group
