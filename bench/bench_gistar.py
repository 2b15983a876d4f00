"""Gi* speed: hexpatrol's sparse analytic Gi* against esda's G_Local (star, analytic z).

Run: ``.venv/bin/python bench/bench_gistar.py`` (needs the test extras: esda, libpysal).
Both compute the same z (checked here to 1e-6) on the same H3 cells and values; times are
medians of several runs in one process, reported as a ratio (esda / hexpatrol).
Values are real: Houston 2010 incidents from ../shared/realdata (read in place) counted on
H3 cells over the city, zero cells included.
"""

from __future__ import annotations

import gzip
import statistics
import sys
import time
import warnings
from pathlib import Path

import h3
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.cells import points_to_cells  # noqa: E402
from geo.hotspots import gi_star, neighbour_matrix  # noqa: E402

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


def houston_points() -> pd.DataFrame:
    with gzip.open(REALDATA / "houston_crime_2010.csv.gz", "rt") as fh:
        frame = pd.read_csv(fh, usecols=["lon", "lat"])
    frame = frame.dropna()
    return frame[frame["lon"].between(-95.9, -94.9) & frame["lat"].between(29.4, 30.2)]


def study(points: pd.DataFrame, target: int) -> tuple[list[str], np.ndarray, int]:
    """Cells of the points' area at the resolution whose disk-filled area is near ``target``."""
    for res in (7, 8, 9, 10):
        cells = points_to_cells(points["lat"], points["lon"], res)
        counts = pd.Series(cells).value_counts()
        area = sorted({n for c in counts.index for n in h3.grid_disk(c, 2)})
        if len(area) >= target:
            area = area[:target]
            values = counts.reindex(area).fillna(0).to_numpy(dtype=float)
            return area, values, res
    raise SystemExit("not enough cells")


def timed(fn, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    import argparse

    import libpysal
    from esda.getisord import G_Local

    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    quick = parser.parse_args().quick
    warnings.filterwarnings("ignore", message="The weights matrix is not fully connected")
    points = houston_points()
    print(f"Houston 2010: {len(points):,} points")
    print(
        "| cells | res | hexpatrol weights | hexpatrol Gi* | esda G_Local | esda / hexpatrol (Gi*) "
        "| max abs z diff |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for target in (500, 2_000) if quick else (5_000, 20_000):
        cells, values, res = study(points, target)
        t_w = timed(lambda cells=cells: neighbour_matrix(cells, 1), repeat=3)
        weights = neighbour_matrix(cells, 1)
        t_ours = timed(lambda v=values, wt=weights: gi_star(v, wt), repeat=20)
        neighbours = {
            i: [int(j) for j in weights[[i]].indices if j != i] for i in range(len(cells))
        }
        w = libpysal.weights.W(neighbours, silence_warnings=True)
        t_esda = timed(
            lambda v=values, w=w: G_Local(v, w, transform="B", star=True, permutations=0),
            repeat=5,
        )
        z_ours, _ = gi_star(values, weights)
        z_esda = G_Local(values, w, transform="B", star=True, permutations=0).Zs
        diff = float(np.max(np.abs(z_ours - z_esda)))
        assert diff < 1e-6, diff
        print(
            f"| {len(cells):,} | {res} | {t_w * 1e3:.1f} ms | {t_ours * 1e3:.2f} ms "
            f"| {t_esda * 1e3:.1f} ms | {t_esda / t_ours:.0f}× | {diff:.1e} |"
        )


if __name__ == "__main__":
    main()
