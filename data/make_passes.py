"""Write SYNTHETIC checkpoint passage data (过车数据) for hexpatrol's screening demo.

合成演示数据 — 非真实过车记录. Every plate and pass is invented. Vehicles of many kinds drive
between the demo townships and key areas (``data/demo/``) and are read by checkpoint cameras
at the key areas, township entrances and urban roads:

- ordinary private cars (more trips on weekends and holidays, to the market on market days),
  commuters into the county town, train commuters, school runs;
- licensed operators on the whitelist (taxis, buses, coaches, ride-hailing, official cars) —
  and licensed taxis that the whitelist forgot;
- logistics vans on fixed workday tours, parcel vans at the stations, driving-school cars
  (学 plates) circling their training ground;
- black cars (黑车): full-time fixed-route runs between a town and the county town,
  station-based touts leaving after train and coach arrivals, part-timers who run on
  weekends, holidays and market days. Most of them carry the plates of the demo cases
  (``data/demo/cases.csv``: they were caught before), a few were never caught.

Cameras miss some passes, read some twice, misread a character now and then, and the export
has a few broken rows (unknown checkpoint, garbled time, no plate). Files written into
``--out`` (default ``var/demo_passes``; the same ``--seed`` gives the same files):

- ``checkpoints.csv`` — 卡口编号, 卡口名称, 经度, 纬度 (GCJ-02, column 坐标系), 卡口类型,
  所属乡镇, 片区;
- ``passes/passes_YYYY-MM-DD.parquet`` — one file a day: 号牌号码, 过车时间, 卡口编号,
  号牌颜色, 车辆类型, 方向 (``--format csv`` writes GBK CSV instead);
- ``whitelist.csv`` — 号牌号码, 车辆类别 (licensed operators, incomplete on purpose);
- ``truth.csv`` — plate, vehicle class, whether known/whitelisted: the simulator's labels,
  for tests and evaluation only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from geo.coords import wgs84_to_gcj02  # noqa: E402
from geo.periods import MarketCycle, day_calendar  # noqa: E402

DEMO = ROOT / "demo"
SYNTHETIC = "合成演示数据(非真实) SYNTHETIC DEMO DATA - not real records"
URBAN = ("500235001", "500235002", "500235003", "500235004")  # the four 街道
URBAN_AREA = "云阳县城区"
HSR_ARRIVALS = (462, 555, 638, 712, 785, 860, 937, 1015, 1088, 1166, 1241, 1318, 1365)  # min
BUS_ARRIVALS = tuple(range(450, 1131, 60))
KIND_ZH = {
    "hsr_station": "高铁站",
    "bus_terminal": "汽车站",
    "shopping": "商圈",
    "residential": "小区",
    "hospital": "医院",
    "school": "学校",
    "scenic": "景区",
    "expressway_exit": "高速收费站",
    "service_area": "服务区",
    "rural_market": "集市",
}
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
CONFUSABLE = {
    "0": "D",
    "D": "0",
    "8": "B",
    "B": "8",
    "5": "S",
    "S": "5",
    "2": "Z",
    "Z": "2",
    "1": "7",
    "7": "1",
    "6": "G",
    "G": "6",
    "Q": "0",
    "C": "G",
    "E": "F",
    "F": "E",
}
Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]


# ---------------------------------------------------------------- the road network


@dataclass
class World:
    """Checkpoints, places (homes per township + checkpoints) and travel paths between them."""

    cps: pd.DataFrame  # id, name, kind, lon, lat, town (township index), area
    towns: pd.DataFrame  # code, name, lon, lat, urban
    gate: Int  # town index -> checkpoint index of its entrance
    path_start: Int  # (place, place) -> offset into path_cp/path_sec
    path_len: Int
    path_cp: Int = field(repr=False)
    path_sec: Float = field(repr=False)
    duration: Float = field(repr=False)  # (place, place) -> seconds
    markets: dict[int, MarketCycle] = field(default_factory=dict)

    @property
    def n_towns(self) -> int:
        """Townships in the world."""
        return len(self.towns)

    def place_of_cp(self, cp: npt.ArrayLike) -> Int:
        """Place index of checkpoints (places are the towns' homes, then the checkpoints)."""
        return np.asarray(cp, dtype=np.int64) + self.n_towns

    def cps_of(self, kind: str) -> Int:
        """Indices of the checkpoints of one kind."""
        return np.flatnonzero(self.cps["kind"].to_numpy() == kind)


def _metres(lon: Float, lat: Float) -> tuple[Float, Float]:
    return lon * 111_320 * np.cos(np.radians(31.0)), lat * 110_540


def make_checkpoints(towns: pd.DataFrame, key_areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """Township entrances, urban road checkpoints and one checkpoint per key area."""
    rows = []
    centre = towns.loc[towns["urban"], ["lon", "lat"]].mean()
    for i, t in towns.iterrows():
        if t["urban"]:
            for j, (dx, dy, road) in enumerate(
                [(0.006, 0.004, "滨江路"), (-0.005, -0.003, "环城路")]
            ):
                rows.append(
                    (
                        f"KC{t['code'][-3:]}{j + 1}",
                        f"{t['name']}{road}路口",
                        "urban_road",
                        t["lon"] + dx,
                        t["lat"] + dy,
                        i,
                    )
                )
        else:
            d = np.array([centre["lon"] - t["lon"], centre["lat"] - t["lat"]])
            step = 0.006 * d / max(float(np.hypot(*d)), 1e-9)
            rows.append(
                (
                    f"KT{t['code'][-3:]}",
                    f"{t['name']}场镇出入口",
                    "township_entrance",
                    t["lon"] + step[0],
                    t["lat"] + step[1],
                    i,
                )
            )
    code_index = {c: i for i, c in enumerate(towns["code"])}
    for k, ka in enumerate(key_areas.itertuples()):
        rows.append(
            (
                f"KA{k + 1:03d}",
                f"{ka.name}卡口",
                ka.category,
                ka.geometry.x + 0.0008,
                ka.geometry.y + 0.0005,
                code_index[ka.township_code],
            )
        )
    cps = pd.DataFrame(rows, columns=["id", "name", "kind", "lon", "lat", "town"])
    urban_idx = set(np.flatnonzero(towns["urban"].to_numpy()))
    hsr = cps["kind"].eq("hsr_station")
    cps["area"] = np.where(cps["town"].isin(urban_idx) | hsr, URBAN_AREA, "")
    return cps


def _town_graph(towns: pd.DataFrame) -> tuple[Float, Int]:
    """Roads as the 3 nearest neighbours of each seat; all-pairs shortest paths."""
    x, y = _metres(towns["lon"].to_numpy(), towns["lat"].to_numpy())
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]) * 1.35
    n = len(towns)
    w = np.zeros((n, n))
    for i in range(n):
        for j in np.argsort(d[i])[1:4]:
            w[i, j] = w[j, i] = d[i, j]
    dist, pred = shortest_path(csr_matrix(w), directed=False, return_predecessors=True)
    return dist, pred


def _town_path(pred: Int, a: int, b: int) -> list[int]:
    path = [b]
    while path[-1] != a:
        path.append(int(pred[a, path[-1]]))
    return path[::-1]


def _place_points(w_cps: pd.DataFrame, towns: pd.DataFrame) -> tuple[Float, Float, Int, Int]:
    """Position, township and checkpoint (-1 for homes) of every place."""
    lon = np.concatenate([towns["lon"].to_numpy(), w_cps["lon"].to_numpy()])
    lat = np.concatenate([towns["lat"].to_numpy(), w_cps["lat"].to_numpy()])
    town = np.concatenate([np.arange(len(towns)), w_cps["town"].to_numpy()])
    cp = np.concatenate([np.full(len(towns), -1), np.arange(len(w_cps))])
    return lon, lat, town, cp


def build_world(towns: pd.DataFrame, key_areas: gpd.GeoDataFrame) -> World:
    """Checkpoints and the pass sequence (checkpoint, seconds) of every place-to-place trip."""
    cps = make_checkpoints(towns, key_areas)
    gate = np.zeros(len(towns), dtype=np.int64)
    for i in range(len(towns)):
        own = np.flatnonzero(
            (cps["town"] == i) & cps["kind"].isin(["township_entrance", "urban_road"])
        )
        gate[i] = own[0]
    _, pred = _town_graph(towns)
    lon, lat, town, cp = _place_points(cps, towns)
    px, py = _metres(lon, lat)
    cx, cy = _metres(cps["lon"].to_numpy(), cps["lat"].to_numpy())
    n = len(lon)
    starts, lens, flat_cp, flat_sec = np.zeros((n, n), np.int64), np.zeros((n, n), np.int64), [], []
    duration = np.zeros((n, n))
    for a in range(n):
        for b in range(n):
            seq = [cp[a]] if cp[a] >= 0 else []
            if town[a] != town[b]:
                seq += [gate[t] for t in _town_path(pred, town[a], town[b])]
            seq += [cp[b]] if cp[b] >= 0 else []
            seq = [s for k, s in enumerate(seq) if k == 0 or s != seq[k - 1]]
            xs = np.array([px[a], *cx[seq], px[b]])
            ys = np.array([py[a], *cy[seq], py[b]])
            legs = np.hypot(np.diff(xs), np.diff(ys)) * 1.3 / (38 / 3.6) + 20  # 38 km/h
            secs = np.cumsum(legs)
            starts[a, b], lens[a, b] = len(flat_cp), len(seq)
            flat_cp += seq
            flat_sec += list(secs[:-1] if len(seq) else [])
            duration[a, b] = secs[-1] if a != b else 0.0
    return World(
        cps, towns, gate, starts, lens, np.array(flat_cp, np.int64), np.array(flat_sec), duration
    )


# ---------------------------------------------------------------- calendar and vehicles


@dataclass
class Days:
    """The simulated days: midnight epoch (local wall clock as UTC), day types, market towns."""

    dates: list[dt.date]
    offday: npt.NDArray[np.bool_]
    holiday: npt.NDArray[np.bool_]
    school: npt.NDArray[np.bool_]
    saturday: npt.NDArray[np.bool_]
    market: npt.NDArray[np.bool_]  # (day, town)

    def midnight(self, d: int) -> int:
        """Epoch seconds of day ``d``'s local midnight."""
        return int(pd.Timestamp(self.dates[d]).value // 10**9)


def make_days(start: dt.date, n: int, world: World) -> Days:
    """``n`` days from ``start`` with their day types and market towns."""
    dates = [start + dt.timedelta(days=i) for i in range(n)]
    cal = day_calendar(dates).days
    market = np.zeros((n, world.n_towns), dtype=bool)
    for town, cycle in world.markets.items():
        market[:, town] = cycle.matches(dates)
    return Days(
        dates,
        (cal["weekend"] | cal["holiday"]).to_numpy(bool),
        cal["holiday"].to_numpy(bool),
        cal["school_day"].to_numpy(bool),
        np.array([d.weekday() == 5 for d in dates]) & cal["weekend"].to_numpy(bool),
        market,
    )


@dataclass
class Fleet:
    """Vehicles: plate, class, home place; trips accumulate in ``trips``."""

    plates: list[str] = field(default_factory=list)
    klass: list[str] = field(default_factory=list)
    trips: list[tuple[Int, Int, Int, Int]] = field(default_factory=list)  # veh, from, to, t0

    def add(self, klass: str, plates: list[str]) -> Int:
        """New vehicles of a class; returns their indices."""
        first = len(self.plates)
        self.plates += plates
        self.klass += [klass] * len(plates)
        return np.arange(first, first + len(plates), dtype=np.int64)

    def trip(self, veh: Int, a: Int, b: Int, t0: npt.ArrayLike) -> None:
        """Trips of vehicles ``veh`` from places ``a`` to ``b`` leaving at ``t0``."""
        t = np.asarray(t0, dtype=np.int64)
        keep = a != b
        if keep.any():
            self.trips.append((veh[keep], a[keep], b[keep], t[keep]))


class PlateMaker:
    """Unique synthetic plates: 渝F + 5 characters; new-energy, coach (学) and other provinces."""

    def __init__(self, rng: np.random.Generator, taken: set[str]) -> None:
        self.rng, self.taken = rng, set(taken)

    def _batch(self, kind: str, n: int) -> list[str]:
        r = self.rng
        digits, alnum = np.array(list("0123456789")), np.array(list("0123456789" + LETTERS[:8]))
        if kind == "coach":
            return [f"渝F{''.join(x)}学" for x in r.choice(digits, (n, 4))]
        if kind == "ev":
            return [
                f"渝F{e}{''.join(x)}"
                for e, x in zip(r.choice(["D", "F"], n), r.choice(digits, (n, 5)), strict=True)
            ]
        prefixes = ["渝A", "渝B", "渝D", "川A", "鄂B", "渝G"]
        pre = ["渝F"] * n if kind == "local" else list(r.choice(prefixes, n))
        return [
            f"{p}{c}{''.join(x)}"
            for p, c, x in zip(
                pre, r.choice(list(LETTERS), n), r.choice(alnum, (n, 4)), strict=True
            )
        ]

    def make(self, n: int, kind: str = "mixed") -> list[str]:
        """``n`` new plates: ``local`` (渝F), ``ev``, ``coach`` (学) or ``mixed``."""
        out: list[str] = []
        while len(out) < n:
            if kind == "mixed":
                kinds = self.rng.choice(["local", "ev", "other"], n, p=[0.86, 0.08, 0.06])
                batch = [self._batch(str(k), 1)[0] for k in kinds[: n - len(out)]]
            else:
                batch = self._batch(kind, n - len(out))
            for p in batch:
                if p not in self.taken:
                    self.taken.add(p)
                    out.append(p)
        return out


# ---------------------------------------------------------------- behaviours

HOURS = 3600
Bool = npt.NDArray[np.bool_]


def _clock(
    rng: np.random.Generator, n: int, mean_h: float, sd_h: float, lo_h: float, hi_h: float
) -> Int:
    """Seconds of the day, normal around ``mean_h`` hours, clipped."""
    return (np.clip(rng.normal(mean_h, sd_h, n), lo_h, hi_h) * HOURS).astype(np.int64)


def _pick(rng: np.random.Generator, options: npt.ArrayLike, n: int, p: Float | None = None) -> Int:
    opts = np.asarray(options, dtype=np.int64)
    if p is not None:
        p = p / p.sum()
    return rng.choice(opts, size=n, p=p).astype(np.int64)


@dataclass
class Sim:
    """Simulation state shared by the behaviours."""

    rng: np.random.Generator
    world: World
    days: Days
    fleet: Fleet

    cache: dict[tuple[object, ...], Int] = field(default_factory=dict)

    def cp_places(self, *kinds: str, urban: bool | None = None) -> Int:
        """Places of the checkpoints of these kinds (in or out of the county town)."""
        key = (*kinds, urban)
        if key not in self.cache:
            cps = self.world.cps
            sel = cps["kind"].isin(kinds).to_numpy().copy()
            if urban is not None:
                in_town = cps["town"].isin(np.flatnonzero(self.world.towns["urban"])).to_numpy()
                sel &= in_town if urban else ~in_town
            self.cache[key] = self.world.place_of_cp(np.flatnonzero(sel))
        return self.cache[key]

    def town_places(self, urban: bool) -> Int:
        """Home places of the urban (or the rural) townships."""
        return np.flatnonzero(self.world.towns["urban"].to_numpy() == urban)

    def hub(self, kind: str) -> int:
        """The place of the (first) station of a kind."""
        return int(self.cp_places(kind)[0])

    def dur(self, a: Int, b: Int) -> Int:
        """Driving seconds between places."""
        return self.world.duration[a, b].astype(np.int64)

    def after_arrival(self, kind: str, t: Int) -> Int:
        """The time (epoch s) some minutes after the first arrival at a hub after ``t``."""
        table = np.array(HSR_ARRIVALS if kind == "hsr_station" else BUS_ARRIVALS) * 60
        sod = t % 86400
        i = np.searchsorted(table, sod)
        nxt = np.where(i < len(table), table[np.minimum(i, len(table) - 1)], sod + 1200)
        return t - sod + nxt + self.rng.integers(120, 720, len(t))

    def out_and_back(self, veh: Int, home: Int, dest: Int, t0: Int, stay: Int) -> Int:
        """Home → dest at ``t0``, back after ``stay``; returns the time home again."""
        self.fleet.trip(veh, home, dest, t0)
        back = t0 + self.dur(home, dest) + stay
        self.fleet.trip(veh, dest, home, back)
        return back + self.dur(dest, home)

    def market_place(self, town: Int) -> Int:
        """The market checkpoint of each town (its home place where it has none)."""
        out = town.copy()
        cps = self.world.cps
        for i in np.flatnonzero(cps["kind"].to_numpy() == "rural_market"):
            out[town == cps.at[i, "town"]] = self.world.place_of_cp(i)
        return out


def private_day(sim: Sim, veh: Int, home: Int, d: int, p_active: Float) -> None:
    """Errands: shops, hospital, relatives in other towns, the market, the station, sights."""
    r, days = sim.rng, sim.days
    boost = 1.6 if days.holiday[d] else (1.3 if days.offday[d] else 1.0)
    on_market = days.market[d, home]
    act = r.random(len(veh)) < np.clip(p_active * boost * np.where(on_market, 1.5, 1.0), 0, 0.95)
    veh, home, on_market = veh[act], home[act], on_market[act]
    n = len(veh)
    dest = _pick(
        r, sim.cp_places("urban_road", "shopping", "hospital", "residential", urban=True), n
    )
    u = r.random(n)
    far = u < (0.25 if days.holiday[d] else 0.12)
    dest[far] = _pick(r, sim.town_places(urban=False), int(far.sum()))
    dest[u > (0.9 if days.holiday[d] else 0.96)] = sim.hub("hsr_station")
    sights = (u > 0.86) & (u < 0.9) & days.offday[d]
    dest[sights] = _pick(r, sim.cp_places("scenic"), int(sights.sum()))
    market = on_market & (r.random(n) < 0.6)
    dest[market] = sim.market_place(home[market])
    t0 = days.midnight(d) + _clock(r, n, 10.0, 2.5, 6.5, 20.5)
    stay = (r.uniform(0.4, 3.5, n) * HOURS).astype(np.int64)
    back = sim.out_and_back(veh, home, dest, t0, stay)
    again = (r.random(n) < 0.25) & (back < days.midnight(d) + 19 * HOURS)
    k = int(again.sum())
    t1 = np.maximum(back[again] + 1800, days.midnight(d) + _clock(r, k, 18.0, 1.5, 15, 21))
    sim.out_and_back(
        veh[again],
        home[again],
        _pick(r, sim.cp_places("urban_road", "shopping", urban=True), k),
        t1,
        (r.uniform(0.3, 2, k) * HOURS).astype(np.int64),
    )


def commuter_day(sim: Sim, veh: Int, home: Int, work: Int, d: int) -> None:
    """Into the county town on workdays: at work by ~08:00, back from 17:30-19:00."""
    r, days = sim.rng, sim.days
    go = r.random(len(veh)) < 0.93
    veh, home, work = veh[go], home[go], work[go]
    n = len(veh)
    depart = days.midnight(d) + _clock(r, n, 7.9, 0.25, 7.3, 8.5) - sim.dur(home, work)
    leave = days.midnight(d) + _clock(r, n, 18.0, 0.4, 17.3, 19.5)
    sim.out_and_back(veh, home, work, depart, leave - depart - sim.dur(home, work))


def train_commuter_day(sim: Sim, veh: Int, home: Int, d: int) -> None:
    """Park at the HSR station in the morning, drive home after an evening arrival."""
    r, days = sim.rng, sim.days
    go = r.random(len(veh)) < 0.9
    veh, home = veh[go], home[go]
    n = len(veh)
    hsr = np.full(n, sim.hub("hsr_station"))
    sim.fleet.trip(veh, home, hsr, days.midnight(d) + _clock(r, n, 7.0, 0.3, 6.3, 7.8))
    evening = days.midnight(d) + _clock(r, n, 18.5, 0.8, 17.5, 21)
    sim.fleet.trip(veh, hsr, home, sim.after_arrival("hsr_station", evening))


def school_day(sim: Sim, veh: Int, home: Int, school: Int, d: int) -> None:
    """Two school runs on school days."""
    r, days = sim.rng, sim.days
    n = len(veh)
    for mean in (7.4, 16.8):
        t0 = days.midnight(d) + _clock(r, n, mean, 0.15, mean - 0.4, mean + 0.4)
        sim.out_and_back(veh, home, school, t0, r.integers(120, 600, n))


def _fare(sim: Sim, n: int, live: Bool) -> Int:
    """Destinations of taxi fares: town streets, the stations, now and then a village."""
    r = sim.rng
    dest = _pick(
        r,
        sim.cp_places("urban_road", "shopping", "hospital", "residential", "school", urban=True),
        n,
    )
    u = r.random(n)
    dest[u < 0.1] = sim.hub("hsr_station")
    dest[(u >= 0.1) & (u < 0.16)] = sim.hub("bus_terminal")
    far = u > 0.97
    dest[far] = _pick(r, sim.town_places(urban=False), int(far.sum()))
    return dest


def taxi_day(sim: Sim, veh: Int, base: Int, night: Bool, d: int, busy: float) -> None:
    """Back-to-back fares through one shift; at a station they wait for the next arrival."""
    r, days = sim.rng, sim.days
    on = r.random(len(veh)) < 0.88
    veh, base, night = veh[on], base[on], night[on]
    n = len(veh)
    t = days.midnight(d) + np.where(
        night, _clock(r, n, 15.5, 0.5, 14.5, 17), _clock(r, n, 6.4, 0.3, 5.7, 7.2)
    )
    end = t + (r.uniform(10.5, 12.5, n) * HOURS).astype(np.int64)
    here = base.copy()
    while True:
        live = (t < end) & (r.random(n) < busy)
        if not (t < end).any():
            break
        dest = _fare(sim, n, live)
        sim.fleet.trip(veh[live], here[live], dest[live], t[live])
        arrive = t + sim.dur(here, dest)
        at_hub = np.isin(dest, [sim.hub("hsr_station"), sim.hub("bus_terminal")])
        nxt = np.where(
            at_hub, sim.after_arrival("hsr_station", arrive), arrive + r.integers(180, 1200, n)
        )
        t = np.where(live, nxt, t + r.integers(600, 1800, n))
        here = np.where(live, dest, here)
    sim.fleet.trip(veh, here, base, t)


def fixed_route_day(
    sim: Sim, veh: Int, home: Int, dest: Int, d: int, extra: Float, start_h: float
) -> None:
    """Black-car runs between two towns: early start, waits to fill the car at both ends."""
    r, days = sim.rng, sim.days
    n = len(veh)
    rounds = 1 + r.poisson(1.3 + extra, n)
    t = days.midnight(d) + _clock(r, n, start_h, 0.35, start_h - 0.8, start_h + 0.9)
    stop = days.midnight(d) + 20 * HOURS
    for j in range(int(rounds.max(initial=0))):
        live = (j < rounds) & (t < stop)
        sim.fleet.trip(veh[live], home[live], dest[live], t[live])
        t1 = t + sim.dur(home, dest) + r.integers(1200, 4200, n)
        sim.fleet.trip(veh[live], dest[live], home[live], t1[live])
        t = np.where(live, t1 + sim.dur(dest, home) + r.integers(900, 3600, n), t)


def hub_tout_day(sim: Sim, veh: Int, home: Int, hub: Int, fav: Int, d: int, extra: float) -> None:
    """Station touts: wait for an arrival, drive the passengers to a town, come back."""
    r, days = sim.rng, sim.days
    n = len(veh)
    kind = np.where(hub == sim.hub("hsr_station"), "hsr_station", "bus_terminal")
    t = days.midnight(d) + _clock(r, n, 8.2, 0.4, 7.4, 9.0)
    sim.fleet.trip(veh, home, hub, t)
    t = t + sim.dur(home, hub)
    cycles = 3 + r.poisson(1.2 + extra, n)
    stop = days.midnight(d) + int(21.5 * HOURS)
    for j in range(int(cycles.max(initial=0))):
        leave = np.where(
            kind == "hsr_station",
            sim.after_arrival("hsr_station", t),
            sim.after_arrival("bus_terminal", t),
        )
        live = (j < cycles) & (leave < stop)
        dest = np.where(r.random(n) < 0.7, fav, _pick(r, sim.town_places(urban=False), n))
        sim.fleet.trip(veh[live], hub[live], dest[live], leave[live])
        back = leave + sim.dur(hub, dest) + r.integers(300, 1200, n)
        sim.fleet.trip(veh[live], dest[live], hub[live], back[live])
        t = np.where(live, back + sim.dur(dest, hub), t)
    sim.fleet.trip(veh, hub, home, t + r.integers(300, 1800, n))


def tour_day(sim: Sim, veh: Int, depot: Int, stops: Int, d: int, start_h: float) -> None:
    """Logistics vans: depot → up to three towns (a fixed tour) → depot, daytime."""
    r, days = sim.rng, sim.days
    n = len(veh)
    t = days.midnight(d) + _clock(r, n, start_h, 0.4, start_h - 0.8, start_h + 0.9)
    here = depot.copy()
    for k in range(stops.shape[1]):
        nxt = stops[:, k]
        live = nxt >= 0
        sim.fleet.trip(veh[live], here[live], nxt[live], t[live])
        t = np.where(
            live, t + sim.dur(here, np.where(live, nxt, here)) + r.integers(1200, 3600, n), t
        )
        here = np.where(live, nxt, here)
    sim.fleet.trip(veh, here, depot, t)


def parcel_day(sim: Sim, veh: Int, base: Int, hub: Int, slots: Int, d: int) -> None:
    """Parcel vans: fixed pick-ups at a station after set arrivals, deliveries in between."""
    r, days = sim.rng, sim.days
    n = len(veh)
    here = base.copy()
    shops = sim.cp_places("urban_road", "shopping", "residential", urban=True)
    for k in range(slots.shape[1]):
        pick = days.midnight(d) + slots[:, k] * 60 + r.integers(300, 1200, n)
        sim.fleet.trip(veh, here, hub, pick - sim.dur(here, hub) - r.integers(300, 900, n))
        drop = _pick(r, shops, n)
        sim.fleet.trip(veh, hub, drop, pick)
        here = drop
    sim.fleet.trip(veh, here, base, days.midnight(d) + _clock(r, n, 18.3, 0.3, 17.5, 19))


def school_car_day(sim: Sim, veh: Int, home: Int, ground: Int, d: int) -> None:
    """Driving-school cars: laps between the training ground's checkpoints, two sessions."""
    r, days = sim.rng, sim.days
    n = len(veh)
    for start_h, end_h in ((8.0, 11.5), (14.0, 17.5)):
        t = days.midnight(d) + _clock(r, n, start_h, 0.2, start_h - 0.3, start_h + 0.4)
        sim.fleet.trip(veh, home, ground[:, 0], t)
        here = ground[:, 0].copy()
        t = t + sim.dur(home, here) + r.integers(120, 600, n)
        for k in range(12):
            nxt = ground[:, (k + 1) % ground.shape[1]]
            live = t < days.midnight(d) + int(end_h * HOURS)
            sim.fleet.trip(veh[live], here[live], nxt[live], t[live])
            t = np.where(live, t + sim.dur(here, nxt) + r.integers(300, 900, n), t)
            here = np.where(live, nxt, here)
        sim.fleet.trip(veh, here, home, t)


def loop_day(
    sim: Sim, veh: Int, stops: Int, d: int, start_h: float, end_h: float, wait: tuple[int, int]
) -> None:
    """Buses and coaches: a fixed stop sequence from morning to evening."""
    r, days = sim.rng, sim.days
    n = len(veh)
    t = days.midnight(d) + _clock(r, n, start_h, 0.1, start_h - 0.2, start_h + 0.3)
    k = 0
    here = stops[:, 0]
    while (t < days.midnight(d) + int(end_h * HOURS)).any():
        k += 1
        nxt = stops[:, k % stops.shape[1]]
        live = t < days.midnight(d) + int(end_h * HOURS)
        sim.fleet.trip(veh[live], here[live], nxt[live], t[live])
        t = np.where(live, t + sim.dur(here, nxt) + r.integers(*wait, n), t)
        here = np.where(live, nxt, here)


# ---------------------------------------------------------------- the population

#: vehicles of each class at --scale 1 (about 2 million passes in six weeks)
COUNTS = {
    "private": 4500,
    "official": 40,
    "commuter": 800,
    "train_commuter": 120,
    "school_run": 500,
    "taxi": 160,
    "ride_hailing": 60,
    "bus": 20,
    "coach": 24,
    "logistics": 220,
    "parcel_van": 50,
    "driving_school": 60,
    "black_fixed": 170,
    "black_hub": 80,
    "black_part": 80,
}
BLACK = ("black_fixed", "black_hub", "black_part")
WHITELISTED = {
    "official": "公务",
    "ride_hailing": "合规网约车",
    "bus": "公交",
    "coach": "客运班车",
    "taxi": "出租汽车",
}
TAXIS_NOT_ON_WHITELIST = 0.18


@dataclass
class Group:
    """The vehicles of one class and their fixed traits."""

    klass: str
    veh: Int
    traits: dict[str, npt.NDArray[np.generic]]


def _homes(sim: Sim, n: int, urban_share: float) -> Int:
    urban = sim.town_places(urban=True)
    rural = sim.town_places(urban=False)
    w_rural = np.random.default_rng(7).uniform(0.5, 1.5, len(rural))
    out = _pick(sim.rng, rural, n, w_rural)
    u = sim.rng.random(n) < urban_share
    out[u] = _pick(sim.rng, urban, int(u.sum()))
    return out


def _near_rural(sim: Sim, n: int, home: Int, max_s: float) -> Int:
    """A rural town within ``max_s`` seconds' drive of each home, other than the home."""
    rural = sim.town_places(urban=False)
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        ok = rural[(sim.world.duration[home[i], rural] < max_s) & (rural != home[i])]
        out[i] = sim.rng.choice(ok if len(ok) else rural)
    return out


def _black_traits(sim: Sim, klass: str, n: int) -> dict[str, npt.NDArray[np.generic]]:
    r, w = sim.rng, sim.world
    rural = sim.town_places(urban=False)
    names = w.towns["name"].to_numpy()
    weight = np.where(np.isin(names[rural], ["江口镇", "南溪镇"]), 6.0, 1.0)
    downtown = np.concatenate(
        [
            [sim.hub("bus_terminal")] * 4,
            [sim.hub("hsr_station")] * 2,
            sim.cp_places("shopping", "hospital", urban=True),
        ]
    )
    if klass == "black_hub":
        hub = np.where(r.random(n) < 0.6, sim.hub("hsr_station"), sim.hub("bus_terminal"))
        return {"home": _homes(sim, n, 1.0), "hub": hub, "fav": _pick(r, rural, n, weight)}
    home = _pick(r, rural, n, weight)
    dest = _pick(r, downtown, n)
    rural_pair = r.random(n) < 0.15
    dest[rural_pair] = _near_rural(sim, int(rural_pair.sum()), home[rural_pair], 3000)
    traits: dict[str, npt.NDArray[np.generic]] = {"home": home, "dest": dest}
    if klass == "black_part":
        traits["commutes"] = r.random(n) < 0.5
        traits["work"] = _pick(
            r, sim.cp_places("urban_road", "shopping", "hospital", urban=True), n
        )
        traits["p_active"] = r.beta(2, 4, n)
    return traits


def _fixed_tours(sim: Sim, n: int, depot: Int) -> Int:
    stops = np.full((n, 3), -1, dtype=np.int64)
    k = sim.rng.integers(1, 4, n)
    first = _near_rural(sim, n, depot, 3600)
    stops[:, 0] = first
    for j in (1, 2):
        more = k > j
        stops[more, j] = _near_rural(sim, int(more.sum()), stops[more, j - 1], 2400)
    return stops


def _traits(sim: Sim, klass: str, n: int) -> dict[str, npt.NDArray[np.generic]]:
    """Fixed traits of each class's vehicles: homes, routes, shifts, favourite towns."""
    r = sim.rng
    urban_work = sim.cp_places("urban_road", "shopping", "hospital", "residential", urban=True)
    if klass in BLACK:
        return _black_traits(sim, klass, n)
    if klass in ("private", "official"):
        return {"home": _homes(sim, n, 0.45), "p_active": r.beta(1.6, 3.4, n)}
    if klass == "commuter":
        home = _near_rural(sim, n, np.full(n, sim.town_places(True)[0]), 2700)
        return {"home": home, "work": _pick(r, urban_work, n), "p_active": r.beta(1.6, 3.4, n)}
    if klass == "train_commuter":
        return {"home": _homes(sim, n, 0.8), "p_active": r.beta(1.6, 3.4, n)}
    if klass == "school_run":
        return {
            "home": _homes(sim, n, 1.0),
            "school": _pick(r, sim.cp_places("school"), n),
            "p_active": r.beta(1.6, 3.4, n),
        }
    if klass in ("taxi", "ride_hailing"):
        return {"home": _homes(sim, n, 1.0), "night": r.random(n) < 0.3}
    if klass == "logistics":
        depot = np.where(
            r.random(n) < 0.5,
            sim.town_places(True)[0],
            int(np.flatnonzero(sim.world.towns["name"] == "黄石镇")[0]),
        )
        two = r.random(n) < 0.3
        return {
            "home": depot,
            "stops": _fixed_tours(sim, n, depot),
            "stops2": _fixed_tours(sim, n, depot),
            "two": two,
        }
    if klass == "parcel_van":
        hub = np.where(r.random(n) < 0.7, sim.hub("hsr_station"), sim.hub("bus_terminal"))
        slots = np.sort(
            np.stack([r.choice(HSR_ARRIVALS[:10], 4, replace=False) for _ in range(n)]), axis=1
        )
        return {"home": _pick(r, urban_work, n), "hub": hub, "slots": slots}
    if klass == "driving_school":
        grounds = [
            sim.cp_places("urban_road", urban=True)[-3:],
            np.array(
                [sim.cp_places("residential")[0], *sim.cp_places("urban_road", urban=True)[4:6]]
            ),
        ]
        which = r.integers(0, 2, n)
        return {"home": _homes(sim, n, 1.0), "ground": np.stack([grounds[i] for i in which])}
    if klass == "bus":
        stops = np.stack([r.choice(urban_work, 5, replace=False) for _ in range(n)])
        return {"stops": stops}
    town = _pick(r, sim.town_places(urban=False), n)  # coach: terminal <-> a town
    return {"stops": np.stack([np.full(n, sim.hub("bus_terminal")), town], axis=1)}


def _some(sim: Sim, g: Group, p: float | Float) -> tuple[Int, dict[str, npt.NDArray[np.generic]]]:
    keep = sim.rng.random(len(g.veh)) < p
    return g.veh[keep], {k: v[keep] for k, v in g.traits.items()}


def _black_day(sim: Sim, g: Group, d: int) -> None:
    days = sim.days
    off, hol = bool(days.offday[d]), bool(days.holiday[d])
    if g.klass == "black_hub":
        veh, t = _some(sim, g, 0.93 if off else 0.8)
        hub_tout_day(sim, veh, t["home"], t["hub"], t["fav"], d, 1.2 * off + 0.6 * hol)
        return
    market = days.market[d, g.traits["home"]]
    if g.klass == "black_fixed":
        veh, t = _some(sim, g, 0.93 if off else 0.82)
        extra = 1.0 * off + 0.6 * hol + 0.8 * days.market[d, t["home"]]
        fixed_route_day(sim, veh, t["home"], t["dest"], d, extra, 6.1)
        return
    runs = sim.rng.random(len(g.veh)) < np.where(off, 0.75, np.where(market, 0.5, 0.0))
    part = Group(g.klass, g.veh[runs], {k: v[runs] for k, v in g.traits.items()})
    rest = Group(g.klass, g.veh[~runs], {k: v[~runs] for k, v in g.traits.items()})
    fixed_route_day(
        sim, part.veh, part.traits["home"], part.traits["dest"], d, 0.3 + 0.4 * hol, 6.8
    )
    commute = rest.traits["commutes"].astype(bool) & ~days.offday[d]
    commuter_day(
        sim, rest.veh[commute], rest.traits["home"][commute], rest.traits["work"][commute], d
    )
    private_day(
        sim, rest.veh[~commute], rest.traits["home"][~commute], d, rest.traits["p_active"][~commute]
    )


def _worker_day(sim: Sim, g: Group, d: int) -> None:
    days = sim.days
    off, hol, sat = bool(days.offday[d]), bool(days.holiday[d]), bool(days.saturday[d])
    t = g.traits
    if g.klass == "logistics":
        veh, t = _some(sim, g, 0.05 if hol else (0.35 if sat else (0.05 if off else 0.95)))
        tour_day(sim, veh, t["home"], t["stops"], d, 8.3)
        two = t["two"].astype(bool)
        tour_day(sim, veh[two], t["home"][two], t["stops2"][two], d, 14.0)
    elif g.klass == "parcel_van":
        veh, t = _some(sim, g, 0.15 if hol else (0.8 if sat else (0.3 if off else 0.92)))
        parcel_day(sim, veh, t["home"], t["hub"], t["slots"], d)
    elif g.klass == "driving_school":
        veh, t = _some(sim, g, 0.1 if hol else 0.9)
        school_car_day(sim, veh, t["home"], t["ground"], d)
    elif g.klass in ("taxi", "ride_hailing"):
        taxi_day(
            sim, g.veh, t["home"], t["night"].astype(bool), d, 1.0 if g.klass == "taxi" else 0.55
        )
    elif g.klass == "bus":
        loop_day(sim, g.veh, t["stops"], d, 6.0, 21.0, (60, 240))
    else:  # coach
        loop_day(sim, g.veh, t["stops"], d, 6.5, 18.5, (1800, 3600))


def run_day(sim: Sim, g: Group, d: int) -> None:
    """Let one class of vehicles live one day."""
    days, t = sim.days, g.traits
    workday = not days.offday[d]
    if g.klass in BLACK:
        _black_day(sim, g, d)
    elif (
        g.klass in ("private", "official")
        or (g.klass in ("commuter", "train_commuter") and not workday)
        or (g.klass == "school_run" and not days.school[d])
    ):
        private_day(sim, g.veh, t["home"], d, t["p_active"])
    elif g.klass == "commuter":
        commuter_day(sim, g.veh, t["home"], t["work"], d)
    elif g.klass == "train_commuter":
        train_commuter_day(sim, g.veh, t["home"], d)
    elif g.klass == "school_run":
        school_day(sim, g.veh, t["home"], t["school"], d)
    else:
        _worker_day(sim, g, d)


# ---------------------------------------------------------------- plates and labels


def case_plates(path: Path) -> list[str]:
    """Plates of the demo cases, most often caught first (they were black cars)."""
    cases = pd.read_csv(path, skiprows=1, usecols=["车牌号"], dtype=str)
    counts = cases["车牌号"].dropna().str.strip().value_counts()
    return sorted(counts.index, key=lambda p: (-counts[p], p))


def make_fleet(sim: Sim, scale: float, cases: list[str]) -> tuple[list[Group], dict[str, bool]]:
    """Every class with plates; black cars mostly on case plates. Returns groups and known."""
    r = sim.rng
    maker = PlateMaker(r, set(cases))
    counts = {k: max(1, round(v * scale)) for k, v in COUNTS.items()}
    n_black = sum(counts[k] for k in BLACK)
    n_unknown = max(1, round(0.05 * n_black))
    n_reformed = max(1, round(0.06 * n_black))
    black = list(r.permutation(cases[: n_black - n_unknown] + maker.make(n_unknown, "local")))
    reformed = list(r.choice(cases[n_black:], n_reformed, replace=False))
    groups, known = [], {}
    for klass, n in counts.items():
        if klass in BLACK:
            plates, black = black[:n], black[n:]
        elif klass == "driving_school":
            plates = maker.make(n, "coach")
        elif klass == "private":
            plates = reformed + maker.make(n - len(reformed))
        else:
            plates = maker.make(n)
        known.update({p: p in set(cases) for p in plates})
        groups.append(Group(klass, sim.fleet.add(klass, plates), _traits(sim, klass, n)))
    return groups, known


# ---------------------------------------------------------------- passes and camera noise


def expand(world: World, fleet: Fleet, rng: np.random.Generator) -> pd.DataFrame:
    """Trips → passes (vehicle, checkpoint, epoch seconds) along the precomputed paths."""
    veh, a, b, t0 = (np.concatenate(x) for x in zip(*fleet.trips, strict=True))
    lens = world.path_len[a, b]
    starts = world.path_start[a, b]
    trip = np.repeat(np.arange(len(a)), lens)
    first = np.repeat(np.cumsum(lens) - lens, lens)
    flat = starts[trip] + (np.arange(len(trip)) - first)
    jitter = rng.integers(-40, 41, len(trip))
    t = t0[trip] + world.path_sec[flat].astype(np.int64) + jitter
    return pd.DataFrame({"veh": veh[trip], "cp": world.path_cp[flat], "t": t})


def _misread(plate: str, rng: np.random.Generator) -> str:
    spots = [i for i, c in enumerate(plate) if i >= 2 and c in CONFUSABLE]
    if not spots:
        return plate
    i = int(rng.choice(spots))
    return plate[:i] + CONFUSABLE[plate[i]] + plate[i + 1 :]


def camera_noise(
    passes: pd.DataFrame, plates: list[str], rng: np.random.Generator, cp_ids: list[str]
) -> pd.DataFrame:
    """Missed reads, double reads, misread characters and a few broken export rows."""
    passes = passes[rng.random(len(passes)) > 0.07].reset_index(drop=True)  # missed
    dup = passes[rng.random(len(passes)) < 0.015].copy()
    dup["t"] += rng.integers(1, 20, len(dup))
    passes = pd.concat([passes, dup], ignore_index=True)
    plate = np.array(plates, dtype=object)[passes["veh"].to_numpy()]
    u = rng.random(len(passes))
    for i in np.flatnonzero(u < 0.003):
        plate[i] = _misread(plate[i], rng)
    plate[(u >= 0.003) & (u < 0.0035)] = "未识别"
    plate[(u >= 0.0035) & (u < 0.004)] = "渝F"
    cp = np.array(cp_ids, dtype=object)[passes["cp"].to_numpy()]
    cp[(u >= 0.004) & (u < 0.0045)] = "KX999"  # a camera not in the checkpoint list
    t = pd.to_datetime(passes["t"], unit="s").astype("datetime64[s]")
    out = pd.DataFrame({"号牌号码": plate, "过车时间": t, "卡口编号": cp})
    out.loc[(u >= 0.0045) & (u < 0.0048), "过车时间"] = pd.NaT  # time missing in the export
    return out.assign(veh=passes["veh"].to_numpy())


def _extra_columns(out: pd.DataFrame, klass: list[str], rng: np.random.Generator) -> pd.DataFrame:
    plate = out["号牌号码"].astype(str)
    k = np.array(klass, dtype=object)[out["veh"].to_numpy()]
    big = np.isin(k, ["bus", "coach"])
    colour = np.where(
        plate.str.len() == 8, "绿", np.where(big | plate.str.endswith("学"), "黄", "蓝")
    )
    return out.drop(columns="veh").assign(
        号牌颜色=colour,
        车辆类型=np.where(big, "大型客车", "小型汽车"),
        方向=rng.choice(["1", "2"], len(out)),
    )


# ---------------------------------------------------------------- files


def checkpoint_table(world: World) -> pd.DataFrame:
    """The checkpoint list as a county would export it (GCJ-02 positions, Chinese kinds)."""
    cps = world.cps
    lon, lat = wgs84_to_gcj02(cps["lon"].to_numpy(), cps["lat"].to_numpy())
    kinds = {**KIND_ZH, "township_entrance": "乡镇出入口", "urban_road": "城区道路"}
    return pd.DataFrame(
        {
            "卡口编号": cps["id"],
            "卡口名称": cps["name"],
            "经度": np.round(lon, 6),
            "纬度": np.round(lat, 6),
            "坐标系": "GCJ-02",
            "卡口类型": cps["kind"].map(kinds),
            "所属乡镇": world.towns["name"].to_numpy()[cps["town"].to_numpy()],
            "片区": cps["area"],
        }
    )


def whitelist_table(fleet: Fleet, rng: np.random.Generator) -> pd.DataFrame:
    """Licensed operators; some taxis are missing, some plates written with a separator."""
    rows = []
    for plate, klass in zip(fleet.plates, fleet.klass, strict=True):
        if klass not in WHITELISTED:
            continue
        if klass == "taxi" and rng.random() < TAXIS_NOT_ON_WHITELIST:
            continue
        shown = plate[:2] + "·" + plate[2:] if rng.random() < 0.05 else plate
        rows.append((shown, WHITELISTED[klass]))
    return pd.DataFrame(rows, columns=["号牌号码", "车辆类别"])


def write_passes(passes: pd.DataFrame, out: Path, dates: list[dt.date], fmt: str) -> int:
    """One file a day, in time order as cameras export; returns the rows written."""
    folder = out / "passes"
    folder.mkdir(parents=True, exist_ok=True)
    lost = passes[passes["过车时间"].isna()]  # rows whose time the export lost
    timed = passes[passes["过车时间"].notna()].sort_values("过车时间", kind="stable")
    secs = timed["过车时间"].to_numpy().astype("datetime64[s]").astype(np.int64)
    midnights = [int(pd.Timestamp(d).value // 10**9) for d in dates]
    cuts = np.searchsorted(secs, [*midnights, midnights[-1] + 86400])
    written = 0
    for i, d in enumerate(dates):
        part = timed.iloc[cuts[i] : cuts[i + 1]]
        if i == 0:
            part = pd.concat([part, lost])
        name = folder / f"passes_{d:%Y-%m-%d}.{fmt}"
        if fmt == "parquet":
            part.to_parquet(name, index=False)
        else:
            part.to_csv(name, index=False, encoding="gb18030", date_format="%Y-%m-%d %H:%M:%S")
        written += len(part)
    return written


def simulate(
    seed: int, scale: float, start: dt.date, n_days: int
) -> tuple[World, Fleet, pd.DataFrame, dict[str, bool], np.random.Generator]:
    """Run the simulation; returns the world, the fleet, the passes and the known plates."""
    rng = np.random.default_rng(seed)
    towns = gpd.read_file(DEMO / "townships.geojson")
    towns = pd.DataFrame(
        {
            "code": towns["code"],
            "name": towns["name"],
            "lon": towns["seat_lon"],
            "lat": towns["seat_lat"],
            "urban": towns["code"].isin(URBAN),
        }
    )
    key_areas = gpd.read_file(DEMO / "key_areas.geojson")
    world = build_world(towns, key_areas)
    index = {c: i for i, c in enumerate(towns["code"])}
    for ka in key_areas[key_areas["category"] == "rural_market"].itertuples():
        world.markets[index[ka.township_code]] = MarketCycle.parse(ka.market_days)
    days = make_days(start, n_days, world)
    sim = Sim(rng, world, days, Fleet())
    groups, known = make_fleet(sim, scale, case_plates(DEMO / "cases.csv"))
    for d in range(n_days):
        for g in groups:
            run_day(sim, g, d)
    raw = expand(world, sim.fleet, rng)
    lo, hi = days.midnight(0), days.midnight(n_days - 1) + 86400
    raw = raw[(raw["t"] >= lo) & (raw["t"] < hi)]
    passes = camera_noise(raw, sim.fleet.plates, rng, world.cps["id"].tolist())
    return world, sim.fleet, _extra_columns(passes, sim.fleet.klass, rng), known, rng


def write_demo(
    out: Path,
    *,
    seed: int = 20251001,
    scale: float = 1.0,
    end: dt.date = dt.date(2025, 10, 26),
    n_days: int = 42,
    fmt: str = "parquet",
) -> dict[str, object]:
    """Simulate and write every file into ``out``; returns a summary."""
    start = end - dt.timedelta(days=n_days - 1)
    world, fleet, passes, known, rng = simulate(seed, scale, start, n_days)
    out.mkdir(parents=True, exist_ok=True)
    checkpoint_table(world).to_csv(out / "checkpoints.csv", index=False, encoding="utf-8-sig")
    white = whitelist_table(fleet, rng)
    white.to_csv(out / "whitelist.csv", index=False, encoding="utf-8-sig")
    listed = {p.replace("·", "") for p in white["号牌号码"]}
    truth = pd.DataFrame({"plate": fleet.plates, "klass": fleet.klass})
    truth["known"] = truth["plate"].map(known).fillna(False).astype(bool)
    truth["whitelisted"] = truth["plate"].isin(listed)
    truth["black_car"] = truth["klass"].isin(BLACK)
    truth.to_csv(out / "truth.csv", index=False, encoding="utf-8-sig")
    rows = write_passes(passes, out, [start + dt.timedelta(days=i) for i in range(n_days)], fmt)
    summary = {
        "synthetic": SYNTHETIC,
        "seed": seed,
        "scale": scale,
        "first_day": str(start),
        "last_day": str(end),
        "passes": rows,
        "vehicles": len(truth),
        "black_cars": int(truth["black_car"].sum()),
        "black_cars_known": int((truth["black_car"] & truth["known"]).sum()),
        "checkpoints": len(world.cps),
        "whitelist": len(white),
    }
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    (out / "README.txt").write_text(
        f"{SYNTHETIC}\nWritten by data/make_passes.py.\n", encoding="utf-8"
    )
    return summary


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python data/make_passes.py [--out DIR] [--seed N] [--scale X] …``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT.parent / "var" / "demo_passes")
    parser.add_argument("--seed", type=int, default=20251001)
    parser.add_argument("--scale", type=float, default=1.0, help="vehicles × this (default 1)")
    parser.add_argument("--days", type=int, default=42, help="days simulated (default 42)")
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2025, 10, 26))
    parser.add_argument(
        "--format",
        choices=["parquet", "csv"],
        default="parquet",
        help="daily pass files: Parquet (default) or GBK CSV",
    )
    parser.add_argument(
        "--if-missing", action="store_true", help="do nothing when OUT/summary.json exists"
    )
    args = parser.parse_args(argv)
    if args.if_missing and (args.out / "summary.json").is_file():
        return 0
    began = time.perf_counter()
    summary = write_demo(
        args.out, seed=args.seed, scale=args.scale, end=args.end, n_days=args.days, fmt=args.format
    )
    print(
        f"{summary['passes']:,} synthetic passes, {summary['vehicles']:,} vehicles "
        f"({summary['black_cars']} black cars) written to {args.out} in "
        f"{time.perf_counter() - began:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
