"""Key areas edited in the app: validation, saving, audit, and use by the data set."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.auth import Scope
from geo.config import Settings
from geo.dataset import load_dataset, settings_townships
from geo.errors import ConfigError
from geo.keyarea_edits import editable, save_key_areas, stored_key_areas, validate
from geo.regions import load_key_areas
from geo.store import Store

ROW = {
    "id": "",
    "name": "新集市",
    "category": "rural_market",
    "lat": 30.95,
    "lon": 108.65,
    "radius_m": 400.0,
    "market_days": "2,5,8",
    "market_hours": "",
    "name_en": "",
    "note": "",
}


@pytest.fixture
def store(tmp_path) -> Store:
    with Store(f"sqlite:///{tmp_path}/ka.sqlite") as s:
        yield s


def test_validation_names_every_bad_row(two_townships) -> None:
    bad = pd.DataFrame(
        [
            ROW,
            {**ROW, "name": "", "category": "castle"},
            {**ROW, "lat": 10.0},
            {**ROW, "radius_m": 0, "market_days": "every day"},
        ]
    )
    with pytest.raises(ConfigError) as err:
        validate(bad, two_townships)
    text = str(err.value)
    assert "row 1" not in text
    assert "row 2, name" in text and "row 2, category: 'castle'" in text
    assert "row 3, lat/lon" in text and "outside every township" in text
    assert "row 4, radius_m" in text and "row 4, market_days" in text
    with pytest.raises(ConfigError, match="at least one"):
        validate(bad.iloc[0:0], two_townships)


def test_new_rows_get_ids_and_townships(two_townships) -> None:
    table = pd.DataFrame([{**ROW, "id": "ka000"}, ROW, {**ROW, "lon": 108.75}])
    out = validate(table, two_townships)
    assert out["id"].iloc[0] == "ka000" and out["id"].str.startswith("ka").all()
    assert out["id"].is_unique
    assert out["township_code"].tolist() == ["500235001", "500235001", "500235002"]


def test_save_audit_and_use(store: Store) -> None:
    settings = Settings()
    towns = settings_townships(settings)
    original = load_key_areas(settings.key_areas)
    assert stored_key_areas(store) is None  # nothing saved: the file is the list
    table = editable(original)
    hsr = table.index[table["category"] == "hsr_station"][0]
    table.loc[hsr, "radius_m"] = 800.0
    first = table["name"].iloc[-1]
    table = table.iloc[:-1]  # delete the last one
    point = original.geometry.iloc[0]
    table = pd.concat(
        [table, pd.DataFrame([{**ROW, "lat": point.y + 0.001, "lon": point.x}])], ignore_index=True
    )
    summary = save_key_areas(store, table, townships=towns, previous=original, username="boss")
    assert summary["added"] == ["新集市"] and summary["removed"] == [first]
    assert summary["changed"]
    saved = stored_key_areas(store)
    assert saved is not None and len(saved) == len(original)
    assert "新集市" in set(saved["name"]) and first not in set(saved["name"])
    assert store.audit_log()["detail"].str.contains("新集市").any()
    ds = load_dataset(settings, store=store, scope=Scope(None, False))
    assert set(ds.key_areas["name"]) == set(saved["name"])
    assert ds.key_areas.loc[ds.key_areas["name"] == "新集市", "township_code"].notna().all()
