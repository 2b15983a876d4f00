from __future__ import annotations

from pathlib import Path

import h3
import numpy as np
import pandas as pd
import pytest

from geo.cli import main

HSR = (30.9868, 108.7172)


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    rows = ["编号,时间,经度,纬度,类型"]
    for i in range(60):  # a night cluster at the HSR station on National Day
        rows.append(
            f"a{i},2025-10-0{1 + i % 7} 21:{i % 60:02d},"
            f"{HSR[1] + rng.normal(0, 0.001):.6f},{HSR[0] + rng.normal(0, 0.001):.6f},查处"
        )
    seats = pd.read_csv(Path(__file__).parents[2] / "data/reference/yunyang_townships.csv")
    for i in range(60):  # daytime background near every township seat
        seat = seats.iloc[i % len(seats)]
        lon = seat["lon_wgs84"] + rng.normal(0, 0.0003)
        lat = seat["lat_wgs84"] + rng.normal(0, 0.0003)
        rows.append(f"b{i},2025-11-{1 + i % 28:02d} 10:00,{lon:.6f},{lat:.6f},举报")
    rows.append("bad,昨天,108.7,30.9,查处")
    path = tmp_path / "ledger.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_writes_one_row_per_cell_with_gi_columns(ledger: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "cells.csv"
    assert (
        main(
            [
                "hotspots",
                "--input",
                str(ledger),
                "--res",
                "8",
                "--period",
                "night,holiday",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "121 rows, 120 accepted, 1 rejected" in printed and "60 events in period" in printed
    cells = pd.read_csv(out, encoding="utf-8-sig", dtype={"h3_cell": str})
    assert {"h3_cell", "n", "gi_z", "gi_p", "gi_class"} <= set(cells.columns)
    assert cells["h3_cell"].is_unique and cells["n"].sum() == 60
    assert (cells["n"] == 0).sum() > 1000  # the whole county is the study area
    top = cells.loc[cells["gi_z"].idxmax()]
    assert top["gi_class"] == "hot_99"
    assert h3.grid_distance(top["h3_cell"], h3.latlng_to_cell(*HSR, 8)) <= 1


def test_without_townships_uses_the_points_hull(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "cells.csv"
    assert (
        main(
            ["hotspots", "--input", str(ledger), "--res", "7", "--no-townships", "--out", str(out)]
        )
        == 0
    )
    cells = pd.read_csv(out, encoding="utf-8-sig")
    assert cells["n"].sum() == 120


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--period", "nite"], "unknown period"), (["--input", "/nope.csv"], "cannot read")],
    ids=["bad-period", "missing-file"],
)
def test_errors_exit_2(ledger: Path, tmp_path: Path, capsys, args, message) -> None:
    base = {"--input": str(ledger), "--out": str(tmp_path / "o.csv")}
    extra = dict(zip(args[::2], args[1::2], strict=True))
    argv = ["hotspots"] + [x for kv in {**base, **extra}.items() for x in kv]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
