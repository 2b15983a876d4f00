"""Write hexpatrol's SYNTHETIC Yunyang demo data set into ``data/demo/``.

合成演示数据 — 非真实案件. Everything written here is invented, except the township codes,
names and seat points and the county outline, which come from the reference files in
``data/reference/`` (sources and licences in ``data/reference/README.md``).

Run ``python data/make_demo.py`` (or ``hexpatrol demo``); the output is the same for the same
``--seed``. Files written:

- ``townships.geojson``: 42 townships; polygons are Voronoi cells of the seat points clipped to
  the county outline: APPROXIMATE, NOT LEGAL BOUNDARIES.
- ``key_areas.geojson``: key areas of every category the seed work plans name; positions
  approximate.
- ``routes.geojson``: the key routes 江口—云阳 and 南溪—云阳 as schematic lines.
- ``cases.csv`` (UTF-8 with BOM) and ``tips.csv`` (GBK, as many ledgers are saved): two years
  (2024-01..2025-12) of synthetic cases and tips; about 60% of tips in GCJ-02 coordinates.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from geo.coords import wgs84_to_gcj02  # noqa: E402
from geo.regions import township_of  # noqa: E402

REF = ROOT / "reference"
SYNTHETIC = "合成演示数据(非真实) SYNTHETIC DEMO DATA - not real records"
APPROX = "approximate position (synthetic demo) / 位置为示意"
START, END = pd.Timestamp("2024-01-01"), pd.Timestamp("2025-12-31")
URBAN = {"500235001", "500235002", "500235003", "500235004"}  # the four 街道
# "rural" in the summary: outside the 街道 and 黄石镇 (the HSR-station new district)
NOT_RURAL = URBAN | {"500235121"}

# Spring Festival travel windows (春运) and the holidays with the biggest surges
CHUNYUN = [("2024-01-26", "2024-03-05"), ("2025-01-14", "2025-02-22")]


@dataclass(frozen=True)
class KeyArea:
    """A demo key area: where it is, what it is, when it draws black cars."""

    name: str
    category: str
    lat: float
    lon: float
    radius_m: float
    market_days: str = ""
    market_hours: str = ""
    name_en: str = ""


KEY_AREAS = [
    KeyArea("云阳站(高铁)", "hsr_station", 30.9868, 108.7172, 500, name_en="Yunyang HSR station"),
    KeyArea(
        "云阳汽车客运中心", "bus_terminal", 30.9452, 108.6905, 300, name_en="Bus passenger centre"
    ),
    KeyArea(
        "城中城商圈",
        "shopping",
        30.9318,
        108.6998,
        400,
        name_en="Chengzhongcheng shopping district",
    ),
    KeyArea("金科世界城", "residential", 30.9560, 108.6760, 500, name_en="Jinke World City estate"),
    KeyArea(
        "云阳县人民医院", "hospital", 30.9381, 108.6946, 250, name_en="County People's Hospital"
    ),
    KeyArea("云阳中学", "school", 30.9425, 108.6862, 250, name_en="Yunyang Middle School"),
    KeyArea(
        "云阳县实验小学", "school", 30.9290, 108.7040, 200, name_en="Experimental Primary School"
    ),
    KeyArea("双江中学", "school", 30.9230, 108.7120, 200, name_en="Shuangjiang Middle School"),
    KeyArea("人和小学", "school", 30.9800, 108.6620, 200, name_en="Renhe Primary School"),
    KeyArea("张飞庙景区", "scenic", 30.9170, 108.7060, 400, name_en="Zhang Fei Temple"),
    KeyArea("龙缸景区", "scenic", 30.7060, 108.9720, 800, name_en="Longgang scenic area"),
    KeyArea(
        "云阳高速出口", "expressway_exit", 30.9780, 108.7350, 400, name_en="Yunyang expressway exit"
    ),
    KeyArea(
        "江口高速出口",
        "expressway_exit",
        31.2050,
        108.7850,
        400,
        name_en="Jiangkou expressway exit",
    ),
    KeyArea(
        "南溪高速出口", "expressway_exit", 31.1000, 108.8250, 400, name_en="Nanxi expressway exit"
    ),
    KeyArea("云阳服务区", "service_area", 31.0300, 108.7700, 400, name_en="Yunyang service area"),
]
# rural market towns at their township seats: (township name, market-day cycle)
MARKETS = [
    ("江口镇", "1,4,7"),
    ("南溪镇", "2,5,8"),
    ("龙角镇", "3,6,9"),
    ("故陵镇", "1,4,7"),
    ("凤鸣镇", "2,5,8"),
    ("双土镇", "3,6,9"),
    ("农坝镇", "1,4,7"),
    ("平安镇", "2,5,8"),
    ("巴阳镇", "3,6,9"),
    ("沙市镇", "1,4,7"),
    ("宝坪镇", "2,5,8"),
    ("泥溪镇", "3,6,9"),
]


def make_townships() -> gpd.GeoDataFrame:
    seats = pd.read_csv(REF / "yunyang_townships.csv", dtype={"code": str})
    outline = gpd.read_file(REF / "yunyang_county_outline_wgs84.geojson").geometry.union_all()
    points = shapely.points(seats["lon_wgs84"], seats["lat_wgs84"])
    cells = shapely.voronoi_polygons(
        shapely.multipoints(points), extend_to=outline.envelope.buffer(0.5), ordered=True
    )
    polys = [shapely.intersection(c, outline) for c in shapely.get_parts(cells)]
    return gpd.GeoDataFrame(
        {
            "code": seats["code"],
            "name": seats["name"],
            "type": seats["type"],
            "seat_lat": seats["lat_wgs84"],
            "seat_lon": seats["lon_wgs84"],
            "point_source": seats["point_source"],
            "boundary_note": "approximate, not legal boundaries (Voronoi of seat points "
            "clipped to the county outline) / 示意范围,非法定界线",
        },
        geometry=polys,
        crs=4326,
    )


def make_key_areas(townships: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rows = [ka.__dict__ | {"note": APPROX} for ka in KEY_AREAS]
    seat = townships.set_index("name")
    for town, cycle in MARKETS:
        rows.append(
            {
                "name": f"{town.removesuffix('镇')}场镇集市",
                "name_en": f"{town} market",
                "category": "rural_market",
                "lat": float(seat.loc[town, "seat_lat"]) + 0.002,
                "lon": float(seat.loc[town, "seat_lon"]) + 0.002,
                "radius_m": 600,
                "market_days": cycle,
                "market_hours": "06:00-13:00",
                "note": APPROX,
            }
        )
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", [f"ka{i:03d}" for i in range(len(frame))])
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=4326)
    gdf["township_code"] = township_of(gdf["lon"], gdf["lat"], townships)
    return gdf.drop(columns=["lat", "lon"])


def make_routes(townships: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    seat = townships.set_index("name")

    def at(name: str) -> tuple[float, float]:
        return float(seat.loc[name, "seat_lon"]), float(seat.loc[name, "seat_lat"])

    town = (108.6990, 30.9350)
    lines = {
        "江口—云阳": [at("江口镇"), at("路阳镇"), at("高阳镇"), at("黄石镇"), town],
        "南溪—云阳": [at("南溪镇"), at("云安镇"), at("水口镇"), town],
    }
    return gpd.GeoDataFrame(
        {"name": list(lines), "note": "schematic line between town seats / 线路为示意"},
        geometry=[shapely.LineString(v) for v in lines.values()],
        crs=4326,
    )


# ---------------------------------------------------------------- events


def day_table() -> pd.DataFrame:
    hol = pd.read_csv(REF / "cn_holidays_2024_2026.csv", parse_dates=["date"])
    days = pd.DataFrame({"date": pd.date_range(START, END, freq="D")}).merge(hol, on="date")
    days["weekend"] = (days["date"].dt.day_of_week >= 5) & ~days["is_makeup_workday"]
    days["holiday"] = days["is_statutory_holiday"]
    days["chunyun"] = False
    for a, b in CHUNYUN:
        days.loc[days["date"].between(a, b), "chunyun"] = True
    days["national_day"] = days["holiday"] & (days["holiday_name_en"] == "National Day")
    month = days["date"].dt.month
    days["school_day"] = days["is_workday"] & ~month.isin([7, 8]) & ~days["chunyun"]
    days["dom"] = days["date"].dt.day
    # demand grows a little over the two years, with a summer dip
    t = (days["date"] - START).dt.days / 730.0
    days["trend"] = 0.85 + 0.3 * t - 0.1 * month.isin([6, 7]).astype(float)
    return days


def hour_profile(peaks: list[tuple[float, float, float]], floor: float = 0.05) -> np.ndarray:
    """24 hourly weights from (hour, width, height) bumps on a small floor; sums to 1."""
    hours = np.arange(24)
    w = np.full(24, floor)
    for h, width, height in peaks:
        d = np.minimum(np.abs(hours - h), 24 - np.abs(hours - h))
        w += height * np.exp(-0.5 * (d / width) ** 2)
    return w / w.sum()


NIGHT = hour_profile([(22, 2.0, 1.0), (1, 1.5, 0.6)])
EVENING_ARRIVALS = hour_profile([(19.5, 2.0, 1.0), (22.5, 1.2, 0.6), (8.5, 1.5, 0.25)])
TERMINAL = hour_profile([(7.5, 1.5, 0.8), (17.5, 2.0, 0.7), (21.5, 1.5, 0.5)])
SHOPPING = hour_profile([(20.5, 2.0, 1.0), (14, 2.5, 0.3)])
HOSPITAL = hour_profile([(8.5, 1.5, 1.0), (11.5, 1.0, 0.5)])
SCHOOL = hour_profile([(7.3, 0.5, 1.0), (17.2, 0.6, 1.0)], floor=0.01)
MARKET = hour_profile([(8.5, 1.5, 1.0), (11.5, 1.2, 0.6)], floor=0.02)
RESIDENTIAL = hour_profile([(7.8, 1.0, 0.8), (21, 2.0, 0.8)])
EXIT = hour_profile([(21.5, 2.5, 1.0), (2, 2.0, 0.5), (15, 3, 0.3)])
RURAL = hour_profile([(7, 1.5, 0.7), (18, 2.0, 0.6), (22, 2.0, 0.5)])


@dataclass(frozen=True)
class Source:
    """A place that draws illegal operators, and when."""

    lat: float
    lon: float
    sigma_m: float
    rate: float  # events per ordinary day
    hours: np.ndarray
    p_case: float  # share found by enforcement (the rest are public tips)
    weekend: float = 1.3
    holiday: float = 1.8
    chunyun: float = 1.5
    national_day: float = 1.0
    school_only: bool = False
    market_days: str = ""
    market_off: float = 0.15  # rate factor on non-market days


def make_sources(key_areas: gpd.GeoDataFrame, townships: gpd.GeoDataFrame) -> list[Source]:
    ka = {r["name"]: r for _, r in key_areas.iterrows()}

    def src(name: str, **kw: object) -> Source:
        g = ka[name].geometry
        return Source(lat=g.y, lon=g.x, **kw)  # type: ignore[arg-type]

    sources = [
        src(
            "云阳站(高铁)",
            sigma_m=250,
            rate=1.9,
            hours=EVENING_ARRIVALS,
            p_case=0.42,
            weekend=1.6,
            holiday=2.6,
            chunyun=2.4,
            national_day=1.5,
        ),
        src(
            "云阳汽车客运中心",
            sigma_m=180,
            rate=1.6,
            hours=TERMINAL,
            p_case=0.5,
            weekend=1.4,
            holiday=2.2,
            chunyun=2.0,
        ),
        src(
            "城中城商圈",
            sigma_m=220,
            rate=1.1,
            hours=SHOPPING,
            p_case=0.35,
            weekend=1.9,
            holiday=1.7,
        ),
        src("城中城商圈", sigma_m=500, rate=0.8, hours=NIGHT, p_case=0.3, weekend=1.6),
        src("金科世界城", sigma_m=300, rate=0.8, hours=RESIDENTIAL, p_case=0.2, weekend=1.2),
        src(
            "云阳县人民医院",
            sigma_m=150,
            rate=0.8,
            hours=HOSPITAL,
            p_case=0.4,
            weekend=0.8,
            holiday=0.9,
        ),
        src(
            "云阳高速出口", sigma_m=250, rate=0.5, hours=EXIT, p_case=0.45, holiday=2.4, chunyun=2.0
        ),
        src("江口高速出口", sigma_m=250, rate=0.3, hours=EXIT, p_case=0.4, holiday=2.2),
        src("南溪高速出口", sigma_m=250, rate=0.25, hours=EXIT, p_case=0.4, holiday=2.2),
        src("云阳服务区", sigma_m=200, rate=0.2, hours=EXIT, p_case=0.5, holiday=2.0),
        src(
            "张飞庙景区",
            sigma_m=250,
            rate=0.3,
            hours=SHOPPING,
            p_case=0.4,
            weekend=2.0,
            holiday=2.5,
            national_day=1.6,
        ),
        src(
            "龙缸景区",
            sigma_m=500,
            rate=0.2,
            hours=MARKET,
            p_case=0.35,
            weekend=2.2,
            holiday=3.0,
            national_day=1.6,
        ),
    ]
    for name, r in ka.items():
        if r["category"] == "school":
            sources.append(
                src(
                    name,
                    sigma_m=120,
                    rate=0.35,
                    hours=SCHOOL,
                    p_case=0.3,
                    weekend=0.0,
                    holiday=0.0,
                    chunyun=1.0,
                    school_only=True,
                )
            )
        elif r["category"] == "rural_market":
            sources.append(
                src(
                    name,
                    sigma_m=350,
                    rate=0.42,
                    hours=MARKET,
                    p_case=0.36,
                    weekend=1.0,
                    holiday=1.3,
                    chunyun=1.6,
                    market_days=str(r["market_days"]),
                )
            )
    # thin background over every rural township: remote roads, cat-and-mouse runs
    for _, t in townships[~townships["code"].isin(URBAN)].iterrows():
        sources.append(
            Source(
                lat=t["seat_lat"],
                lon=t["seat_lon"],
                sigma_m=2500,
                rate=0.03,
                hours=RURAL,
                p_case=0.6,
                weekend=1.2,
                holiday=1.6,
                chunyun=1.8,
            )
        )
    return sources


def simulate(
    sources: list[Source], routes: gpd.GeoDataFrame, rng: np.random.Generator, days: pd.DataFrame
) -> pd.DataFrame:
    out = []
    date_ns = days["date"].to_numpy()
    base = days["trend"].to_numpy()
    for s in sources:
        mult = base.copy()
        mult *= np.where(days["weekend"], s.weekend, 1.0)
        mult *= np.where(days["holiday"], s.holiday, 1.0)
        mult *= np.where(days["chunyun"], s.chunyun, 1.0)
        mult *= np.where(days["national_day"], s.national_day, 1.0)
        if s.school_only:
            mult *= days["school_day"].to_numpy()
        if s.market_days:
            digits = {int(d) for d in s.market_days.split(",")}
            on = days["dom"].mod(10).isin(digits).to_numpy()
            mult *= np.where(on, 2.2, s.market_off)
        counts = rng.poisson(s.rate * mult)
        n = int(counts.sum())
        if n == 0:
            continue
        day = np.repeat(date_ns, counts)
        hour = rng.choice(24, size=n, p=s.hours)
        minute = rng.integers(0, 60, size=n)
        dy = rng.normal(0, s.sigma_m, n) / 111_320
        dx = rng.normal(0, s.sigma_m, n) / (111_320 * math.cos(math.radians(s.lat)))
        out.append(
            pd.DataFrame(
                {
                    "occurred_at": pd.to_datetime(day)
                    + pd.to_timedelta(hour, "h")
                    + pd.to_timedelta(minute, "m"),
                    "lat": s.lat + dy,
                    "lon": s.lon + dx,
                    "is_case": rng.random(n) < s.p_case,
                    "src": f"{s.lat:.3f},{s.lon:.3f},{s.rate}",
                }
            )
        )
    # along the key routes: cross-district fixed-route runs (跨区域定线运输), mornings and evenings
    for geom in routes.geometry:
        n = int(rng.poisson(0.5 * len(days)))
        where = geom.interpolate(rng.random(n), normalized=True)
        dayi = rng.integers(0, len(days), n)
        hour = rng.choice(24, size=n, p=hour_profile([(7, 1.5, 1.0), (17.5, 1.5, 0.9)]))
        out.append(
            pd.DataFrame(
                {
                    "occurred_at": pd.to_datetime(date_ns[dayi])
                    + pd.to_timedelta(hour, "h")
                    + pd.to_timedelta(rng.integers(0, 60, n), "m"),
                    "lat": shapely.get_y(where) + rng.normal(0, 0.002, n),
                    "lon": shapely.get_x(where) + rng.normal(0, 0.002, n),
                    "is_case": rng.random(n) < 0.5,
                }
            )
        )
    return pd.concat(out, ignore_index=True)


VEHICLES = [  # type, seats, share among cases
    ("7座面包车", 7, 0.30),
    ("7座商务车", 7, 0.17),
    ("9座客车", 9, 0.05),
    ("5座轿车", 5, 0.30),
    ("网约车(线下揽客)", 5, 0.10),
    ("残疾人代步车", 3, 0.04),
    ("摩托车", 2, 0.04),
]
OFFENCES = [
    "未取得道路运输经营许可擅自从事道路客运经营",
    "网约车违规线下揽客",
    "跨区域定线运输",
    "站场周边拉客(羊儿客)",
    "残疾人代步车非法载客",
    "摩托车非法载客",
]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def fake_plates(rng: np.random.Generator, n: int) -> list[str]:
    def one() -> str:
        tail = "".join(rng.choice(list("0123456789" + LETTERS[:6]), 4))
        return f"渝F{rng.choice(list(LETTERS))}{tail}"

    pool = sorted({one() for _ in range(n)})
    return pool


def attach_attributes(
    ev: pd.DataFrame, townships: gpd.GeoDataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    ev = ev.sort_values("occurred_at", kind="stable").reset_index(drop=True)
    codes = township_of(ev["lon"], ev["lat"], townships)
    ev = ev[pd.notna(codes)].copy()
    ev["township_code"] = codes[pd.notna(codes)]
    names = dict(zip(townships["code"], townships["name"], strict=True))
    ev["township"] = ev["township_code"].map(names)
    n = len(ev)
    p = np.array([v[2] for v in VEHICLES])
    vi = rng.choice(len(VEHICLES), size=n, p=p / p.sum())
    ev["vehicle_type"] = [VEHICLES[i][0] for i in vi]
    ev["seats"] = [VEHICLES[i][1] for i in vi]
    offence_of = {0: 0, 1: 0, 2: 2, 3: 0, 4: 1, 5: 4, 6: 5}
    ev["offence"] = [OFFENCES[offence_of[i]] for i in vi]
    ev.loc[ev["is_case"] & (rng.random(n) < 0.12), "offence"] = OFFENCES[3]
    # repeat vehicles: a Zipf-like pool so the blacklist has real repeats
    pool = fake_plates(rng, 2600)
    weights = 1.0 / np.arange(1, len(pool) + 1) ** 0.9
    ev["plate"] = rng.choice(pool, size=n, p=weights / weights.sum())
    ev.loc[~ev["is_case"] & (rng.random(n) < 0.25), "plate"] = ""  # tips often lack a plate
    return ev.reset_index(drop=True)


def write_cases(ev: pd.DataFrame, path: Path) -> None:
    cases = ev[ev["is_case"]].reset_index(drop=True)
    units = np.where(
        cases["township_code"].isin(URBAN), "县交通运输综合行政执法支队", "县交巡警大队"
    )
    frame = pd.DataFrame(
        {
            "案件编号": [f"YYC{t:%Y%m}{i:05d}" for i, t in enumerate(cases["occurred_at"])],
            "类型": "查处",
            "查处时间": cases["occurred_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "经度": cases["lon"].round(6),
            "纬度": cases["lat"].round(6),
            "乡镇": cases["township"],
            "车牌号": cases["plate"],
            "车辆类型": cases["vehicle_type"],
            "核定座位": cases["seats"],
            "违法行为": cases["offence"],
            "办案单位": units,
        }
    )
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        fh.write(f"{SYNTHETIC}\n")
        frame.to_csv(fh, index=False, quoting=csv.QUOTE_MINIMAL)


def write_tips(ev: pd.DataFrame, path: Path, rng: np.random.Generator) -> None:
    tips = ev[~ev["is_case"]].reset_index(drop=True)
    n = len(tips)
    gcj = rng.random(n) < 0.6  # Amap users report GCJ-02 positions
    glon, glat = wgs84_to_gcj02(tips["lon"].to_numpy(), tips["lat"].to_numpy())
    lon = np.where(gcj, glon, tips["lon"])
    lat = np.where(gcj, glat, tips["lat"])
    names = [
        rng.choice(list(SURNAMES)) + "".join(rng.choice(list(GIVEN), rng.integers(1, 3)))
        for _ in range(n)
    ]
    phones = [f"19{rng.integers(0, 10)}0000{rng.integers(0, 10000):04d}" for _ in range(n)]
    status = rng.choice(["属实", "不属实", "待核实"], size=n, p=[0.55, 0.25, 0.20])
    frame = pd.DataFrame(
        {
            "线索编号": [f"YYT{t:%Y%m}{i:05d}" for i, t in enumerate(tips["occurred_at"])],
            "类型": "举报",
            "举报时间": tips["occurred_at"].dt.strftime("%Y/%m/%d %H:%M"),
            "经度": np.round(lon, 6),
            "纬度": np.round(lat, 6),
            "坐标系": np.where(gcj, "gcj02", "wgs84"),
            "车牌号": tips["plate"],
            "车辆类型": tips["vehicle_type"],
            "核实情况": status,
            "线索来源": rng.choice(["12328热线", "微信公众号", "来电", "来访"], size=n),
            "举报人": names,
            "举报人电话": phones,
        }
    )
    with path.open("w", encoding="gbk", newline="") as fh:
        fh.write(f"{SYNTHETIC}\n")
        frame.to_csv(fh, index=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "demo")
    parser.add_argument("--seed", type=int, default=20251001)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    townships = make_townships()
    key_areas = make_key_areas(townships)
    routes = make_routes(townships)
    for gdf, name in ((townships, "townships"), (key_areas, "key_areas"), (routes, "routes")):
        path = args.out / f"{name}.geojson"
        path.write_text(gdf.to_json(ensure_ascii=False, drop_id=True), encoding="utf-8")
    days = day_table()
    events = attach_attributes(
        simulate(make_sources(key_areas, townships), routes, rng, days), townships, rng
    )
    write_cases(events, args.out / "cases.csv")
    write_tips(events, args.out / "tips.csv", rng)
    cases = events[events["is_case"]]
    rural = ~cases["township_code"].isin(NOT_RURAL)
    seven = cases["seats"] >= 7
    summary = {
        "synthetic": True,
        "seed": args.seed,
        "cases": int(len(cases)),
        "tips": int((~events["is_case"]).sum()),
        "rural_case_share": round(float(rural.mean()), 3),
        "seven_plus_seat_case_share": round(float(seven.mean()), 3),
    }
    (args.out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
