"""Frames the pages show, computed from a :class:`~geo.dataset.Dataset` (no UI code)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import geopandas as gpd
import pandas as pd

from geo.cells import aggregate, annotate_cells, cells_to_frame
from geo.dataset import Dataset, filter_events


def hex_cells(
    ds: Dataset,
    *,
    res: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    kinds: Collection[str] | None = None,
    township_codes: Collection[str] | None = None,
    weights: tuple[float, float] = (1.0, 0.5),
) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Filtered events and their annotated hexagons (polygons, counts, names)."""
    events = filter_events(
        ds.events, start=start, end=end, kinds=kinds, township_codes=township_codes
    )
    counts = aggregate(events, res, weights={"case": weights[0], "tip": weights[1]})
    cells = annotate_cells(cells_to_frame(counts), ds.townships, ds.key_areas)
    return events, cells


def summary_counts(events: pd.DataFrame, cells: pd.DataFrame) -> dict[str, int]:
    """Headline numbers: events, cases, tips, non-empty cells."""
    return {
        "events": len(events),
        "cases": int((events["kind"] == "case").sum()),
        "tips": int((events["kind"] == "tip").sum()),
        "cells": len(cells),
    }
