"""Shared fixtures: the demo data set (loaded once) and small literal frames."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.config import Settings
from geo.dataset import Dataset, load_dataset


@pytest.fixture(scope="session")
def demo() -> Dataset:
    """The bundled synthetic Yunyang data set."""
    return load_dataset(Settings())


@pytest.fixture
def two_townships() -> gpd.GeoDataFrame:
    """Two adjacent 0.1° squares: 甲镇 (west) and 乙乡 (east)."""
    return gpd.GeoDataFrame(
        {"code": ["500235001", "500235002"], "name": ["甲镇", "乙乡"]},
        geometry=[shapely.box(108.6, 30.9, 108.7, 31.0), shapely.box(108.7, 30.9, 108.8, 31.0)],
        crs=4326,
    )


def make_events(
    rows: list[tuple[str, float, float]], start: str = "2025-10-01 20:00"
) -> pd.DataFrame:
    """Canonical-looking events from (kind, lat, lon) triples, one minute apart."""
    times = pd.date_range(start, periods=len(rows), freq="min", tz="Asia/Shanghai")
    return pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(len(rows))],
            "kind": [r[0] for r in rows],
            "occurred_at": times,
            "lat": [r[1] for r in rows],
            "lon": [r[2] for r in rows],
            "township_code": None,
        }
    )
