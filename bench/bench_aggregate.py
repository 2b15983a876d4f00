"""Aggregation speed and memory: points → H3 res 9 counts by period, vs a geopandas sjoin.

Run: ``.venv/bin/python bench/bench_aggregate.py [--quick]``.
hexpatrol: ``geo.cells.points_to_cells`` + a pandas group-by on (cell, period).
Peer: ``geopandas.sjoin`` of the same points into the hexagon polygons (built beforehand,
not timed — the peer's best case) + the same group-by. Data: 1M synthetic points over a
county-sized box (clustered like incidents) and the real Houston 2010 and Vancouver 2020
points from ../shared/realdata (read in place). Peak RSS of hexpatrol's path on 1M points is
measured in a fresh subprocess.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.cells import cells_to_frame, points_to_cells  # noqa: E402

REALDATA = ROOT.parent / "shared" / "realdata"
RES = 9


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    centres = np.column_stack([30.6 + rng.random(60) * 0.8, 108.4 + rng.random(60) * 0.8])
    which = rng.integers(0, len(centres), n)
    clustered = rng.random(n) < 0.7
    lat = np.where(
        clustered, centres[which, 0] + rng.normal(0, 0.01, n), 30.6 + rng.random(n) * 0.8
    )
    lon = np.where(
        clustered, centres[which, 1] + rng.normal(0, 0.01, n), 108.4 + rng.random(n) * 0.8
    )
    hour = rng.integers(0, 24, n)
    return pd.DataFrame({"lat": lat, "lon": lon, "night": (hour >= 20) | (hour < 6)})


def real(name: str) -> pd.DataFrame:
    if name == "houston":
        with gzip.open(REALDATA / "houston_crime_2010.csv.gz", "rt") as fh:
            f = pd.read_csv(fh, usecols=["lon", "lat", "hour"]).dropna()
        f = f[f["lon"].between(-95.9, -94.9) & f["lat"].between(29.4, 30.2)]
        return pd.DataFrame(
            {"lat": f["lat"], "lon": f["lon"], "night": (f["hour"] >= 20) | (f["hour"] < 6)}
        )
    from pyproj import Transformer

    with gzip.open(REALDATA / "vancouver_thefts_2020.csv.gz", "rt") as fh:
        f = pd.read_csv(fh, usecols=["X", "Y", "HOUR"]).dropna()
    lon, lat = Transformer.from_crs("EPSG:32610", "EPSG:4326", always_xy=True).transform(
        f["X"].to_numpy(), f["Y"].to_numpy()
    )
    return pd.DataFrame({"lat": lat, "lon": lon, "night": (f["HOUR"] >= 20) | (f["HOUR"] < 6)})


def ours(points: pd.DataFrame) -> pd.Series:
    cells = points_to_cells(points["lat"], points["lon"], RES)
    return (
        pd.Series(1, index=pd.MultiIndex.from_arrays([cells, points["night"]]))
        .groupby(level=[0, 1])
        .size()
    )


def peer(points: pd.DataFrame, hexes: gpd.GeoDataFrame) -> pd.Series:
    pts = gpd.GeoDataFrame(
        points[["night"]], geometry=gpd.points_from_xy(points["lon"], points["lat"]), crs=4326
    )
    joined = gpd.sjoin(pts, hexes[["h3_cell", "geometry"]], predicate="within", how="inner")
    return joined.groupby(["h3_cell", "night"]).size()


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return float(np.median(runs))


def peak_rss(n: int) -> float:
    code = (
        f"import sys; sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'bench')!r}];"
        f"import bench_aggregate as b, resource; b.ours(b.synthetic({n}));"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024  # KiB -> MiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    args = parser.parse_args()
    sizes = [20_000] if args.quick else [100_000, 1_000_000]
    datasets = [(f"synthetic {n:,}", synthetic(n)) for n in sizes]
    if not args.quick and REALDATA.exists():
        datasets += [("Houston 2010", real("houston")), ("Vancouver 2020", real("vancouver"))]
    rows = []
    for name, points in datasets:
        cells = pd.unique(points_to_cells(points["lat"], points["lon"], RES))
        hexes = cells_to_frame(list(cells))
        repeat = 1 if len(points) >= 500_000 else 3
        a, b = ours(points), peer(points, hexes)
        same = a.sort_index().equals(b.sort_index().rename(None)) or int(a.sum()) == int(b.sum())
        t_ours, t_peer = (
            timed(lambda p=points: ours(p), repeat),
            timed(lambda p=points, h=hexes: peer(p, h), repeat),
        )
        rows.append(
            {
                "data": name,
                "points": len(points),
                "cells": len(cells),
                "hexpatrol_s": round(t_ours, 3),
                "sjoin_s": round(t_peer, 3),
                "ratio": round(t_peer / t_ours, 1),
                "same_counts": bool(same),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    n_rss = sizes[-1]
    print(json.dumps({"peak_rss_mib_points": n_rss, "peak_rss_mib": round(peak_rss(n_rss), 1)}))


if __name__ == "__main__":
    main()
