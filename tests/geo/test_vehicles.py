"""车辆筛查 logic (geo.vehicles, geo.blacklist_entries) on small literal fixtures (synthetic)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.auth import Scope
from geo.blacklist_entries import BlacklistEntryError, add_entry, stored_vehicles, with_entries
from geo.privacy import plate_id
from geo.schema import TZ
from geo.screening.core import KEY_METRICS, ScreenResult
from geo.store import Store
from geo.vehicles import (
    PassFolder,
    Screening,
    VehicleNotListed,
    checkpoint_counts,
    checkpoint_townships,
    find_pass_folder,
    listed_only,
    scoped_result,
    scoped_suspects,
    timeline,
    vehicle_events,
    vehicle_passes,
)
from tests.geo import screen_data

WEEK = screen_data.WEEK
#: 甲镇 holds A1, 乙镇 holds B1, 城区 holds H1 and U1; M1 (丙镇) stands in no polygon
TOWNSHIPS = gpd.GeoDataFrame(
    {"code": ["T-JIA", "T-YI", "T-CITY"], "name": ["甲镇", "乙镇", "城区"]},
    geometry=[
        shapely.box(108.65, 30.95, 108.75, 31.05),
        shapely.box(108.65, 31.15, 108.75, 31.25),
        shapely.box(108.75, 30.85, 108.85, 30.95),
    ],
    crs=4326,
)
CHECKPOINTS = pd.DataFrame(
    {
        "cp_id": ["A1", "M1", "B1", "H1", "U1"],
        "cp_name": ["甲镇出入口", "丙镇出入口", "乙镇出入口", "高铁站", "城区路口"],
        "kind": ["township_gate", "township_gate", "township_gate", "hsr_station", "urban_road"],
        "lon": [108.70, 108.70, 108.70, 108.80, 108.81],
        "lat": [31.00, 31.10, 31.20, 30.90, 30.90],
    }
)
ROUTE, STATION, QUIET = "渝F12345", "渝F67890", "渝F55555"


def _result(suspects: pd.DataFrame) -> ScreenResult:
    return ScreenResult(
        suspects=suspects,
        features=pd.DataFrame({"plate": suspects["plate"]}),
        counts={"rows_in": 0, "used": 0, "rejected": 0, "outside_window": 0},
        rejects=pd.DataFrame({"reason": [], "n": []}),
        samples=pd.DataFrame(),
        window=WEEK,
        engine="duckdb",
        scorer="rules",
        evaluation=pd.DataFrame(),
    )


@pytest.fixture
def screening() -> Screening:
    """渝F12345 (甲镇 ↔ 乙镇) is highly suspected, 渝F67890 (station) to watch, 渝F55555 not."""
    suspects = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "plate": [ROUTE, STATION, QUIET],
            "score": [80.0, 35.0, 5.0],
            "grade": ["high", "low", "none"],
            "reasons": [[("span", {"hours": 9.5})], [], []],
            "known": [True, False, False],
            "n_cases": [2, 0, 0],
            "score_rules": [80.0, 35.0, 5.0],
            "score_model": float("nan"),
            "route": ["甲镇—乙镇", "", ""],
            **{m: [1.0, 2.0, 3.0] for m in KEY_METRICS},
            "first_seen": pd.to_datetime(["2025-10-13 05:50"] * 3),
            "last_seen": pd.to_datetime(["2025-10-18 08:00"] * 3),
        }
    )
    visits = pd.DataFrame(
        {
            "plate": [ROUTE, ROUTE, ROUTE, STATION, STATION],
            "cp_id": ["A1", "M1", "B1", "H1", "U1"],
            "n": [6, 6, 6, 4, 2],
        }
    )
    cps = CHECKPOINTS.assign(township_code=checkpoint_townships(CHECKPOINTS, TOWNSHIPS))
    return Screening(listed_only(_result(suspects)), cps, visits)


def test_checkpoints_get_the_township_they_stand_in() -> None:
    codes = checkpoint_townships(CHECKPOINTS, TOWNSHIPS)
    assert codes.tolist() == ["T-JIA", None, "T-YI", "T-CITY", "T-CITY"]


def test_only_graded_vehicles_are_kept(screening: Screening) -> None:
    assert screening.result.suspects["plate"].tolist() == [ROUTE, STATION]
    assert screening.result.features.empty  # nothing of the other vehicles is kept


class TestScope:
    def test_commander_sees_every_listed_plate(self, screening: Screening) -> None:
        rows = scoped_suspects(screening, Scope(None, mask_plates=False))
        assert rows["plate"].tolist() == [ROUTE, STATION]
        assert rows["township_codes"].tolist() == ["T-JIA,T-YI", "T-CITY"]

    def test_analyst_sees_masked_plates_with_stable_ids(self, screening: Screening) -> None:
        rows = scoped_suspects(screening, Scope(None, mask_plates=True))
        assert rows["plate"].tolist() == [
            f"渝F·1**** ({plate_id(ROUTE)})",
            f"渝F·6**** ({plate_id(STATION)})",
        ]
        again = scoped_suspects(screening, Scope(None, mask_plates=True))
        assert rows["vehicle_id"].tolist() == again["vehicle_id"].tolist()
        assert rows["vehicle_id"].tolist() == [plate_id("渝F·12345"), plate_id(STATION)]
        assert not any(ROUTE in p or STATION in p for p in rows["plate"])

    @pytest.mark.parametrize(
        ("code", "plates"),
        [("T-JIA", [ROUTE]), ("T-YI", [ROUTE]), ("T-CITY", [STATION]), ("T-NONE", [])],
        ids=["jia", "yi", "city", "elsewhere"],
    )
    def test_township_sees_vehicles_seen_at_its_checkpoints(
        self, screening: Screening, code: str, plates: list[str]
    ) -> None:
        rows = scoped_suspects(screening, Scope(code, mask_plates=True))
        assert rows["vehicle_id"].tolist() == [plate_id(p) for p in plates]
        assert rows["plate"].str.contains(r"\*").all()
        assert rows["rank"].tolist() == list(range(1, len(rows) + 1))  # no county ranks

    def test_export_is_the_scoped_list(self, screening: Screening) -> None:
        from geo.screening.report import suspect_rows

        rows = suspect_rows(scoped_result(screening, Scope("T-CITY", mask_plates=True)))
        assert len(rows) == 1 and rows["plate"].iloc[0].startswith("渝F·6****")
        assert rows["grade"].tolist() == ["一般关注"]


@pytest.fixture
def folder(tmp_path: Path) -> PassFolder:
    """The literal passes of tests/geo/screen_data.py as a pass folder."""
    root = tmp_path / "screening"
    (root / "passes").mkdir(parents=True)
    screen_data.CHECKPOINTS.to_csv(root / "checkpoints.csv", index=False)
    screen_data.passes().to_csv(root / "passes" / "week.csv", index=False)
    return PassFolder(root)


class TestPasses:
    def test_folder_found_in_order(self, tmp_path: Path, folder: PassFolder) -> None:
        assert find_pass_folder(tmp_path) == folder
        assert find_pass_folder(tmp_path / "nothing") is None
        before = folder.stamp()
        (folder.passes / "more.csv").write_text("号牌号码,过车时间,卡口编号\n", encoding="utf-8")
        assert folder.stamp() != before  # a new file is a new cache key

    def test_a_listed_vehicles_passes(self, folder: PassFolder, screening: Screening) -> None:
        passes = vehicle_passes(folder, _settings(), screening, Scope(None, False), plate_id(ROUTE))
        assert len(passes) == 17  # 18 reads, one misread as 渝F1234S
        assert passes["time"].is_monotonic_increasing
        assert set(passes["cp_id"]) == {"A1", "M1", "B1"}

    @pytest.mark.parametrize("plate", [QUIET, "渝FW0001", "渝F00000"], ids=["none", "white", "x"])
    def test_no_pass_of_an_unlisted_vehicle(
        self, folder: PassFolder, screening: Screening, plate: str
    ) -> None:
        with pytest.raises(VehicleNotListed):
            vehicle_passes(folder, _settings(), screening, Scope(None, False), plate_id(plate))

    def test_township_sees_only_its_checkpoints(
        self, folder: PassFolder, screening: Screening
    ) -> None:
        scope = Scope("T-JIA", True)
        passes = vehicle_passes(folder, _settings(), screening, scope, plate_id(ROUTE))
        assert set(passes["cp_id"]) == {"A1"} and set(passes["township_code"]) == {"T-JIA"}
        with pytest.raises(VehicleNotListed):  # the station car was never seen in 甲镇
            vehicle_passes(folder, _settings(), screening, scope, plate_id(STATION))


def _settings():
    from geo.config import Settings

    return Settings()


def test_timeline_has_every_day_and_hour() -> None:
    passes = pd.DataFrame(
        {"time": pd.to_datetime(["2025-10-13 05:50", "2025-10-13 05:59", "2025-10-18 23:10"])}
    )
    table = timeline(passes, WEEK)
    assert table.shape == (7, 24) and int(table.to_numpy().sum()) == 3
    assert table.loc[dt.date(2025, 10, 13), 5] == 2 and table.loc[dt.date(2025, 10, 18), 23] == 1
    assert timeline(passes.iloc[:0], WEEK).to_numpy().sum() == 0


def test_checkpoint_counts_most_passed_first() -> None:
    passes = pd.DataFrame(
        {
            "time": pd.to_datetime(["2025-10-13 06:00", "2025-10-13 07:00", "2025-10-13 08:00"]),
            "cp_id": ["A1", "B1", "B1"],
            "cp_name": ["甲", "乙", "乙"],
            "kind": ["x", "x", "x"],
            "lon": [1.0, 2.0, 2.0],
            "lat": [1.0, 2.0, 2.0],
        }
    )
    out = checkpoint_counts(passes)
    assert out["cp_id"].tolist() == ["B1", "A1"] and out["n"].tolist() == [2, 1]
    assert checkpoint_counts(passes.iloc[:0]).empty


def test_vehicle_events_by_plate_or_masked_id() -> None:
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3"],
            "kind": ["case", "tip", "case"],
            "occurred_at": pd.to_datetime(["2025-10-01", "2025-10-05", "2025-10-03"]),
            "plate": ["渝F·12345", "渝F12345", "渝F99999"],
        }
    )
    assert vehicle_events(events, plate_id(ROUTE))["event_id"].tolist() == ["e2", "e1"]
    masked = events.assign(plate="渝F·1****", plate_id=[plate_id(p) for p in events["plate"]])
    assert vehicle_events(masked, plate_id(ROUTE))["event_id"].tolist() == ["e2", "e1"]
    assert vehicle_events(events.drop(columns="plate"), plate_id(ROUTE)).empty


class TestBlacklistEntries:
    @pytest.fixture
    def store(self, tmp_path: Path) -> Store:
        return Store(f"sqlite:///{tmp_path}/s.sqlite")

    def test_added_once_audited_and_scoped(self, store: Store) -> None:
        assert add_entry(
            store,
            "渝F·12345",
            source="screening",
            username="boss",
            note="夜间  跑线",
            township_codes=["T-JIA", "T-YI"],
        )
        assert not add_entry(store, "渝F12345", source="screening", username="boss")
        full = stored_vehicles(store, mask=False)
        assert full["plate"].tolist() == [ROUTE] and full["note"].tolist() == ["夜间 跑线"]
        assert full["source"].tolist() == ["screening"] and full["townships"][0] == "T-JIA,T-YI"
        masked = stored_vehicles(store, township_code="T-YI")
        assert masked["plate"].tolist() == [f"渝F·1**** ({plate_id(ROUTE)})"]
        assert masked["townships"].tolist() == ["T-YI"]  # no other township named
        assert stored_vehicles(store, township_code="T-CITY").empty
        log = store.audit_log()
        assert log["action"].tolist().count("blacklist_add") == 1
        assert pd.isna(full["first_seen"][0]) and full["n_events"][0] == 0  # no events given

    def test_an_added_vehicle_shows_its_cases_and_tips(self, store: Store) -> None:
        """Counts, times and last position come from the scope's events, by plate or id."""
        add_entry(store, ROUTE, source="screening", username="boss", township_codes=["T-JIA"])
        when = pd.to_datetime(["2025-10-01 21:00", "2025-10-03 22:30"]).tz_localize(TZ)
        events = pd.DataFrame(
            {
                "event_id": ["C1", "T1"],
                "kind": ["case", "tip"],
                "plate": [ROUTE, ROUTE],
                "occurred_at": when,
                "lat": [30.93, 30.95],
                "lon": [108.69, 108.70],
            }
        )
        row = stored_vehicles(store, mask=False, events=events).iloc[0]
        assert (row["n_events"], row["n_cases"], row["n_tips"]) == (2, 1, 1)
        assert row["first_seen"] == when[0] and row["last_seen"] == when[1]
        assert (row["last_lat"], row["last_lon"]) == (30.95, 108.70)
        assert row["event_ids"] == ["C1", "T1"]
        masked = events.assign(plate="渝F·1****", plate_id=plate_id(ROUTE))  # an analyst's
        assert stored_vehicles(store, events=masked).iloc[0]["n_events"] == 2

    @pytest.mark.parametrize(
        ("plate", "source", "note"),
        [("", "screening", ""), ("渝F12345", "rumour", ""), ("渝F12345", "screening", "x" * 501)],
        ids=["no-plate", "source", "long-note"],
    )
    def test_refused(self, store: Store, plate: str, source: str, note: str) -> None:
        with pytest.raises(BlacklistEntryError):
            add_entry(store, plate, source=source, username="boss", note=note)

    def test_one_table_with_sources(self, store: Store) -> None:
        from geo.blacklist import vehicle_blacklist

        add_entry(store, ROUTE, source="screening", username="boss")
        ruled = vehicle_blacklist(pd.DataFrame(columns=["occurred_at", "kind", "plate"]))
        table = with_entries(ruled, stored_vehicles(store, mask=False))
        assert table["source"].tolist() == ["screening"] and table["plate"].tolist() == [ROUTE]
        events = pd.DataFrame(
            {
                "event_id": ["e1", "e2", "e3", "e4", "e5", "e6"],
                "kind": "case",
                "occurred_at": pd.date_range("2025-10-01", periods=6, freq="D"),
                "plate": [ROUTE, ROUTE, ROUTE, STATION, STATION, STATION],
                "lat": 31.0,
                "lon": 108.7,
                "township_code": "T-JIA",
            }
        )
        table = with_entries(
            vehicle_blacklist(events, mask=False), stored_vehicles(store, mask=False)
        )
        assert sorted(table["plate"]) == sorted([ROUTE, STATION])  # one row a vehicle
        sources = dict(zip(table["plate"], table["source"], strict=True))
        assert sources == {ROUTE: "events,screening", STATION: "events"}
