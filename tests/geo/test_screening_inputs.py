"""Reading the screen's inputs: checkpoints, whitelist, known plates, pass files; plates, times."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.coords import wgs84_to_bd09, wgs84_to_gcj02
from geo.periods import MarketCycle
from geo.screening.inputs import (
    ScreeningInputError,
    find_pass_files,
    group_pass_files,
    known_from_events,
    read_checkpoints,
    read_known,
    read_whitelist,
)
from geo.screening.schema import PROVINCES, checkpoint_kind, clean_plate, is_plate, plate_kind
from geo.screening.sql import duckdb_prelude
from tests.geo import screen_data as data


class TestCheckpoints:
    def test_chinese_headers_and_kinds(self) -> None:
        cps = read_checkpoints(data.CHECKPOINTS).table
        assert cps["cp_id"].tolist() == ["A1", "M1", "B1", "H1", "U1"]
        assert cps["kind"].tolist() == ["township_entrance"] * 3 + ["hsr_station", "urban_road"]
        assert cps["hub"].tolist() == [0, 0, 0, 1, 0]
        assert cps["town"].tolist() == ["甲镇", "丙镇", "乙镇", "城区", "城区"]

    def test_english_headers_and_title_line(self, tmp_path: Path) -> None:
        path = tmp_path / "cams.csv"
        path.write_text(
            "Checkpoint list (exported)\n"
            "checkpoint_id,name,longitude,latitude,type,township\n"
            "C9,Gate,108.7,31.0,toll station,甲镇\n",
            encoding="utf-8",
        )
        cps = read_checkpoints(path).table
        assert cps.loc[0, ["cp_id", "kind", "town"]].tolist() == ["C9", "toll_station", "甲镇"]

    @pytest.mark.parametrize(
        ("crs", "convert"),
        [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)],
        ids=["gcj02", "bd09"],
    )
    def test_coordinates_converted_to_wgs84(self, crs: str, convert: object) -> None:
        lon, lat = convert(np.array([108.7]), np.array([31.0]))  # type: ignore[operator]
        frame = pd.DataFrame({"卡口编号": ["X"], "经度": lon, "纬度": lat, "坐标系": [crs]})
        cps = read_checkpoints(frame).table
        assert cps.loc[0, "lon"] == pytest.approx(108.7, abs=1e-7)
        assert cps.loc[0, "lat"] == pytest.approx(31.0, abs=1e-7)

    def test_subdistricts_form_one_town_and_area_overrides(self) -> None:
        frame = pd.DataFrame(
            {
                "卡口编号": ["a", "b", "c"],
                "经度": [108.7, 108.71, 108.72],
                "纬度": [31.0, 31.0, 31.0],
                "所属乡镇": ["双江街道", "青龙街道", "黄石镇"],
                "片区": ["", "", "城区"],
            }
        )
        cps = read_checkpoints(frame, urban_name="城区").table
        assert cps["town"].tolist() == ["城区", "城区", "城区"]

    def test_bad_rows_left_out_with_a_warning(self) -> None:
        frame = data.CHECKPOINTS.astype(object)
        frame.loc[1, "经度"] = "东经108度"
        frame.loc[2, "卡口编号"] = "A1"  # repeated id
        frame.loc[3, "卡口类型"] = "停车场"
        cps = read_checkpoints(frame)
        assert cps.table["cp_id"].tolist() == ["A1", "H1", "U1"]
        text = " ".join(cps.warnings)
        assert "row 1" in text and "repeated id" in text and "停车场" in text

    def test_missing_column_names_what_is_needed(self) -> None:
        with pytest.raises(ScreeningInputError, match="lat.*纬度"):
            read_checkpoints(pd.DataFrame({"卡口编号": ["a"], "经度": [108.0]}))

    def test_market_days_column(self) -> None:
        frame = data.CHECKPOINTS.assign(逢场日=["1,4,7", "", "", "", ""])
        cps = read_checkpoints(frame)
        assert cps.markets == {"甲镇": [MarketCycle.parse("1,4,7")]}

    def test_market_days_from_key_areas(self, demo: object) -> None:
        from geo.regions import load_key_areas, load_townships

        ka = load_key_areas("data/demo/key_areas.geojson")
        tw = load_townships("data/demo/townships.geojson")
        frame = pd.DataFrame({"卡口编号": ["j"], "经度": [108.7938], "纬度": [31.2224]})
        cps = read_checkpoints(frame, townships=tw, key_areas=ka)
        assert cps.table.loc[0, "town"] == "江口镇"  # from the position
        assert cps.markets["江口镇"] == [MarketCycle.parse("1,4,7")]


class TestPlateLists:
    def test_whitelist_spellings(self, tmp_path: Path) -> None:
        path = tmp_path / "wl.csv"
        data.WHITELIST.to_csv(path, index=False, encoding="gb18030")
        table, warnings = read_whitelist(path)
        assert table["plate"].tolist() == ["渝FW0001"] and not warnings

    def test_known_from_a_case_ledger(self) -> None:
        table, _ = read_known("data/demo/cases.csv")  # title line above the header
        assert len(table) > 1000 and table["n_cases"].sum() == 5494
        assert table["plate"].map(is_plate).all()

    def test_known_from_stored_events(self) -> None:
        events = pd.DataFrame(
            {
                "kind": ["case", "case", "tip", "case"],
                "plate": ["渝F·A1234", "渝FA1234", "渝FB1", ""],
            }
        )
        assert known_from_events(events).to_dict("records") == [{"plate": "渝FA1234", "n_cases": 2}]

    def test_not_plates_are_reported(self) -> None:
        table, warnings = read_known(pd.DataFrame({"车牌号": ["渝FA1234", "无牌", "12345"]}))
        assert table["plate"].tolist() == ["渝FA1234"]
        assert "2 entries" in warnings[0]


class TestPassFiles:
    def test_file_folder_glob(self, tmp_path: Path) -> None:
        for day in ("01", "02"):
            (tmp_path / f"p_{day}.csv").write_text("号牌号码,过车时间,卡口编号\n", "utf-8")
        (tmp_path / "readme.md").write_text("x")
        assert len(find_pass_files(tmp_path)) == 2
        assert len(find_pass_files(str(tmp_path / "p_*.csv"))) == 2
        assert len(find_pass_files([tmp_path / "p_01.csv"])) == 1
        assert find_pass_files("hdfs://nn/passes/*.parquet") == ["hdfs://nn/passes/*.parquet"]

    def test_nothing_found(self, tmp_path: Path) -> None:
        with pytest.raises(ScreeningInputError, match="nothing found"):
            find_pass_files(str(tmp_path / "*.parquet"))

    def test_gbk_and_title_lines_are_cleaned(self, tmp_path: Path) -> None:
        path = tmp_path / "gbk.csv"
        path.write_bytes(
            "过车记录导出\n号牌号码,过车时间,卡口编号\n渝FA1234,2025-10-13 08:00:00,A1\n".encode(
                "gb18030"
            )
        )
        (group,) = group_pass_files([str(path)], str(tmp_path / "tmp"))
        text = Path(group.paths[0]).read_text(encoding="utf-8")
        assert text.startswith("号牌号码,过车时间,卡口编号")

    def test_other_formats_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "x.json"
        path.write_text("{}")
        with pytest.raises(ScreeningInputError, match="Parquet, CSV or XLSX"):
            group_pass_files([str(path)], str(tmp_path))


class TestSchema:
    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("高铁站", "hsr_station"),
            ("Bus Station", "bus_terminal"),
            ("收费站", "toll_station"),
            ("乡镇卡口", "township_entrance"),
            ("停车场", None),
        ],
    )
    def test_kinds(self, text: str, code: str | None) -> None:
        assert checkpoint_kind(text) == code

    @pytest.mark.parametrize(
        ("plate", "kind"),
        [
            ("渝FA1234", "normal"),
            ("渝FD12345", "new_energy"),
            ("渝F1234学", "coach"),
            ("渝FA123挂", "trailer"),
        ],
    )
    def test_plate_kinds(self, plate: str, kind: str) -> None:
        assert is_plate(plate) and plate_kind(plate) == kind

    @pytest.mark.parametrize("text", ["未识别", "渝F", "00000000", "渝F*****", "WJ12345", ""])
    def test_not_plates(self, text: str) -> None:
        assert not is_plate(clean_plate(text))


@pytest.fixture(scope="module")
def duck() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for statement in duckdb_prelude():
        con.execute(statement)
    return con


plate_text = st.text(
    alphabet=st.sampled_from(list(PROVINCES[:6] + "ABCDFHJKZ0123456789abz ·.-_ＡＢ１２学")),
    max_size=10,
)


@settings(max_examples=200, deadline=None)
@given(text=plate_text)
def test_sql_and_python_clean_plates_alike(duck: duckdb.DuckDBPyConnection, text: str) -> None:
    sql_plate, sql_ok = duck.execute(
        "SELECT hp_plate(?), hp_plate_ok(hp_plate(?))", [text, text]
    ).fetchone()  # type: ignore[misc]
    assert sql_plate == clean_plate(text)
    assert bool(sql_ok) == is_plate(clean_plate(text))


@pytest.mark.parametrize(
    "text",
    [
        "2025-10-13 08:05:03",
        "2025/10/13 08:05:03",
        "2025-10-13T08:05:03",
        "2025/10/13 8:05:03",
        "2025-10-13 08:05:03.250",
        "20251013080503",
        "2025年10月13日 08:05:03",
        "2025年10月13日8时05分03秒",
        "1760313903",
        "1760313903000",
    ],
)
def test_time_spellings(duck: duckdb.DuckDBPyConnection, text: str) -> None:
    (got,) = duck.execute("SELECT hp_text_sec(?)", [text]).fetchone()  # type: ignore[misc]
    want = dt.datetime(2025, 10, 13, 8, 5, 3) - dt.datetime(1970, 1, 1)
    assert got == want.total_seconds()


@pytest.mark.parametrize(
    "text", ["2025-10-13", "13/10/2025 08:05", "yesterday", "", "2025-13-45 25:61"]
)
def test_times_not_understood(duck: duckdb.DuckDBPyConnection, text: str) -> None:
    (got,) = duck.execute("SELECT hp_text_sec(?)", [text]).fetchone()  # type: ignore[misc]
    assert got is None
