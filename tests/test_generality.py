"""The whole pipeline on a second region with no code change: Houston, from its own files.

Townships are a 3×3 grid over Houston saved as a Shapefile in Web Mercator with their own
field names; key areas are a CSV; the ledger is real Houston 2010 incidents (read in place
from ../shared/realdata) with English headers. Config only.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.cli import main

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata" / "houston_crime_2010.csv.gz"
pytestmark = pytest.mark.skipif(not REALDATA.exists(), reason="needs ../shared/realdata")


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("harris")
    assert main(["init", "--region", "Harris (test)", "--code", "480201", "--dir", str(root)]) == 0
    boxes, codes, names = [], [], []
    for i, x in enumerate((-95.60, -95.47, -95.34)):
        for j, y in enumerate((29.62, 29.74, 29.86)):
            boxes.append(shapely.box(x, y, x + 0.13, y + 0.12))
            codes.append(f"4802010{i}{j}")
            names.append(f"Ward {i}{j}")
    grid = gpd.GeoDataFrame({"XZQDM": codes, "XZQMC": names}, geometry=boxes, crs=4326)
    grid.to_crs(3857).to_file(root / "boundaries" / "wards.shp")
    pd.DataFrame(
        {
            "name": ["Downtown transit", "Med center", "Galleria", "Fifth ward market", "HS"],
            "category": ["bus_terminal", "hospital", "shopping", "rural_market", "school"],
            "lat": [29.7553, 29.7079, 29.7390, 29.7800, 29.7300],
            "lon": [-95.3630, -95.4018, -95.4619, -95.3400, -95.4000],
            "radius_m": [400, 400, 500, 600, 200],
            "market_days": ["", "", "", "2,5,8", ""],
        }
    ).to_csv(root / "key_areas.csv", index=False)
    with gzip.open(REALDATA, "rt") as fh:
        raw = pd.read_csv(fh, usecols=["local_time", "lon", "lat", "offense"]).dropna()
    raw = raw.sample(12_000, random_state=1).reset_index(drop=True)
    ledger = pd.DataFrame(
        {
            "id": [f"h{i}" for i in range(len(raw))],
            "kind": "case",
            "occurred_at": raw["local_time"],
            "lon": raw["lon"],
            "lat": raw["lat"],
            "offence": raw["offense"],
        }
    )
    ledger.to_csv(root / "ledgers" / "houston.csv", index=False)
    config = (root / "hexpatrol.toml").read_text(encoding="utf-8")
    config = (
        config.replace(
            'townships = "boundaries/townships.geojson"', 'townships = "boundaries/wards.shp"'
        )
        .replace('township_code_field = "code"', 'township_code_field = "XZQDM"')
        .replace('township_name_field = "name"', 'township_name_field = "XZQMC"')
        .replace(
            'events = ["ledgers/cases.xlsx", "ledgers/tips.xlsx"]',
            'events = ["ledgers/houston.csv"]',
        )
        .replace('language = "zh"', 'language = "en"')
    )
    (root / "hexpatrol.toml").write_text(config, encoding="utf-8")
    return root


def run(*argv: str) -> int:
    return main(list(argv))


def test_check_hotspots_plan_brief_evaluate(
    region: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.delenv("HEXPATROL_DB_URL")  # the region's own store: var/ beside its config
    cfg = str(region / "hexpatrol.toml")
    ledger = str(region / "ledgers" / "houston.csv")
    assert run("check", ledger, "--config", cfg, "--rejects", str(tmp_path / "r.csv")) == 0
    out = capsys.readouterr().out
    accepted = int(out.split(" accepted")[0].rsplit(" ", 1)[-1])
    assert 5000 < accepted < 12_000 and "outside_area" in out  # points off the grid rejected
    assert (
        run(
            "hotspots",
            "--input",
            ledger,
            "--config",
            cfg,
            "--res",
            "8",
            "--out",
            str(tmp_path / "h.csv"),
        )
        == 0
    )
    hot = pd.read_csv(tmp_path / "h.csv")
    assert hot["n"].sum() == accepted and (hot["gi_class"] == "hot_99").any()
    assert (
        run(
            "plan",
            "--input",
            ledger,
            "--config",
            cfg,
            "--teams",
            "4",
            "--fixed",
            "Med center",
            "--out",
            str(tmp_path / "p.csv"),
        )
        == 0
    )
    assert len(pd.read_csv(tmp_path / "p.csv")) == 5
    assert (
        run("brief", "--month", "2010-06", "--config", cfg, "--out", str(tmp_path), "--no-pdf") == 0
    )
    assert (tmp_path / "briefing_2010-06_county.docx").stat().st_size > 10_000
    assert (
        run(
            "evaluate",
            "--input",
            ledger,
            "--res",
            "8",
            "--method",
            "default,last",
            "--out",
            str(tmp_path / "e.csv"),
        )
        == 0
    )


@pytest.fixture
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_app_runs_on_the_second_region(region: Path, monkeypatch, fresh_caches) -> None:
    config = str(region / "hexpatrol.toml")
    monkeypatch.setenv("HEXPATROL_CONFIG", config)
    monkeypatch.delenv("HEXPATROL_DB_URL")  # the region's own store: var/ beside its config
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert run("users", "add", "chief", "--role", "commander", "--password-stdin") == 0
    assert run("import", str(region / "ledgers" / "houston.csv"), "--user", "chief") == 0
    assert (region / "var" / "hexpatrol.sqlite").is_file()
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not app.exception
    assert "Synthetic" not in " ".join(c.value for c in app.caption)  # no demo accounts
    app.text_input[0].set_value("chief")
    app.text_input[1].set_value("a long password")
    app.button[0].click().run()
    assert not app.exception
    assert app.title[0].value == "Illegal-transport hotspot patrol map"  # language = "en"
    assert not app.caption or "Synthetic" not in app.caption[0].value  # not the demo
    metrics = {m.label: m.value for m in app.metric}
    assert int(metrics["Events"].replace(",", "")) > 5000
    risk = app.dataframe[0].value
    assert set(risk.iloc[:, 0]) == {
        "Downtown transit",
        "Med center",
        "Galleria",
        "Fifth ward market",
        "HS",
    }
