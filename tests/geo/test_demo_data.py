"""The committed demo set is what the seeded script makes, and it has the promised shape."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import main
from geo.config import DEMO_DIR
from geo.ingest import read_ledger
from geo.regions import KEY_AREA_CATEGORIES


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize(
    "name",
    [
        "townships.geojson",
        "key_areas.geojson",
        "routes.geojson",
        "cases.csv",
        "tips.csv",
        "summary.json",
    ],
)
def test_committed_files_are_reproducible(regenerated: Path, name: str) -> None:
    assert (regenerated / name).read_bytes() == (DEMO_DIR / name).read_bytes()


def test_demo_is_labelled_synthetic() -> None:
    assert "SYNTHETIC" in (DEMO_DIR / "cases.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "SYNTHETIC" in (DEMO_DIR / "tips.csv").read_text(encoding="gbk").splitlines()[0]
    assert json.loads((DEMO_DIR / "summary.json").read_text())["synthetic"] is True


def test_townships_and_key_areas(demo) -> None:
    assert len(demo.townships) == 42 and demo.townships["code"].str.fullmatch(r"500235\d{3}").all()
    assert demo.townships["boundary_note"].str.contains("not legal boundaries").all()
    assert demo.townships.geometry.is_valid.all()
    ka = demo.key_areas
    assert set(ka["category"]) == set(KEY_AREA_CATEGORIES)
    hsr = ka[ka["category"] == "hsr_station"].iloc[0]
    assert hsr["name"].startswith("云阳站")
    assert demo.townships.set_index("code").loc[hsr["township_code"], "name"] == "黄石镇"
    markets = ka[ka["category"] == "rural_market"]
    assert set(markets["market_days"]) == {"1,4,7", "2,5,8", "3,6,9"}
    assert set(demo.routes["name"]) == {"江口—云阳", "南溪—云阳"}


def test_events_have_the_patterns_a_commander_expects(demo) -> None:
    ev = demo.events
    cases, tips = ev[ev["kind"] == "case"], ev[ev["kind"] == "tip"]
    assert 4000 < len(cases) < 7000 and 6500 < len(tips) < 10000
    assert ev["occurred_at"].min() >= pd.Timestamp("2024-01-01", tz="Asia/Shanghai")
    assert ev["occurred_at"].max() < pd.Timestamp("2026-01-01", tz="Asia/Shanghai")
    hour = ev["occurred_at"].dt.hour
    assert (hour.isin([20, 21, 22])).mean() > 2 * (hour.isin([3, 4, 5])).mean()  # night peak
    assert (cases["seats"] >= 7).mean() > 0.4  # 7+ seat vans over-represented
    assert (tips["crs_in"] == "gcj02").mean() > 0.5  # Amap users report GCJ-02
    day = ev["occurred_at"].dt.day
    markets = demo.key_areas[demo.key_areas["category"] == "rural_market"]
    town = markets[markets["market_days"] == "1,4,7"]["township_code"]
    in_town = ev["township_code"].isin(town)
    on_market_day = day.mod(10).isin([1, 4, 7])
    days = pd.Series(pd.date_range("2024-01-01", "2025-12-31").day).mod(10).isin([1, 4, 7])
    per_day = ev[in_town].groupby(on_market_day[in_town]).size() / days.value_counts()
    assert per_day[True] > 2 * per_day[False]  # market days draw black cars


def test_tipster_identities_stay_out_of_events() -> None:
    result = read_ledger(DEMO_DIR / "tips.csv")
    assert len(result.tipsters) == result.n_accepted
    assert not {"tipster_name", "tipster_phone"} & set(result.events.columns)
    names = set(result.tipsters["tipster_name"])
    assert not names & set(result.events.astype(str).stack())
