from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.cli import main
from geo.coords import wgs84_to_bd09, wgs84_to_gcj02
from geo.errors import LedgerReadError
from geo.ingest import (
    EVENT_COLUMNS,
    REASONS,
    REJECT_COLUMNS,
    TIPSTER_COLUMNS,
    TZ,
    IngestResult,
    map_headers,
    parse_time,
    read_ledger,
    read_ledgers,
    read_table,
)

NOW = pd.Timestamp("2025-12-01 12:00", tz="Asia/Shanghai")
HEADER = ["编号", "类型", "发生时间", "经度", "纬度"]
GOOD = {
    "编号": "A1",
    "类型": "查处",
    "发生时间": "2025-10-01 20:15",
    "经度": "108.65",
    "纬度": "30.95",
}
CODES = ("500235001", "500235002")


def make_townships() -> gpd.GeoDataFrame:
    """Two adjacent 0.1° squares: 甲镇 (west, 108.6-108.7) and 乙乡 (east, 108.7-108.8)."""
    return gpd.GeoDataFrame(
        {"code": list(CODES), "name": ["甲镇", "乙乡"]},
        geometry=[shapely.box(108.6, 30.9, 108.7, 31.0), shapely.box(108.7, 30.9, 108.8, 31.0)],
        crs=4326,
    )


TOWNSHIPS = make_townships()  # for hypothesis tests, which must not take function fixtures


@pytest.fixture
def townships() -> gpd.GeoDataFrame:
    return make_townships()


def csv_text(rows: list[list[object]]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)  # CRLF, so fields with CR or LF get quoted
    return buf.getvalue()


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    return csv_text(rows).encode(encoding)


def ledger(rows: list[list[object]], **kwargs: object) -> IngestResult:
    kwargs.setdefault("now", NOW)
    return read_ledger(csv_bytes(rows), name="ledger.csv", **kwargs)  # type: ignore[arg-type]


def table(records: list[dict[str, str]], header: list[str] | None = None) -> list[list[str]]:
    """Header + rows, filling unset cells from GOOD."""
    header = header or HEADER
    return [header] + [[rec.get(h, GOOD.get(h, "")) for h in header] for rec in records]


def xlsx_bytes(rows: list[list[object]], title: str | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    if title is not None:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def feature(props: dict[str, object], geometry: dict[str, object] | None) -> dict[str, object]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def point(lon: float, lat: float) -> dict[str, object]:
    return {"type": "Point", "coordinates": [lon, lat]}


def geojson_bytes(features: list[dict[str, object]]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def assert_invariants(res: IngestResult) -> None:
    assert res.n_rows == res.n_accepted + res.n_rejected
    assert set(res.rejects["row"]) <= set(res.raw.index)
    assert set(res.events["row"]).isdisjoint(set(res.rejects["row"]))
    assert res.events["event_id"].is_unique
    assert tuple(res.events.columns) == EVENT_COLUMNS
    assert tuple(res.rejects.columns) == REJECT_COLUMNS
    assert set(res.rejects["reason_code"]) <= set(REASONS)


def local(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="Asia/Shanghai")


# ---------------------------------------------------------------- headers


HEADER_CASES = [
    (
        ["编号", "类型", "发生时间", "经度", "纬度", "车牌", "乡镇"],
        ["event_id", "kind", "occurred_at", "lon", "lat", "plate", "township"],
    ),
    (
        ["案件编号", "记录类型", "查处时间", "经度", "纬度", "车牌号", "所属乡镇", "核定座位"],
        ["event_id", "kind", "occurred_at", "lon", "lat", "plate", "township", "seats"],
    ),
    (
        ["线索编号", "时间", "坐标系", "举报人", "联系电话"],
        ["event_id", "occurred_at", "crs", "tipster_name", "tipster_phone"],
    ),
    (
        ["id", "kind", "occurred_at", "lon", "lat", "plate", "township", "crs"],
        ["event_id", "kind", "occurred_at", "lon", "lat", "plate", "township", "crs"],
    ),
    (
        ["ID", "Type", "Occurred At", "Longitude", "LATITUDE", "Plate", "Township_Code"],
        ["event_id", "kind", "occurred_at", "lon", "lat", "plate", "township"],
    ),
    ([" *经度 ", "纬度：", "发生-时间"], ["lon", "lat", "occurred_at"]),
    (["备注", "经办人", "发生时间北京时间"], []),
]


@pytest.mark.parametrize(
    ("headers", "expected"),
    HEADER_CASES,
    ids=[
        "chinese",
        "chinese_variants",
        "tip_columns",
        "english",
        "english_case",
        "decorated",
        "unknown",
    ],
)
def test_map_headers(headers: list[str], expected: list[str]) -> None:
    mapping = map_headers(headers)
    assert list(mapping.values()) == expected
    assert all(h in headers for h in mapping)


def test_map_headers_first_column_of_a_meaning_wins() -> None:
    assert map_headers(["时间", "发生时间", "lon", "经度"]) == {"时间": "occurred_at", "lon": "lon"}


def test_english_headers_end_to_end() -> None:
    rows = [
        ["id", "kind", "occurred_at", "lon", "lat", "plate", "vehicle_type", "seats"],
        ["E1", "tip", "2025-10-01 20:15", "108.65", "30.95", "渝fb10c4", "面包车", "7座"],
    ]
    res = ledger(rows)
    assert res.n_accepted == 1 and res.n_rejected == 0
    ev = res.events.iloc[0]
    assert (ev["event_id"], ev["kind"], ev["plate"], ev["vehicle_type"]) == (
        "E1",
        "tip",
        "渝FB10C4",
        "面包车",
    )
    assert ev["seats"] == 7
    assert ev["occurred_at"] == local("2025-10-01 20:15")
    assert res.header_map == {
        "id": "event_id",
        "kind": "kind",
        "occurred_at": "occurred_at",
        "lon": "lon",
        "lat": "lat",
        "plate": "plate",
        "vehicle_type": "vehicle_type",
        "seats": "seats",
    }


@pytest.mark.parametrize(
    ("titles", "first_row"),
    [(0, 2), (1, 3), (2, 4)],
    ids=["no_title", "one_title_line", "two_title_lines"],
)
def test_title_lines_above_header_shift_row_numbers(titles: int, first_row: int) -> None:
    title_rows = [["云阳县非法营运查处台账(2025年10月)"], ["制表单位:县交通执法支队"]][:titles]
    rows = title_rows + table([{}, {"编号": "A2", "发生时间": "garbage"}])
    res = ledger(rows)
    assert res.header_map == dict(
        zip(HEADER, ["event_id", "kind", "occurred_at", "lon", "lat"], strict=True)
    )
    assert list(res.raw.index) == [first_row, first_row + 1]
    assert res.events["row"].tolist() == [first_row]
    assert res.rejects[["row", "column", "reason_code"]].values.tolist() == [
        [first_row + 1, "发生时间", "bad_time"]
    ]


def test_duplicate_headers_are_made_unique_and_first_wins() -> None:
    rows = [
        ["编号", "类型", "发生时间", "经度", "纬度", "经度", "备注", "备注"],
        ["A1", "查处", "2025-10-01 20:15", "108.65", "30.95", "999", "a", "b"],
    ]
    res = ledger(rows)
    assert list(res.raw.columns) == [
        "编号",
        "类型",
        "发生时间",
        "经度",
        "纬度",
        "经度.2",
        "备注",
        "备注.2",
    ]
    assert res.header_map["经度"] == "lon" and "经度.2" not in res.header_map
    assert res.n_accepted == 1
    assert res.events["lon"].iloc[0] == 108.65
    assert res.raw.loc[2, "备注.2"] == "b"


def test_second_column_spelled_like_a_canonical_name_is_ignored() -> None:
    # 经度 maps to lon, so the later "lon" header is unmapped but spelled like the canonical name
    rows = [
        ["编号", "类型", "发生时间", "经度", "纬度", "lon", "date"],
        ["A1", "查处", "2025-10-01 20:15", "108.65", "30.95", "1", "垃圾"],
    ]
    res = ledger(rows)
    assert res.n_accepted == 1 and res.n_rejected == 0
    assert res.events["lon"].iloc[0] == 108.65
    assert "lon" not in res.header_map and res.header_map["经度"] == "lon"


def test_blank_lines_are_skipped_but_rows_keep_sheet_numbers() -> None:
    rows = table([{}, {"编号": "A2"}])
    rows.insert(2, ["", "", "", "", ""])
    res = ledger(rows)
    assert res.n_rows == 2
    assert list(res.raw.index) == [2, 4]
    assert res.events["row"].tolist() == [2, 4]


# ---------------------------------------------------------------- file formats


ENCODED = [
    ["编号", "类型", "发生时间", "经度", "纬度", "乡镇", "车辆类型", "地点"],
    ["Y1", "查处", "2025-10-01 20:15", "108.65", "30.95", "甲镇", "7座面包车", "云阳北站出站口"],
    ["Y2", "举报", "2025年10月2日 08时05分", "108.75", "30.95", "", "小轿车", "人民广场"],
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"], ids=["utf8", "utf8_bom", "gbk"])
def test_csv_encodings(tmp_path: Path, townships: gpd.GeoDataFrame, encoding: str) -> None:
    data = csv_bytes(ENCODED, encoding)
    if encoding == "gbk":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # the test would prove nothing if GBK were also valid UTF-8
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")
    path = tmp_path / "台账.csv"
    path.write_bytes(data)
    res = read_ledger(path, townships=townships, now=NOW)
    assert list(res.raw.columns) == ENCODED[0]  # no BOM glued to the first header
    assert res.n_accepted == 2 and res.n_rejected == 0
    ev = res.events
    assert ev["event_id"].tolist() == ["Y1", "Y2"]
    assert ev["kind"].tolist() == ["case", "tip"]
    assert ev["vehicle_type"].tolist() == ["7座面包车", "小轿车"]
    assert ev["address"].tolist() == ["云阳北站出站口", "人民广场"]
    assert ev["township_code"].tolist() == list(CODES)
    assert ev["occurred_at"].tolist() == [local("2025-10-01 20:15"), local("2025-10-02 08:05")]


def test_gb18030_and_bytes_source() -> None:
    data = csv_bytes(table([{"类型": "举报"}]), "gb18030")
    res = read_ledger(data, name="x.CSV", now=NOW)
    assert res.events["kind"].tolist() == ["tip"]


@pytest.mark.parametrize(
    ("name", "delimiter"),
    [("ledger.tsv", "\t"), ("ledger.txt", ";"), ("ledger.csv", "|")],
    ids=["tab", "semicolon", "pipe"],
)
def test_other_delimiters_are_sniffed(name: str, delimiter: str) -> None:
    rows = table([{}, {"编号": "A2"}, {"编号": "A3"}])
    text = "\n".join(delimiter.join(r) for r in rows) + "\n"
    res = read_ledger(text.encode(), name=name, now=NOW)
    assert res.n_accepted == 3
    assert res.events["lat"].tolist() == [30.95] * 3


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr_old_mac"])
def test_line_endings(newline: str) -> None:
    rows = table([{}, {"编号": "A2"}])
    text = newline.join(",".join(r) for r in rows) + newline
    res = read_ledger(text.encode("gbk"), name="x.csv", now=NOW)
    assert res.n_accepted == 2 and list(res.raw.index) == [2, 3]


def test_quoted_cells_with_commas_and_newlines() -> None:
    rows = table([{"编号": "A1"}], header=[*HEADER, "地点"])
    rows[1][-1] = "云阳县, 双江街道\n北站"
    res = ledger(rows)
    assert res.events["address"].tolist() == ["云阳县, 双江街道\n北站"]


def test_xlsx_with_title_row_and_real_datetime_cells(townships: gpd.GeoDataFrame) -> None:
    rows: list[list[object]] = [
        ["案件编号", "类型", "查处时间", "经度", "纬度", "乡镇代码", "核定座位"],
        [1001, "查处", dt.datetime(2025, 10, 1, 20, 15), 108.65, 30.95, 500235001, 7],
        [1002, "查处", dt.datetime(2025, 10, 2), 108.75, 30.95, None, None],
        [1003, "查处", 45931.84375, 108.75, 30.95, None, 11.0],  # Excel serial 2025-10-01 20:15
        [1004, "查处", "not a time", 108.75, 30.95, None, None],
        [1005, "举报", dt.datetime(2025, 10, 3, 7, 30), 108.75, 30.95, 500235009, None],
    ]
    res = read_ledger(
        xlsx_bytes(rows, title="2025年10月非法营运查处台账"),
        name="台账.xlsx",
        townships=townships,
        now=NOW,
    )
    assert_invariants(res)
    assert list(res.raw.index) == [3, 4, 5, 6, 7]  # title row 1, header row 2
    assert res.raw.loc[3, "查处时间"] == "2025-10-01 20:15:00"
    ev = res.events.set_index("event_id")
    assert list(ev.index) == ["1001", "1002", "1003"]
    assert ev["occurred_at"].tolist() == [
        local("2025-10-01 20:15"),
        local("2025-10-02 00:00"),
        local("2025-10-01 20:15"),
    ]
    assert ev["time_precision"].tolist() == ["minute", "day", "minute"]
    assert ev["township_code"].tolist() == ["500235001", "500235002", "500235002"]
    assert ev["seats"].tolist() == [7, pd.NA, 11]
    assert res.rejects[["row", "column", "reason_code"]].values.tolist() == [
        [6, "查处时间", "bad_time"],
        [7, "乡镇代码", "unknown_township"],
    ]


def test_xlsx_date_and_clock_columns() -> None:
    rows: list[list[object]] = [
        ["编号", "类型", "日期", "时刻", "经度", "纬度"],
        ["D1", "case", dt.datetime(2025, 10, 1), dt.time(20, 15), 108.65, 30.95],
        ["D2", "case", dt.datetime(2025, 10, 2), None, 108.65, 30.95],
        ["D3", "case", None, dt.time(8, 0), 108.65, 30.95],
    ]
    res = read_ledger(xlsx_bytes(rows), name="d.xlsx", now=NOW)
    assert res.events["occurred_at"].tolist() == [local("2025-10-01 20:15"), local("2025-10-02")]
    assert res.events["time_precision"].tolist() == ["minute", "day"]
    assert res.rejects[["row", "column", "reason_code"]].values.tolist() == [
        [4, "日期", "missing_time"]
    ]


def test_csv_date_and_clock_columns() -> None:
    rows = [
        ["编号", "类型", "日期", "时刻", "经度", "纬度"],
        ["D1", "查处", "2025/10/1", "20:15", "108.65", "30.95"],
        ["D2", "查处", "2025-10-02", "", "108.65", "30.95"],
    ]
    res = ledger(rows)
    assert res.events["occurred_at"].tolist() == [local("2025-10-01 20:15"), local("2025-10-02")]
    assert res.events["time_precision"].tolist() == ["minute", "day"]


def test_geojson_points_and_a_non_point_feature() -> None:
    square = [[[108.7, 30.95], [108.71, 30.95], [108.71, 30.96], [108.7, 30.95]]]
    features = [
        feature(
            {"编号": "G1", "类型": "举报", "时间": "2025-10-01T20:15:00"}, point(108.65, 30.95)
        ),
        feature(
            {"编号": "G2", "类型": "举报", "时间": "2025-10-01T20:15:00"},
            {"type": "LineString", "coordinates": [[108.7, 30.95], [108.71, 30.96]]},
        ),
        feature(
            {"编号": "G3", "类型": "举报", "时间": "2025-10-02T08:00:00+08:00"},
            point(108.75, 30.93),
        ),
        feature(
            {"编号": "G4", "类型": "举报", "时间": "2025-10-02"},
            {"type": "Polygon", "coordinates": square},
        ),
        feature({"编号": "G5", "类型": "举报", "时间": "2025-10-02"}, None),
    ]
    res = read_ledger(geojson_bytes(features), name="tips.geojson", now=NOW)
    assert_invariants(res)
    assert res.n_rows == 5 and res.n_accepted == 2 and res.n_rejected == 3
    assert res.events["event_id"].tolist() == ["G1", "G3"]
    assert res.events["lon"].tolist() == [108.65, 108.75]
    assert res.events["lat"].tolist() == [30.95, 30.93]
    # a naive time next to one with an offset is still local time, not UTC
    assert res.events["occurred_at"].tolist() == [
        local("2025-10-01 20:15"),
        local("2025-10-02 08:00"),
    ]
    assert res.rejects[["row", "column", "value", "reason_code"]].values.tolist() == [
        [2, "geometry", "LineString", "bad_geometry"],
        [4, "geometry", "Polygon", "bad_geometry"],
        [5, "geometry", "none", "bad_geometry"],
    ]


def test_geojson_date_only_and_crs_property() -> None:
    glon, glat = wgs84_to_gcj02(108.65, 30.95)
    features = [
        feature(
            {"id": "G1", "kind": "tip", "time": "2025-10-01", "crs": "gcj02"}, point(glon, glat)
        ),
        feature(
            {"id": "G2", "kind": "tip", "time": "2025-10-01 20:15", "crs": "wgs84"},
            point(108.7, 30.9),
        ),
    ]
    res = read_ledger(geojson_bytes(features), name="t.json", now=NOW)
    assert res.events["time_precision"].tolist() == ["day", "minute"]
    assert res.events["lon"].iloc[0] == pytest.approx(108.65, abs=1e-9)
    assert res.events["lat"].iloc[0] == pytest.approx(30.95, abs=1e-9)
    assert res.events["crs_in"].tolist() == ["gcj02", "wgs84"]


# ---------------------------------------------------------------- times


TIME_CASES = [
    ("2025-10-01 20:15", "2025-10-01 20:15", "minute"),
    ("2025-10-01T20:15:30", "2025-10-01 20:15:30", "minute"),
    ("2025-10-01T12:15:00Z", "2025-10-01 20:15", "minute"),
    ("2025-10-01T20:15:00+09:00", "2025-10-01 19:15", "minute"),
    ("2025-10-01 23:30-05:00", "2025-10-02 12:30", "minute"),
    ("2025/10/1 20:15", "2025-10-01 20:15", "minute"),
    ("2025/10/01", "2025-10-01", "day"),
    ("2025.10.01 20:15", "2025-10-01 20:15", "minute"),
    ("2025年10月1日 20时15分", "2025-10-01 20:15", "minute"),
    ("2025年10月1日20点15分30秒", "2025-10-01 20:15:30", "minute"),
    ("2025年10月1日 20:15", "2025-10-01 20:15", "minute"),
    ("2025年10月1日", "2025-10-01", "day"),
    ("20251001 2015", "2025-10-01 20:15", "minute"),
    ("202510012015", "2025-10-01 20:15", "minute"),
    ("20251001", "2025-10-01", "day"),
    ("2025-10-01", "2025-10-01", "day"),
    ("  2025-10-01 20:15  ", "2025-10-01 20:15", "minute"),
    (45931.84375, "2025-10-01 20:15", "minute"),
    (45931, "2025-10-01", "day"),
    (dt.datetime(2025, 10, 1, 20, 15), "2025-10-01 20:15", "minute"),
    (dt.datetime(2025, 10, 1), "2025-10-01", "day"),
    (dt.datetime(2025, 10, 1, 12, 15, tzinfo=dt.UTC), "2025-10-01 20:15", "minute"),
    (pd.Timestamp("2025-10-01 20:15"), "2025-10-01 20:15", "minute"),
]
TIME_IDS = [
    "iso_space",
    "iso_t_seconds",
    "iso_z",
    "offset_plus9",
    "offset_minus5",
    "slashes",
    "slashes_date",
    "dots",
    "chinese",
    "chinese_dian_seconds",
    "chinese_date_colon",
    "chinese_date",
    "compact_space",
    "compact",
    "compact_date",
    "iso_date",
    "padded",
    "excel_serial",
    "excel_serial_int",
    "datetime",
    "datetime_midnight",
    "datetime_utc",
    "timestamp",
]


@pytest.mark.parametrize(("value", "expected", "precision"), TIME_CASES, ids=TIME_IDS)
def test_parse_time_formats(value: object, expected: str, precision: str) -> None:
    ts, prec = parse_time(value)
    assert ts is not None
    assert str(ts.tz) == "Asia/Shanghai"
    assert ts.utcoffset() == dt.timedelta(hours=8)
    assert ts == local(expected)
    assert prec == precision


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "昨天晚上",
        "now",
        "today",
        "2025-13-01",
        "2025-10-32",
        "2025年13月1日",
        "2025-10-01 25:00",
        "20251301",
        float("nan"),
        float("inf"),
        12.5,
        10**400,
        True,
        pd.NaT,
    ],
    ids=[
        "none",
        "empty",
        "spaces",
        "words",
        "now",
        "today",
        "month13",
        "day32",
        "cn_month13",
        "hour25",
        "compact_month13",
        "nan",
        "inf",
        "small_number",
        "huge_int",
        "bool",
        "nat",
    ],
)
def test_parse_time_rejects(value: object) -> None:
    assert parse_time(value) == (None, "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1986-05-04 02:30", "1986-05-04 03:00+09:00"),
        ("1986-09-14 01:30", "1986-09-14 01:30+09:00"),
    ],
    ids=["skipped_by_summer_time", "repeated_by_summer_time"],
)
def test_parse_time_china_summer_time_1986(value: str, expected: str) -> None:
    ts, prec = parse_time(value)
    assert ts == pd.Timestamp(expected) and prec == "minute"


def test_ledger_times_are_asia_shanghai() -> None:
    rows = table(
        [
            {"编号": "T1", "发生时间": "2025-10-01T12:15:00Z"},
            {"编号": "T2", "发生时间": "2025年10月1日 20时15分"},
            {"编号": "T3", "发生时间": "20251001"},
        ]
    )
    res = ledger(rows)
    assert str(res.events["occurred_at"].dt.tz) == "Asia/Shanghai"
    assert res.events["occurred_at"].tolist() == [local("2025-10-01 20:15")] * 2 + [
        local("2025-10-01")
    ]
    assert res.events["time_precision"].tolist() == ["minute", "minute", "day"]


def test_future_cut_off_allows_one_day_of_clock_skew() -> None:
    rows = table(
        [
            {"编号": "F1", "发生时间": "2025-12-02 11:00"},
            {"编号": "F2", "发生时间": "2025-12-02 13:00"},
        ]
    )
    res = ledger(rows)
    assert res.events["event_id"].tolist() == ["F1"]
    assert res.rejects["reason_code"].tolist() == ["future_time"]


# ---------------------------------------------------------------- reject reasons


# (reason code, header, bad-row overrides, expected column, expected value, title lines)
REJECT_CASES = [
    ("missing_time", HEADER, {"发生时间": ""}, "发生时间", "", 0),
    ("bad_time", HEADER, {"发生时间": "昨天晚上八点"}, "发生时间", "昨天晚上八点", 1),
    ("future_time", HEADER, {"发生时间": "2030-01-01 08:00"}, "发生时间", "2030-01-01 08:00", 0),
    ("too_old", HEADER, {"发生时间": "1999-12-31 23:00"}, "发生时间", "1999-12-31 23:00", 0),
    ("missing_coord", HEADER, {"纬度": ""}, "纬度", "", 0),
    ("bad_coord", HEADER, {"经度": "东经一百零八度"}, "经度", "东经一百零八度", 0),
    ("coord_range", HEADER, {"纬度": "95.5"}, "纬度", "95.5", 0),
    ("swapped_coord", HEADER, {"经度": "30.95", "纬度": "108.65"}, "纬度", "108.65", 2),
    ("outside_area", HEADER, {"经度": "109.5"}, "经度", "109.5", 0),
    ("bad_crs", [*HEADER, "坐标系"], {"坐标系": "墨卡托"}, "坐标系", "墨卡托", 0),
    ("missing_kind", HEADER, {"类型": ""}, "类型", "", 0),
    ("bad_kind", HEADER, {"类型": "投诉"}, "类型", "投诉", 1),
    ("bad_seats", [*HEADER, "核定座位"], {"核定座位": "0"}, "核定座位", "0", 0),
    ("unknown_township", [*HEADER, "乡镇"], {"乡镇": "丙镇"}, "乡镇", "丙镇", 0),
    ("duplicate_id", HEADER, {"编号": "A1"}, "编号", "A1", 0),
    ("bad_geometry", None, {}, "geometry", "MultiPoint", 0),  # GeoJSON only
    ("two_digit_year", HEADER, {"发生时间": "25-10-01 20:15"}, "发生时间", "25-10-01 20:15", 0),
    (
        "ambiguous_date",
        HEADER,
        {"发生时间": "01/10/2025 20:15"},
        "发生时间",
        "01/10/2025 20:15",
        0,
    ),
    ("no_date", HEADER, {"发生时间": "20:30"}, "发生时间", "20:30", 0),
    ("incomplete_date", HEADER, {"发生时间": "2025-10"}, "发生时间", "2025-10", 0),
    (
        "several_plates",
        [*HEADER, "车牌号"],
        {"车牌号": "渝F12345、渝F23456"},
        "车牌号",
        "渝F12345、渝F23456",
        0,
    ),
    ("bad_plate", [*HEADER, "车牌号"], {"车牌号": "渝F<123>"}, "车牌号", "渝F<123>", 0),
    ("too_long", [*HEADER, "车牌号"], {"车牌号": "渝F" + "1" * 40}, "车牌号", "渝F" + "1" * 40, 0),
    ("outside_scope", HEADER, {"经度": "108.75"}, "经度", "108.75", 0),  # scope 甲镇
]
EN_HEADER = {"编号": "id", "类型": "kind", "发生时间": "time", "经度": "lng", "纬度": "lat"}
REJECT_PARAMS = [
    pytest.param(*case, lang, id=f"{case[0]}-{lang}")
    for case in REJECT_CASES
    for lang in (["zh", "en"] if case[1] is not None else ["zh"])
]


def test_reject_cases_cover_every_reason() -> None:
    assert [c[0] for c in REJECT_CASES] == list(REASONS)


@pytest.mark.parametrize(
    ("code", "header", "bad", "column", "value", "titles", "lang"), REJECT_PARAMS
)
def test_every_reject_reason(
    townships: gpd.GeoDataFrame,
    code: str,
    header: list[str] | None,
    bad: dict[str, str],
    column: str,
    value: str,
    titles: int,
    lang: str,
) -> None:
    if header is None:
        features = [
            feature(
                {"编号": "A1", "类型": "查处", "时间": "2025-10-01 20:15"}, point(108.65, 30.95)
            ),
            feature(
                {"编号": "A2", "类型": "查处", "时间": "2025-10-01 20:15"},
                {"type": "MultiPoint", "coordinates": [[108.65, 30.95], [108.66, 30.95]]},
            ),
        ]
        res = read_ledger(geojson_bytes(features), name="x.geojson", townships=townships, now=NOW)
        good_row, bad_row = 1, 2  # GeoJSON rows are feature numbers
    else:
        rows = [["某县台账"]] * titles + table([{}, {"编号": "A2", **bad}], header)
        if lang == "en":
            rows[titles] = [EN_HEADER.get(h, h) for h in header]
            column = EN_HEADER.get(column, column)
        scope = CODES[0] if code == "outside_scope" else None
        res = ledger(rows, townships=townships, scope=scope)
        good_row = 2 + titles  # the header is row 1, after any title lines
        bad_row = good_row + 1
    assert_invariants(res)
    assert (res.n_rows, res.n_accepted, res.n_rejected) == (2, 1, 1)
    assert res.events["row"].tolist() == [good_row]
    assert len(res.rejects) == 1
    rej = res.rejects.iloc[0]
    assert (rej["reason_code"], rej["row"], rej["column"], rej["value"]) == (
        code,
        bad_row,
        column,
        value,
    )
    en, zh = REASONS[code]
    assert rej["reason"].startswith(en.split("{")[0])
    assert rej["reason_zh"].startswith(zh.split("{")[0])
    assert "{" not in rej["reason"] + rej["reason_zh"]


def test_reject_messages_carry_details(townships: gpd.GeoDataFrame) -> None:
    rows = table(
        [
            {"编号": "A1"},
            {"编号": "A1"},
            {"编号": "A3", "经度": "30.95", "纬度": "108.65"},
            {"编号": "A4", "经度": "109.5", "纬度": "30.95"},
        ]
    )
    res = ledger(rows, townships=townships)
    by_code = res.rejects.set_index("reason_code")
    assert by_code.loc["duplicate_id", "reason"] == (
        "event id 'A1' already used on row 2; give each record its own id"
    )
    assert (
        by_code.loc["duplicate_id", "reason_zh"] == "编号 'A1' 与第 2 行重复;每条记录应有唯一编号"
    )
    assert "(30.95, 108.65)" in by_code.loc["swapped_coord", "reason"]
    assert "(109.5, 30.95)" in by_code.loc["outside_area", "reason"]


def test_several_problems_on_one_row_count_once() -> None:
    rows = table(
        [
            {},
            {"编号": "A2", "类型": "投诉", "发生时间": "never", "经度": "abc", "核定座位": "99"},
            {"编号": "A3", "发生时间": ""},
        ],
        header=[*HEADER, "核定座位"],
    )
    res = ledger(rows)
    assert_invariants(res)
    assert len(res.rejects) == 5
    assert res.rejects[["row", "column", "reason_code"]].values.tolist() == [
        [3, "发生时间", "bad_time"],
        [3, "核定座位", "bad_seats"],
        [3, "类型", "bad_kind"],
        [3, "经度", "bad_coord"],
        [4, "发生时间", "missing_time"],
    ]
    assert (res.n_rows, res.n_accepted, res.n_rejected) == (3, 1, 2)


def test_rejects_with_rows_joins_original_values() -> None:
    res = ledger(table([{}, {"编号": "A2", "发生时间": "never"}]))
    joined = res.rejects_with_rows()
    assert len(joined) == 1
    assert joined.iloc[0]["原始_编号"] == "A2"
    assert joined.iloc[0]["原始_发生时间"] == "never"
    assert joined.iloc[0]["row"] == 3


def test_all_rows_rejected_gives_empty_typed_events() -> None:
    res = ledger(table([{"发生时间": "never"}, {"编号": "A2", "经度": ""}]))
    assert (res.n_rows, res.n_accepted, res.n_rejected) == (2, 0, 2)
    assert tuple(res.events.columns) == EVENT_COLUMNS
    assert isinstance(res.events["occurred_at"].dtype, pd.DatetimeTZDtype)
    assert str(res.events["occurred_at"].dt.tz) == "Asia/Shanghai"


def test_header_only_file_has_no_rows() -> None:
    res = ledger([HEADER])
    assert (res.n_rows, res.n_accepted, res.n_rejected) == (0, 0, 0)
    assert res.rejects.empty and res.events.empty


# ---------------------------------------------------------------- values


def test_duplicate_ids_keep_the_first() -> None:
    rows = table([{"编号": "A1"}, {"编号": "A2"}, {"编号": " A1 "}, {"编号": "A2"}])
    res = ledger(rows)
    assert res.events["event_id"].tolist() == ["A1", "A2"]
    assert res.rejects[["row", "value", "reason_code"]].values.tolist() == [
        [4, " A1 ", "duplicate_id"],
        [5, "A2", "duplicate_id"],
    ]


def test_numeric_ids_lose_excel_float_suffix() -> None:
    res = ledger(table([{"编号": "1001.0"}, {"编号": "1001"}]))
    assert res.events["event_id"].tolist() == ["1001"]
    assert res.rejects["reason_code"].tolist() == ["duplicate_id"]


def test_rows_without_id_get_stable_content_hash_ids() -> None:
    header = ["类型", "发生时间", "经度", "纬度", "车牌"]
    rows = [
        header,
        ["查处", "2025-10-01 20:15", "108.65", "30.95", "渝F12345"],
        ["查处", "2025-10-01 20:15", "108.65", "30.95", "渝F54321"],
        ["查处", "2025-10-01 20:15", "108.65", "30.95", "渝f12345"],  # same as row 2
    ]
    first, again = ledger(rows), ledger(rows)
    ids = first.events["event_id"].tolist()
    assert len(ids) == 2 and all(i.startswith("h-") and len(i) == 14 for i in ids)
    assert ids == again.events["event_id"].tolist()
    assert first.rejects[["row", "value", "reason_code"]].values.tolist() == [
        [4, ids[0], "duplicate_id"]
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("查处", "case"),
        ("举报", "tip"),
        ("Case", "case"),
        ("TIP", "tip"),
        ("线索", "tip"),
        (" 案件 ", "case"),
    ],
    ids=["chaxun", "jubao", "case", "tip_upper", "xiansuo", "padded"],
)
def test_kind_values(value: str, expected: str) -> None:
    assert ledger(table([{"类型": value}])).events["kind"].tolist() == [expected]


def test_kind_parameter_fills_blank_kinds_only() -> None:
    res = ledger(table([{"类型": ""}, {"编号": "A2", "类型": "查处"}]), kind="tip")
    assert res.events["kind"].tolist() == ["tip", "case"]
    # no 类型 column and headers that do not tell: one message, not a reject per row
    with pytest.raises(LedgerReadError, match="record type is unknown") as err:
        ledger([["编号", "时间", "经度", "纬度"], ["A1", "2025-10-01 20:15", "108.65", "30.95"]])
    assert "无法判断记录类型" in err.value.text("zh")


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        ("108.65", "30.95", (108.65, 30.95)),
        ("E108.65", "N30.95", (108.65, 30.95)),
        ("东108.65", "北30.95", (108.65, 30.95)),
        ("108.65°", "30.95°", (108.65, 30.95)),
        (" 108.65 ", " 30.95", (108.65, 30.95)),
    ],
    ids=["plain", "en_prefix", "zh_prefix", "degree_sign", "padded"],
)
def test_coordinate_spellings(lon: str, lat: str, expected: tuple[float, float]) -> None:
    res = ledger(table([{"经度": lon, "纬度": lat}]))
    assert (res.events["lon"].iloc[0], res.events["lat"].iloc[0]) == expected


@pytest.mark.parametrize(
    ("lon", "lat", "code", "column"),
    [
        ("nan", "30.95", "bad_coord", "经度"),
        ("108.65", "inf", "bad_coord", "纬度"),
        ("1e999", "30.95", "bad_coord", "经度"),
        ("-181", "30.95", "coord_range", "经度"),
        ("", "", "missing_coord", "经度"),
    ],
    ids=["nan", "inf", "overflow", "lon_range", "both_missing"],
)
def test_bad_coordinate_values(lon: str, lat: str, code: str, column: str) -> None:
    res = ledger(table([{"经度": lon, "纬度": lat}]))
    assert res.rejects[["column", "reason_code"]].values.tolist() == [[column, code]]


def test_crs_column_and_parameter_convert_to_wgs84() -> None:
    wgs_lon = np.array([108.65, 108.75, 108.68, 108.72])
    wgs_lat = np.array([30.95, 30.93, 30.97, 30.91])
    g = wgs84_to_gcj02(wgs_lon, wgs_lat)
    b = wgs84_to_bd09(wgs_lon, wgs_lat)
    rows = [
        [*HEADER, "坐标系"],
        ["C1", "查处", "2025-10-01 20:15", str(wgs_lon[0]), str(wgs_lat[0]), "WGS84"],
        ["C2", "查处", "2025-10-01 20:15", repr(float(g[0][1])), repr(float(g[1][1])), "高德"],
        ["C3", "查处", "2025-10-01 20:15", repr(float(b[0][2])), repr(float(b[1][2])), "百度"],
        [
            "C4",
            "查处",
            "2025-10-01 20:15",
            repr(float(g[0][3])),
            repr(float(g[1][3])),
            "",
        ],  # uses crs=
    ]
    res = ledger(rows, crs="gcj02")
    assert res.events["crs_in"].tolist() == ["wgs84", "gcj02", "bd09", "gcj02"]
    np.testing.assert_allclose(res.events["lon"], wgs_lon, atol=1e-8, rtol=0)
    np.testing.assert_allclose(res.events["lat"], wgs_lat, atol=1e-8, rtol=0)
    default = ledger(rows)  # without crs= a blank cell means WGS-84
    assert default.events["crs_in"].iloc[3] == "wgs84"
    assert default.events["lon"].iloc[3] == pytest.approx(g[0][3], abs=1e-12)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7), ("7座", 7), ("14人", 14), ("7.0", 7), ("1", 1), ("80", 80), ("", pd.NA)],
    ids=["plain", "zuo", "ren", "float_text", "min", "max", "blank"],
)
def test_seats_accepted(value: str, expected: object) -> None:
    res = ledger(table([{"核定座位": value}], header=[*HEADER, "核定座位"]))
    assert res.events["seats"].dtype == "Int64"
    assert res.events["seats"].tolist() == [expected]


@pytest.mark.parametrize(
    "value",
    ["0", "81", "7.5", "-3", "七座", "nan", "inf", "1e400"],
    ids=["zero", "81", "fraction", "negative", "chinese", "nan", "inf", "overflow"],
)
def test_seats_rejected(value: str) -> None:
    res = ledger(table([{"核定座位": value}], header=[*HEADER, "核定座位"]))
    assert res.rejects[["column", "value", "reason_code"]].values.tolist() == [
        ["核定座位", value, "bad_seats"]
    ]


def test_plates_and_text_columns_are_cleaned() -> None:
    header = [*HEADER, "车牌号", "违法行为", "状态", "来源", "办案单位", "车型"]
    rows = [
        header,
        [
            "A1",
            "查处",
            "2025-10-01 20:15",
            "108.65",
            "30.95",
            " 渝fb10c4 ",
            " 拉客 ",
            "已核实",
            "",
            "交巡警",
            "面包车",
        ],
    ]
    ev = ledger(rows).events.iloc[0]
    assert ev["plate"] == "渝FB10C4"
    assert ev["offence"] == "拉客"
    assert (ev["status"], ev["source"], ev["unit"], ev["vehicle_type"]) == (
        "已核实",
        None,
        "交巡警",
        "面包车",
    )


def test_tipster_identity_never_in_events() -> None:
    header = ["线索编号", "类型", "举报时间", "经度", "纬度", "举报人", "举报人电话"]
    rows = [
        header,
        ["T1", "举报", "2025-10-01 20:15", "108.65", "30.95", "张三", "13800138000"],
        ["T2", "举报", "2025-10-01 21:15", "108.66", "30.95", "", ""],
        ["T3", "举报", "never", "108.66", "30.95", "李四", "13900139000"],
    ]
    res = ledger(rows)
    assert res.events["event_id"].tolist() == ["T1", "T2"]
    assert not {"tipster_name", "tipster_phone"} & set(res.events.columns)
    cells = {str(v) for v in res.events.to_numpy().ravel()}
    assert not cells & {"张三", "13800138000", "李四", "13900139000"}
    assert tuple(res.tipsters.columns) == TIPSTER_COLUMNS
    assert res.tipsters.values.tolist() == [["T1", "张三", "13800138000"]]


# ---------------------------------------------------------------- townships


def test_township_by_point_in_polygon(townships: gpd.GeoDataFrame) -> None:
    rows = table([{"编号": "W", "经度": "108.65"}, {"编号": "E", "经度": "108.75"}])
    res = ledger(rows, townships=townships)
    assert res.events["township_code"].tolist() == ["500235001", "500235002"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("乙乡", "500235002"),
        ("甲镇", "500235001"),
        ("乙", "500235002"),
        ("甲", "500235001"),
        ("500235002", "500235002"),
        ("500235002.0", "500235002"),
        (" 乙乡 ", "500235002"),
    ],
    ids=[
        "name",
        "name_own",
        "short_name_xiang",
        "short_name_zhen",
        "code",
        "code_float_text",
        "padded",
    ],
)
def test_the_point_decides_the_township(
    townships: gpd.GeoDataFrame, value: str, expected: str
) -> None:
    # the point lies in 甲镇: a row naming 乙乡 takes 甲镇 (the township whose polygon holds
    # it sees it), and the user is told how many rows named another township
    res = ledger(table([{"乡镇": value}], header=[*HEADER, "乡镇"]), townships=townships)
    assert res.n_rejected == 0
    assert res.events["township_code"].tolist() == ["500235001"]
    assert len(res.notes) == (0 if expected == "500235001" else 1)


def test_unknown_township_rejected(townships: gpd.GeoDataFrame) -> None:
    rows = table([{"乡镇": "丙镇"}, {"编号": "A2", "乡镇": "500235999"}], header=[*HEADER, "乡镇"])
    res = ledger(rows, townships=townships)
    assert res.rejects[["row", "column", "value", "reason_code"]].values.tolist() == [
        [2, "乡镇", "丙镇", "unknown_township"],
        [3, "乡镇", "500235999", "unknown_township"],
    ]


def test_point_outside_all_townships_rejected(townships: gpd.GeoDataFrame) -> None:
    rows = table([{"经度": "108.5"}, {"编号": "A2", "纬度": "31.05"}, {"编号": "A3"}])
    res = ledger(rows, townships=townships)
    assert res.events["event_id"].tolist() == ["A3"]
    assert res.rejects[["row", "column", "value", "reason_code"]].values.tolist() == [
        [2, "经度", "108.5", "outside_area"],
        [3, "经度", "108.65", "outside_area"],
    ]


def test_without_townships_no_area_check() -> None:
    rows = table([{"经度": "100.0", "乡镇": "丙镇"}], header=[*HEADER, "乡镇"])
    res = ledger(rows)
    assert res.n_rejected == 0
    assert res.events["township_code"].tolist() == ["丙镇"]


def test_township_looked_up_after_coordinate_conversion(townships: gpd.GeoDataFrame) -> None:
    # WGS-84 just west of the 108.7 border (甲镇); its GCJ-02 position lies east of it (乙乡)
    wlon, wlat = 108.699, 30.95
    glon, glat = wgs84_to_gcj02(wlon, wlat)
    assert glon > 108.7  # otherwise this test proves nothing
    rows = table([{"经度": repr(float(glon)), "纬度": repr(float(glat))}])
    assert ledger(rows, townships=townships, crs="gcj02").events["township_code"].tolist() == [
        "500235001"
    ]
    assert ledger(rows, townships=townships).events["township_code"].tolist() == ["500235002"]


# ---------------------------------------------------------------- several files


def test_read_ledgers_rejects_ids_repeated_across_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_bytes(csv_bytes(table([{"编号": "A1"}, {"编号": "A2", "发生时间": "never"}])))
    b.write_bytes(csv_bytes(table([{"编号": "A1"}, {"编号": "B2"}]), "gbk"))
    res = read_ledgers([a, b])
    assert res.n_rows == 4
    assert (res.n_accepted, res.n_rejected) == (2, 2)
    assert res.events["event_id"].tolist() == ["A1", "B2"]
    assert res.rejects[["file", "row", "reason_code"]].values.tolist() == [
        ["a.csv", 3, "bad_time"],
        ["b.csv", 2, "duplicate_id"],
    ]


# ---------------------------------------------------------------- read errors


class TestReadErrors:
    def test_missing_file(self, tmp_path: Path) -> None:
        path = tmp_path / "nope.csv"
        with pytest.raises(LedgerReadError, match=r"nope\.csv: cannot read the file"):
            read_table(path)

    def test_directory(self, tmp_path: Path) -> None:
        folder = tmp_path / "dir.csv"
        folder.mkdir()
        with pytest.raises(LedgerReadError, match="cannot read the file"):
            read_table(folder)

    def test_old_xls(self, tmp_path: Path) -> None:
        path = tmp_path / "old.XLS"
        path.write_bytes(b"\xd0\xcf\x11\xe0")
        with pytest.raises(LedgerReadError, match=r"old\.XLS: old \.xls workbooks are not read"):
            read_table(path)

    @pytest.mark.parametrize(
        "name", ["ledger.docx", "ledger", "ledger.csv.bak"], ids=["docx", "none", "bak"]
    )
    def test_unknown_suffix(self, name: str) -> None:
        with pytest.raises(LedgerReadError, match="not supported"):
            read_table(b"a,b\n1,2\n", name=name)

    def test_undecodable_bytes(self) -> None:
        data = "编号,时间\n".encode() + b"\x80\xff\xfe\x81\n"
        with pytest.raises(LedgerReadError, match="neither UTF-8 nor GBK"):
            read_table(data, name="bad.csv")

    @pytest.mark.parametrize("name", [None, ""], ids=["none", "empty"])
    def test_bytes_without_name(self, name: str | None) -> None:
        with pytest.raises(LedgerReadError, match="needs a file name"):
            read_table(b"a,b\n", name=name)

    def test_field_over_csv_size_limit(self) -> None:
        data = ("编号,时间\nA1," + "x" * 200_000 + "\n").encode()
        with pytest.raises(LedgerReadError, match="not readable as CSV"):
            read_table(data, name="huge.csv")

    def test_empty_file(self) -> None:
        with pytest.raises(LedgerReadError, match="empty"):
            read_table(b"", name="empty.csv")

    @pytest.mark.parametrize(
        ("data", "name", "message"),
        [
            (b"PK\x03\x04 not really a zip", "broken.xlsx", "not a readable XLSX"),
            (b"{not json", "broken.geojson", "not readable GeoJSON"),
        ],
        ids=["xlsx", "geojson"],
    )
    def test_broken_files(self, data: bytes, name: str, message: str) -> None:
        with pytest.raises(LedgerReadError, match=message):
            read_table(data, name=name)

    def test_read_ledger_raises_rather_than_rejecting(self, tmp_path: Path) -> None:
        with pytest.raises(LedgerReadError):
            read_ledger(tmp_path / "missing.xlsx")

    def test_bad_crs_parameter(self) -> None:
        with pytest.raises(ValueError, match="coordinate system was 'mercator'"):
            ledger(table([{}]), crs="mercator")

    def test_bad_kind_parameter(self) -> None:
        with pytest.raises(ValueError, match="kind was 'complaint'"):
            ledger(table([{}]), kind="complaint")


# ---------------------------------------------------------------- command line


@pytest.fixture
def cli_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_townships().to_file(tmp_path / "townships.geojson", driver="GeoJSON")
    (tmp_path / "hexpatrol.toml").write_text('townships = "townships.geojson"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HEXPATROL_CONFIG", raising=False)
    return tmp_path


class TestCheckCommand:
    def test_exit_zero_with_rejected_rows_and_reject_file(
        self, cli_dir: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = cli_dir / "cases.csv"
        rows = table(
            [
                {},
                {"编号": "A2", "发生时间": '=HYPERLINK("x")'},
                {"编号": "A3", "经度": "109.5"},
                {"编号": "A4", "经度": "108.75"},
            ]
        )
        path.write_bytes(csv_bytes(rows, "gbk"))
        out = cli_dir / "rejects.csv"
        assert main(["check", str(path), "--rejects", str(out)]) == 0
        stdout = capsys.readouterr().out
        assert f"{path}: 4 rows, 2 accepted, 2 rejected" in stdout
        assert "bad_time: 1 rows" in stdout and "outside_area: 1 rows" in stdout
        assert "row 3, column '发生时间'" in stdout
        assert f"reject table written to {out}" in stdout
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")
        written = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        expected = read_ledger(path, townships=make_townships()).rejects
        assert written["row"].astype(int).tolist() == expected["row"].tolist() == [3, 4]
        assert written["column"].tolist() == expected["column"].tolist()
        assert written["reason_code"].tolist() == expected["reason_code"].tolist()
        assert written["原始_编号"].tolist() == ["A2", "A3"]
        # a formula in the ledger is neutralised in the download
        assert written["value"].iloc[0] == '\'=HYPERLINK("x")'

    def test_options_and_clean_file(
        self, cli_dir: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        glon, glat = wgs84_to_gcj02(108.65, 30.95)
        path = cli_dir / "tips.csv"
        rows = [
            ["编号", "时间", "经度", "纬度"],
            ["T1", "2025-10-01 20:15", repr(float(glon)), repr(float(glat))],
        ]
        path.write_bytes(csv_bytes(rows))
        assert main(["check", str(path), "--crs", "gcj02", "--kind", "tip"]) == 0
        assert f"{path}: 1 rows, 1 accepted, 0 rejected" in capsys.readouterr().out

    def test_no_townships_skips_the_area_check(
        self, cli_dir: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = cli_dir / "far.csv"
        path.write_bytes(csv_bytes(table([{"经度": "116.4", "纬度": "39.9"}])))
        assert main(["check", str(path), "--no-townships"]) == 0
        assert "1 rows, 1 accepted, 0 rejected" in capsys.readouterr().out

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("missing.csv", None, "cannot read the file"),
            ("old.xls", b"\xd0\xcf\x11\xe0", "old .xls workbooks are not read"),
            ("bad.csv", b"\x80\xff\xfe\x81", "neither UTF-8 nor GBK"),
        ],
        ids=["missing", "xls", "undecodable"],
    )
    def test_unreadable_file_exits_2(
        self,
        cli_dir: Path,
        capsys: pytest.CaptureFixture[str],
        name: str,
        content: bytes | None,
        message: str,
    ) -> None:
        path = cli_dir / name
        if content is not None:
            path.write_bytes(content)
        assert main(["check", str(path), "--rejects", str(cli_dir / "r.csv")]) == 2
        captured = capsys.readouterr()
        assert captured.err.startswith("error: ")
        assert message in captured.err and name in captured.err
        assert "Traceback" not in captured.err
        assert captured.out == ""
        assert not (cli_dir / "r.csv").exists()


# ---------------------------------------------------------------- properties

GARBAGE = st.text(max_size=12)
IDS = st.sampled_from(["", "A1", "A2", "A3", "1001", "1001.0"]) | GARBAGE
KINDS = st.sampled_from(["", "查处", "举报", "case", "tip", "投诉"]) | GARBAGE
TIMES = (
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2035, 1, 1)).flatmap(
        lambda d: st.sampled_from(
            [
                d.strftime("%Y-%m-%d %H:%M"),
                d.strftime("%Y/%m/%d %H:%M"),
                d.strftime("%Y年%m月%d日 %H时%M分"),
                d.strftime("%Y%m%d %H%M"),
                d.strftime("%Y-%m-%d"),
                d.isoformat() + "+00:00",
            ]
        )
    )
    | st.sampled_from(["", "never", "2025-13-45", "1986-05-04 02:30", "now"])
    | GARBAGE
)
LONS = (
    st.floats(108.55, 108.85).map(repr)
    | st.floats(allow_nan=True, allow_infinity=True).map(str)
    | st.sampled_from(["", "30.95", "E108.7", "abc", "1e999", "-181"])
    | GARBAGE
)
LATS = (
    st.floats(30.85, 31.05).map(repr)
    | st.floats(allow_nan=True, allow_infinity=True).map(str)
    | st.sampled_from(["", "108.65", "N30.9", "95", "nan"])
    | GARBAGE
)
CRSS = st.sampled_from(["", "wgs84", "gcj02", "bd09", "百度", "墨卡托"]) | GARBAGE
SEATS = st.sampled_from(["", "7", "7座", "0", "81", "7.5", "inf", "nan", "1e400"]) | GARBAGE
TOWNS = st.sampled_from(["", "甲镇", "乙", "500235002", "丙镇"]) | GARBAGE
LEDGER_ROW = st.tuples(IDS, KINDS, TIMES, LONS, LATS, CRSS, SEATS, TOWNS).map(list)
LEDGER_HEADER = ["编号", "类型", "发生时间", "经度", "纬度", "坐标系", "核定座位", "乡镇"]


@settings(max_examples=50, deadline=None)
@given(rows=st.lists(LEDGER_ROW, max_size=12), with_townships=st.booleans())
def test_property_every_row_accepted_or_rejected(
    rows: list[list[str]], with_townships: bool
) -> None:
    res = read_ledger(
        csv_bytes([LEDGER_HEADER, *rows]),
        name="fuzz.csv",
        townships=TOWNSHIPS if with_townships else None,
        now=NOW,
    )
    assert_invariants(res)
    assert res.n_rows == sum(any(str(c).strip() for c in r) for r in rows)
    assert np.isfinite(res.events["lat"].to_numpy(dtype=float)).all()
    assert np.isfinite(res.events["lon"].to_numpy(dtype=float)).all()
    assert res.events["lon"].between(-180, 180).all() and res.events["lat"].between(-90, 90).all()
    times = res.events["occurred_at"]
    assert times.notna().all()
    assert ((times >= local("2000-01-01")) & (times <= NOW + pd.Timedelta(days=1))).all()
    assert set(res.events["kind"]) <= {"case", "tip"}
    if with_townships:
        assert set(res.events["township_code"]) <= set(CODES)


XLSX_CELL = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=8),  # XLSX forbids controls
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(20000, 80000),  # Excel serial days
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2035, 1, 1)),
    st.sampled_from(["查处", "举报", "108.65", "30.95", "2025-10-01 20:15"]),
)


@settings(max_examples=50, deadline=None)
@given(
    cells=st.lists(
        st.lists(XLSX_CELL, min_size=5, max_size=5),
        max_size=8,
    )
)
def test_property_xlsx_rows_accepted_or_rejected(cells: list[list[object]]) -> None:
    res = read_ledger(xlsx_bytes([HEADER, *cells], title="台账"), name="fuzz.xlsx", now=NOW)
    assert_invariants(res)
    assert set(res.raw.index) <= set(range(3, 3 + len(cells)))


@settings(max_examples=50, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.text(alphabet="0123456789-/:.年月日时分秒号点 TZ+", max_size=25),
        st.floats(),
        st.integers(),
        st.datetimes(),
        st.datetimes(timezones=st.timezones()),
    )
)
def test_property_parse_time_never_raises(value: object) -> None:
    ts, prec = parse_time(value)
    if ts is None:
        assert prec == ""
    else:
        assert isinstance(ts, pd.Timestamp) and not pd.isna(ts)
        assert ts.tz is not None and str(ts.tz) == "Asia/Shanghai"
        assert prec in ("day", "minute")


@settings(max_examples=50, deadline=None)
@given(
    d=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 12, 31)).map(
        lambda x: x.replace(second=0, microsecond=0)
    ),
    fmt=st.sampled_from(
        [
            "%Y-%m-%d %H:%M",
            "%Y/%m/%d %H:%M",
            "%Y年%m月%d日 %H时%M分",
            "%Y%m%d %H%M",
            "%Y.%m.%d %H:%M",
        ]
    ),
)
def test_property_parse_time_round_trips_local_minutes(d: dt.datetime, fmt: str) -> None:
    ts, prec = parse_time(d.strftime(fmt))
    assert ts is not None and prec == "minute"
    assert ts == pd.Timestamp(d).tz_localize(TZ)
    assert not math.isnan(ts.timestamp())


def test_a_lone_apostrophe_never_merges_rows() -> None:
    """Found by the property test: the CSV sniffer took ' for the quote character."""
    rows = [
        ["", "", "", "108.75", "31.0", "", "", ""],
        ["", "'", "", "108.75", "31.0", "", "", ""],
        ["", "'", "", "108.75", "31.0", "", "", ""],
    ]
    result = read_ledger(csv_bytes([LEDGER_HEADER, *rows]), name="x.csv", now=NOW)
    assert result.n_rows == 3 and result.n_accepted + result.n_rejected == 3


def test_content_hash_ids_are_those_stores_already_hold() -> None:
    """Ids of id-less rows must not change between versions: re-imports find their records."""
    rows = [
        ["类型", "发生时间", "经度", "纬度", "车牌号"],
        ["查处", "2025-10-01 20:15", "108.65", "30.95", "渝F12345"],
        ["举报", "2025/10/02", "108.7", "30.9", ""],
        ["举报", "2025年10月3日 晚上8点", "108.71", "30.91", "渝a 123"],
    ]
    res = read_ledger(csv_bytes(rows), name="x.csv", now=NOW)
    assert res.events["event_id"].tolist() == ["h-1c8b0e110563", "h-5927f64e038f", "h-978b0a4f6305"]
    alone = read_ledger(csv_bytes([rows[0], rows[2]]), name="y.csv", now=NOW)
    assert alone.events["event_id"].tolist() == ["h-d5449bd1207f"]
