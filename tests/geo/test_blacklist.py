"""黑名单: repeat vehicles and persons, key areas under watch (small literal frames + demo)."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geo.blacklist import (
    PERSON_COLUMNS,
    VEHICLE_COLUMNS,
    WATCHLIST_COLUMNS,
    BlacklistRules,
    key_area_watchlist,
    mask_name,
    normalize_party,
    normalize_plate,
    person_blacklist,
    vehicle_blacklist,
)
from geo.errors import ConfigError

NOW = pd.Timestamp("2025-10-31 12:00", tz="Asia/Shanghai")
GEOD = Geod(ellps="WGS84")


def _stamp(when: object) -> pd.Timestamp:
    t = pd.Timestamp(when)
    return t.tz_localize("Asia/Shanghai") if t.tzinfo is None else t


def ev(rows: list[tuple], *, party: bool = False) -> pd.DataFrame:
    """Events from (kind, occurred_at, plate[, township, lat, lon][, party]) tuples."""
    out = []
    for i, r in enumerate(rows):
        kind, when, plate = r[0], r[1], r[2]
        township, lat, lon = r[3:6] if len(r) >= 6 else ("500235001", 30.95, 108.65)
        row = {
            "event_id": f"e{i:03d}",
            "kind": kind,
            "occurred_at": _stamp(when),
            "lat": lat,
            "lon": lon,
            "township_code": township,
            "vehicle_type": "小型轿车",
            "seats": 5,
            "plate": plate,
        }
        if party:
            row["party"] = r[-1]
        out.append(row)
    return pd.DataFrame(out)


def full_text(frame: pd.DataFrame) -> str:
    """Everything a frame holds, untruncated (cells, lists, column names)."""
    return repr(frame.to_dict(orient="list")) + frame.to_string()


# ---------------------------------------------------------------- plates and names


@pytest.mark.parametrize(
    "raw",
    [
        "渝F12345",
        "渝F·12345",
        "渝f 12345",
        "渝F-12345",
        " 渝F.12345 ",
        "渝F・12345",
        "渝Ｆ１２３４５",  # full-width letter and digits
        "渝F\u300012345",  # ideographic space
        "渝 F · 1 2 3 4 5",
    ],
)
def test_plate_variants_normalise_to_one_plate(raw: str) -> None:
    assert normalize_plate(raw) == "渝F12345"


@pytest.mark.parametrize(
    "raw",
    [None, float("nan"), pd.NA, np.nan, "", "  ", "·", "无牌", "不详", "N/A", "nan", "NULL", "渝F"],
)
def test_missing_or_placeholder_plates_are_blank(raw: object) -> None:
    assert normalize_plate(raw) == ""


def test_normalize_plate_keeps_letters_apart() -> None:
    assert normalize_plate("渝FA0056") != normalize_plate("渝FA0057")
    assert normalize_plate("渝fa0d0a") == "渝FA0D0A"
    assert normalize_plate("渝FAADDB") == "渝FAADDB"  # letters only (as in the demo data)


def test_party_normalisation_and_masking() -> None:
    assert normalize_party("张 三丰") == ["张三丰"]
    assert normalize_party("张三丰、李四") == ["张三丰", "李四"]
    assert normalize_party("John  Smith") == ["John Smith"]
    assert normalize_party(None) == [] and normalize_party("  ") == []
    assert normalize_party("不详") == [] and normalize_party(pd.NA) == []
    assert mask_name("张三丰") == "张**"
    assert mask_name("张三") == "张*"
    assert mask_name("张") == "张*"  # a one-character name is never shown whole
    assert mask_name(None) == ""


# ---------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("window_days", 0),
        ("vehicle_min_events", 0),
        ("vehicle_min_cases", -1),
        ("person_min_events", 0),
        ("area_window_days", 0),
        ("area_min_events", 0),
        ("area_min_events", 2.5),
        ("window_days", True),
        ("area_growth", 1.0),
        ("area_growth", float("inf")),
        ("area_growth", "2"),
    ],
)
def test_rules_reject_bad_values_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        BlacklistRules(**{field: value})
    with pytest.raises(ConfigError, match=field):
        BlacklistRules(**{field: value})


def test_default_rules() -> None:
    r = BlacklistRules()
    assert (r.window_days, r.vehicle_min_events, r.vehicle_min_cases) == (365, 3, 0)
    assert (r.person_min_events, r.area_window_days, r.area_min_events) == (2, 30, 20)
    assert r.area_growth == 1.5


# ---------------------------------------------------------------- vehicles


def test_exactly_min_events_listed_one_less_not() -> None:
    events = ev(
        [
            ("case", "2025-10-01 20:00", "渝F11111"),
            ("tip", "2025-10-02 20:00", "渝F11111"),
            ("tip", "2025-10-03 20:00", "渝F11111"),
            ("case", "2025-10-01 21:00", "渝F22222"),
            ("tip", "2025-10-02 21:00", "渝F22222"),
        ]
    )
    table = vehicle_blacklist(events, BlacklistRules(vehicle_min_events=3), now=NOW, mask=False)
    assert table["plate"].tolist() == ["渝F11111"]
    table = vehicle_blacklist(events, BlacklistRules(vehicle_min_events=2), now=NOW, mask=False)
    assert sorted(table["plate"]) == ["渝F11111", "渝F22222"]


def test_min_cases_boundary() -> None:
    events = ev(
        [
            ("case", "2025-10-01 20:00", "渝F11111"),
            ("tip", "2025-10-02 20:00", "渝F11111"),
            ("tip", "2025-10-03 20:00", "渝F11111"),
        ]
    )
    one = vehicle_blacklist(events, BlacklistRules(vehicle_min_cases=1), now=NOW)
    two = vehicle_blacklist(events, BlacklistRules(vehicle_min_cases=2), now=NOW)
    assert len(one) == 1 and (one.loc[0, "n_cases"], one.loc[0, "n_tips"]) == (1, 2)
    assert two.empty


def test_plate_spellings_are_one_vehicle() -> None:
    events = ev(
        [
            ("case", "2025-10-01 20:00", "渝F·12345"),
            ("tip", "2025-10-02 20:00", "渝f 12345"),
            ("tip", "2025-10-03 20:00", "渝F12345"),
        ]
    )
    table = vehicle_blacklist(events, now=NOW, mask=False)
    assert table["plate"].tolist() == ["渝F12345"]
    assert table.loc[0, "event_ids"] == ["e000", "e001", "e002"]


def test_window_excludes_old_and_future_events() -> None:
    start = NOW - pd.Timedelta(days=365)
    rows = [
        ("case", NOW - pd.Timedelta(days=10), "渝F11111"),
        ("case", NOW, "渝F11111"),  # the window's end is included
        ("tip", start, "渝F11111"),  # exactly 365 days back: outside (now - 365 d, now]
        ("tip", NOW + pd.Timedelta(minutes=1), "渝F11111"),  # after now
    ]
    assert vehicle_blacklist(ev(rows), now=NOW).empty
    rows[2] = ("tip", start + pd.Timedelta(minutes=1), "渝F11111")
    table = vehicle_blacklist(ev(rows), now=NOW, mask=False)
    assert table.loc[0, "n_events"] == 3
    assert table.loc[0, "first_seen"] == start + pd.Timedelta(minutes=1)
    assert table.loc[0, "last_seen"] == NOW
    assert "e003" not in table.loc[0, "event_ids"]


def test_now_defaults_to_latest_event_not_wall_clock() -> None:
    events = ev([("case", f"2019-03-0{d} 20:00", "渝F11111") for d in (1, 2, 3)])
    assert len(vehicle_blacklist(events)) == 1
    assert vehicle_blacklist(events, now="2025-01-01").empty
    # a naive now is Shanghai time: the last event (20:00 local) is at the window's end
    assert len(vehicle_blacklist(events, now="2019-03-03 20:00")) == 1
    assert vehicle_blacklist(events, now="2019-03-03 19:59").empty


def test_messy_plates_do_not_crash_or_group() -> None:
    messy = [None, np.nan, pd.NA, "", "  ", "无牌", "无牌", "无牌", "不详", "不详", "不详"]
    events = ev([("case", f"2025-10-0{1 + i % 9} 20:00", p) for i, p in enumerate(messy)])
    assert vehicle_blacklist(events, now=NOW).empty
    events["plate"] = events["plate"].astype("string")
    assert vehicle_blacklist(events, now=NOW).empty


def test_masking_on_hides_every_spelling_of_the_plate() -> None:
    raw = ["渝F·B2089", "渝fb 2089", "渝FB2089"]
    events = ev([("case", f"2025-10-0{i + 1} 20:00", p) for i, p in enumerate(raw)])
    masked = vehicle_blacklist(events, now=NOW)
    assert masked["plate"].tolist() == ["渝F·B****"]
    text = full_text(masked)
    for spelling in [*raw, "渝FB2089", "B2089", "2089"]:
        assert spelling not in text
    plain = vehicle_blacklist(events, now=NOW, mask=False)
    assert plain["plate"].tolist() == ["渝FB2089"]
    assert "渝FB2089" in full_text(plain)  # the check above can fail


def test_table_invariants_order_and_columns() -> None:
    rows = [
        # A: 4 events, last 10-04
        ("case", "2025-10-01 20:00", "渝F00001", "500235001", 30.90, 108.60),
        ("tip", "2025-10-02 20:00", "渝F00001", "500235002", 30.91, 108.61),
        ("tip", "2025-10-03 20:00", "渝F00001", "500235001", 30.92, 108.62),
        ("case", "2025-10-04 20:00", "渝F00001", None, 30.93, 108.63),
        # B: 3 events, last 10-05; C: 3 events, last 10-09 (listed before B)
        ("case", "2025-10-01 09:00", "渝F00002", "500235003", 31.00, 108.70),
        ("case", "2025-10-02 09:00", "渝F00002", "500235003", 31.01, 108.71),
        ("case", "2025-10-05 09:00", "渝F00002", "500235003", 31.02, 108.72),
        ("tip", "2025-10-07 09:00", "渝F00003", "500235004", 31.10, 108.80),
        ("tip", "2025-10-08 09:00", "渝F00003", "500235004", 31.11, 108.81),
        ("tip", "2025-10-09 09:00", "渝F00003", "500235004", 31.12, 108.82),
    ]
    events = ev(rows).sample(frac=1.0, random_state=3)  # input order must not matter
    events["tipster_name"] = "王秘密"
    events["tipster_phone"] = "13800000000"
    table = vehicle_blacklist(events, now=NOW, mask=False)
    assert tuple(table.columns) == VEHICLE_COLUMNS
    assert table["plate"].tolist() == ["渝F00001", "渝F00003", "渝F00002"]
    assert (table["n_events"] == table["n_cases"] + table["n_tips"]).all()
    assert (table["n_events"] == table["event_ids"].map(len)).all()
    assert (table["first_seen"] <= table["last_seen"]).all()
    a = table.iloc[0]
    assert a["townships"] == "500235001,500235002"
    assert (a["last_lat"], a["last_lon"]) == (30.93, 108.63)
    assert a["event_ids"] == ["e000", "e001", "e002", "e003"]
    assert table.iloc[2]["n_cases"] == 3 and table.iloc[1]["n_tips"] == 3
    text = full_text(table)
    assert "王秘密" not in text and "13800000000" not in text


def test_empty_inputs_give_empty_tables_with_columns() -> None:
    empty = ev([]).reindex(columns=["event_id", "kind", "occurred_at", "lat", "lon", "plate"])
    assert tuple(vehicle_blacklist(empty).columns) == VEHICLE_COLUMNS
    assert tuple(person_blacklist(empty).columns) == PERSON_COLUMNS
    no_plate = ev([("case", "2025-10-01", "渝F11111")] * 3).drop(columns="plate")
    assert vehicle_blacklist(no_plate).empty


# ---------------------------------------------------------------- persons


def test_person_table_empty_without_party_column() -> None:
    events = ev([("case", f"2025-10-0{d} 20:00", "渝F11111") for d in (1, 2, 3)])
    table = person_blacklist(events, now=NOW)
    assert table.empty and tuple(table.columns) == PERSON_COLUMNS


def test_person_blacklist_counts_masks_and_splits() -> None:
    rows = [
        ("case", "2025-10-01 20:00", "渝F11111", "张三丰"),
        ("tip", "2025-10-02 20:00", None, "张 三丰"),
        ("case", "2025-10-03 20:00", "渝F22222", "李四"),
        ("case", "2025-10-04 20:00", "渝F22222", "王五、李四"),
        ("case", "2025-10-05 20:00", "渝F33333", "赵六"),
        ("case", "2025-10-06 20:00", "渝F33333", None),
        ("case", "2025-10-07 20:00", "渝F33333", "不详"),
        ("case", "2025-10-07 21:00", "渝F33333", "不详"),
    ]
    events = ev(rows, party=True)
    plain = person_blacklist(events, now=NOW, mask=False)
    assert tuple(plain.columns) == PERSON_COLUMNS
    assert dict(zip(plain["party"], plain["n_events"], strict=True)) == {"张三丰": 2, "李四": 2}
    assert plain.set_index("party").loc["李四", "event_ids"] == ["e002", "e003"]
    masked = person_blacklist(events, now=NOW)
    assert sorted(masked["party"]) == ["张**", "李*"]
    text = full_text(masked)
    assert "张三丰" not in text and "李四" not in text and "三丰" not in text
    assert person_blacklist(events, BlacklistRules(person_min_events=3), now=NOW).empty


# ---------------------------------------------------------------- key areas


CENTRE = (108.65, 30.95)  # lon, lat


def areas(crs: int = 4326) -> gpd.GeoDataFrame:
    far = GEOD.fwd(CENTRE[0], CENTRE[1], 90.0, 10_000.0)
    gdf = gpd.GeoDataFrame(
        {
            "id": ["ka000", "ka001"],
            "name": ["客运站", "远处集市"],
            "category": ["bus_terminal", "rural_market"],
            "radius_m": [300.0, 500.0],
            "township_code": ["500235001", None],
        },
        geometry=[shapely.Point(*CENTRE), shapely.Point(far[0], far[1])],
        crs=4326,
    )
    return gdf.to_crs(crs)


def ring(distance_m: float, n: int, when: pd.Timestamp) -> list[tuple]:
    """``n`` tips at ``distance_m`` from CENTRE in different directions, all at ``when``."""
    out = []
    for k in range(n):
        lon, lat, _ = GEOD.fwd(CENTRE[0], CENTRE[1], 360.0 * k / max(n, 1), distance_m)
        out.append(("tip", when, None, "500235001", lat, lon))
    return out


def test_watchlist_counts_just_inside_not_just_outside() -> None:
    recent = NOW - pd.Timedelta(days=3)
    events = ev(ring(299.5, 4, recent) + ring(300.5, 7, recent))
    rules = BlacklistRules(area_min_events=4)
    table = key_area_watchlist(events, areas(), rules, now=NOW)
    assert tuple(table.columns) == WATCHLIST_COLUMNS
    bus = table.set_index("id").loc["ka000"]
    assert (bus["n_window"], bus["n_previous"]) == (4, 0)
    assert bus["flagged"] and bus["reason"] == "count+growth"  # nothing before: growth too
    assert table.set_index("id").loc["ka001", "n_window"] == 0
    assert not table.set_index("id").loc["ka001", "flagged"]
    # one fewer inside: below the count; the 7 just outside never count
    table = key_area_watchlist(events.iloc[1:], areas(), BlacklistRules(area_min_events=4))
    assert table.set_index("id").loc["ka000", "n_window"] == 3
    assert table.set_index("id").loc["ka000", "reason"] == "growth"


def test_watchlist_windows_and_growth_boundary() -> None:
    cur = NOW - pd.Timedelta(days=1)
    prev = NOW - pd.Timedelta(days=45)
    old = NOW - pd.Timedelta(days=61)
    rules = BlacklistRules(area_window_days=30, area_min_events=6, area_growth=1.5)

    def bus(n_cur: int, n_prev: int) -> pd.Series:
        rows = ring(100, n_cur, cur) + ring(100, n_prev, prev) + ring(100, 9, old)
        return key_area_watchlist(ev(rows), areas(), rules, now=NOW).set_index("id").loc["ka000"]

    row = bus(3, 2)  # 3 >= 1.5 x 2 and 3 >= 6 / 2
    assert (row["n_window"], row["n_previous"]) == (3, 2)  # the 9 old ones are in neither
    assert row["growth"] == pytest.approx(1.5)
    assert row["flagged"] and row["reason"] == "growth"
    row = bus(4, 3)  # 4 < 4.5
    assert not row["flagged"] and row["reason"] == ""
    row = bus(2, 0)  # growing from nothing, but below half the count
    assert not row["flagged"] and np.isnan(row["growth"])
    row = bus(6, 5)  # count alone
    assert row["flagged"] and row["reason"] == "count"


def test_watchlist_same_in_projected_key_area_crs() -> None:
    recent = NOW - pd.Timedelta(days=3)
    events = ev(ring(299.5, 4, recent) + ring(300.5, 4, recent))
    a = key_area_watchlist(events, areas(), now=NOW)
    b = key_area_watchlist(events, areas(3857), now=NOW)
    pd.testing.assert_frame_equal(a, b)


def test_watchlist_matches_brute_force_geodesics() -> None:
    rng = np.random.default_rng(7)
    n = 3000
    lat = 30.9 + rng.random(n) * 0.1
    lon = 108.6 + rng.random(n) * 0.1
    times = NOW - pd.to_timedelta(rng.integers(0, 60 * 24 * 60, n), unit="min")
    events = pd.DataFrame({"kind": "tip", "occurred_at": times, "lat": lat, "lon": lon})
    centres = np.column_stack([108.6 + rng.random(15) * 0.1, 30.9 + rng.random(15) * 0.1])
    radius = rng.choice([250.0, 500.0, 1500.0], 15)
    kas = gpd.GeoDataFrame(
        {"name": [f"a{i}" for i in range(15)], "category": "school", "radius_m": radius},
        geometry=gpd.points_from_xy(centres[:, 0], centres[:, 1]),
        crs=4326,
    )
    table = key_area_watchlist(events, kas, now=NOW).set_index("name")
    current = np.asarray(times > NOW - pd.Timedelta(days=30))
    for i in range(15):
        _, _, d = GEOD.inv(np.full(n, centres[i, 0]), np.full(n, centres[i, 1]), lon, lat)
        inside = np.asarray(d) <= radius[i]
        assert table.loc[f"a{i}", "n_window"] == int((inside & current).sum())
        assert table.loc[f"a{i}", "n_previous"] == int((inside & ~current).sum())
    assert table["n_window"].sum() > 0


def test_watchlist_without_events() -> None:
    empty = pd.DataFrame(columns=["kind", "occurred_at", "lat", "lon"])
    table = key_area_watchlist(empty, areas())
    assert len(table) == 2 and (table["n_window"] == 0).all() and not table["flagged"].any()


# ---------------------------------------------------------------- demo data


def _plate_key(p: object) -> str:
    """Independent plate key: upper case without spaces, dots, hyphens or middle dots."""
    if not isinstance(p, str):
        return ""
    return re.sub(r"[\s·.\-]", "", p.upper())


def test_demo_vehicle_blacklist_is_complete_and_correct(demo) -> None:
    events = demo.events
    rules = BlacklistRules()
    table = vehicle_blacklist(events, rules, mask=False)
    assert not table.empty
    end = events["occurred_at"].max()
    in_window = events[events["occurred_at"] > end - pd.Timedelta(days=rules.window_days)]
    counts = in_window["plate"].map(_plate_key).value_counts()
    counts = counts[counts.index != ""]
    expected = counts[counts >= rules.vehicle_min_events]
    listed = table.set_index("plate")["n_events"]
    assert (listed >= rules.vehicle_min_events).all()
    assert listed.sort_index().to_dict() == expected.sort_index().to_dict()
    masked = vehicle_blacklist(events, rules)
    assert masked["n_events"].tolist() == table["n_events"].tolist()
    text = full_text(masked)
    assert not any(p in text for p in table["plate"].head(50))


def test_demo_watchlist_runs(demo) -> None:
    table = key_area_watchlist(demo.events, demo.key_areas)
    assert len(table) == len(demo.key_areas)
    assert table["flagged"].any()
    assert set(table["reason"]) <= {"", "count", "growth", "count+growth"}
    assert (table["flagged"] == (table["reason"] != "")).all()
