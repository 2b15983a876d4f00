"""``hexpatrol init``: a new deployment folder with a documented config and templates."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

LEDGER_HEADERS = (
    "编号",
    "类型",
    "发生时间",
    "经度",
    "纬度",
    "坐标系",
    "乡镇",
    "车牌号",
    "车辆类型",
    "核定座位",
    "违法行为",
    "地点",
    "核实情况",
    "线索来源",
    "办案单位",
    "举报人",
    "举报人电话",
)
LEDGER_EXAMPLE = (
    "示例-001",
    "查处",
    "2025-10-01 20:30",
    "108.71720",
    "30.98680",
    "wgs84",
    "",
    "渝F·A1234",
    "7座面包车",
    "7",
    "未取得道路运输经营许可擅自从事道路客运经营",
    "高铁站出站口",
    "",
    "",
    "县交通运输综合行政执法支队",
    "",
    "",
)
LEDGER_NOTES = (
    ("编号", "每条记录唯一;可留空(将按内容生成)"),
    ("类型", "查处 或 举报"),
    ("发生时间", "2025-10-01 20:30、2025/10/1 20:30 或 2025年10月1日 20时30分;只有日期也可"),
    ("经度/纬度", "以度为单位的小数"),
    ("坐标系", "wgs84(GPS、天地图)、gcj02(高德、腾讯)、bd09(百度);留空按 wgs84"),
    ("乡镇", "乡镇名称或9位代码;留空则按坐标判断"),
    ("举报人/举报人电话", "保密:单独保存,不会出现在地图、表格、导出和通报中"),
)
KEY_AREA_TEMPLATE = pd.DataFrame(
    {
        "name": ["示例高铁站(请替换)", "示例场镇集市(请替换)"],
        "category": ["hsr_station", "rural_market"],
        "lat": [30.9868, 31.2244],
        "lon": [108.7172, 108.7958],
        "radius_m": [500, 600],
        "market_days": ["", "1,4,7"],
        "township_code": ["", ""],
        "name_en": ["HSR station (example)", "Market town (example)"],
    }
)


def config_text(region: str, code: str) -> str:
    """A commented hexpatrol.toml for a new region (paths relative to the file)."""
    return f'''# hexpatrol.toml — configuration of the {region} deployment.
# Every key is optional; a missing key takes the default shown. Paths are relative to this file.

region_name = "{region}"
region_code = "{code}"                 # 6-digit administrative code

# Township (乡镇/街道) polygons: GeoJSON, Shapefile (.shp) or GeoPackage, any CRS.
townships = "boundaries/townships.geojson"
township_code_field = "code"        # the file's column with the 9-digit code
township_name_field = "name"        # the file's column with the name

# Key areas: GeoJSON points, or this CSV/XLSX with lat/lon (WGS-84) columns.
# category: hsr_station, bus_terminal, shopping, residential, hospital, school,
#           rural_market, expressway_exit, service_area, scenic
key_areas = "key_areas.csv"
routes = "routes.geojson"           # optional key routes (lines with a name)

# Ledgers loaded at start (cases and tips; CSV UTF-8/GBK, XLSX or GeoJSON).
events = ["ledgers/cases.xlsx", "ledgers/tips.xlsx"]

h3_resolution = 8                   # 7 (coarse) .. 10 (fine)
case_weight = 1.0
tip_weight = 0.5
gi_k = 1
gi_transform = "none"
fdr = true
language = "zh"                     # zh or en
deck_threshold = 3000               # above this many hexagons: the deck.gl view

# The store (imported records, batches, users, audit log): a SQLite file in data_dir, or a
# PostgreSQL database ($HEXPATROL_DB_URL overrides database_url).
data_dir = "var"
# database_url = "postgresql+psycopg://hexpatrol:PASSWORD@127.0.0.1/hexpatrol"
session_minutes = 240               # a login ends after this many idle minutes

# Base map: "none" (offline; township boundaries), "local" (an MBTiles imported with
# `hexpatrol basemap import FILE.mbtiles --name NAME`, then basemap = "NAME"), "osm",
# "tianditu" (needs tianditu_key), "amap" (GCJ-02; layers are shifted to line up) or
# "custom" (an intranet tile server).
tiles = "none"
# basemap = ""
# Roads, villages and rivers under the hexagons (GeoJSON/Shapefile/GeoPackage, any CRS):
# roads = "basemap/roads.shp"
# roads_name_field = "name"
# roads_class_field = "class"       # 高速/国道/省道/县道/乡道 or expressway/primary/…
# villages = "basemap/villages.geojson"
# rivers = "basemap/rivers.geojson"
# tianditu_key = ""
# tile_url = "http://tiles.intranet.local/{{z}}/{{x}}/{{y}}.png"
# tile_attribution = ""

[periods]
night = ["20:00", "06:00"]
morning = ["06:00", "12:00"]
school_windows = [["07:00", "08:30"], ["16:30", "18:30"]]
# chunyun = [["2026-02-02", "2026-03-13"]]
# school_vacations = [["2026-07-01", "2026-08-31"]]
# sensitive_dates = ["2026-06-04"]
# holiday_table = "holidays.csv"    # date,is_holiday,is_makeup_workday for later years
'''


def ledger_template() -> bytes:
    """An XLSX ledger template with Chinese headers, one example row and a notes sheet."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        pd.DataFrame([LEDGER_EXAMPLE], columns=list(LEDGER_HEADERS)).to_excel(
            writer, sheet_name="台账", index=False
        )
        pd.DataFrame(LEDGER_NOTES, columns=["列", "填写说明"]).to_excel(
            writer, sheet_name="填写说明", index=False
        )
    return buf.getvalue()


README = """{region} — hexpatrol deployment folder

1. Put the township polygons in boundaries/ (GeoJSON, Shapefile or GeoPackage) and set
   townships / township_code_field / township_name_field in hexpatrol.toml.
2. Replace the example rows of key_areas.csv with your key areas (lat/lon in WGS-84).
3. Fill ledgers from templates/台账模板.xlsx (or use your own headers: hexpatrol maps common
   Chinese and English ones) and list them under events in hexpatrol.toml.
4. Check each ledger:   hexpatrol check ledgers/cases.xlsx --config hexpatrol.toml
5. Start the app:       HEXPATROL_CONFIG=$PWD/hexpatrol.toml streamlit run <hexpatrol>/app.py
"""


def init_deployment(
    folder: str | Path, region: str, *, code: str = "", force: bool = False
) -> list[Path]:
    """Create a deployment folder; refuses to overwrite files unless ``force``."""
    root = Path(folder)
    files = {
        root / "hexpatrol.toml": config_text(region, code).encode("utf-8"),
        root / "key_areas.csv": KEY_AREA_TEMPLATE.to_csv(index=False).encode("utf-8-sig"),
        root / "templates" / "台账模板.xlsx": ledger_template(),
        root / "README.txt": README.format(region=region).encode("utf-8"),
    }
    existing = [p for p in files if p.exists()]
    if existing and not force:
        raise FileExistsError(f"{', '.join(map(str, existing))} already exist; use --force")
    for sub in ("boundaries", "ledgers", "templates"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for path, data in files.items():
        path.write_bytes(data)
    return list(files)
