"""Reference files are read once per version: an edited file is read again, copies are own."""

from __future__ import annotations

import json
import os
from pathlib import Path

from geo.regions import load_townships


def _write(path: Path, name: str, mtime_ns: int) -> None:
    ring = [[108.0, 30.0], [108.1, 30.0], [108.1, 30.1], [108.0, 30.0]]
    feature = {
        "type": "Feature",
        "properties": {"code": "1", "name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_an_edited_file_is_read_again_and_callers_get_their_own_copy(tmp_path: Path) -> None:
    path = tmp_path / "towns.geojson"
    _write(path, "甲镇", 1_000_000_000)
    first = load_townships(path)
    first.loc[0, "name"] = "changed by a caller"
    assert load_townships(path).loc[0, "name"] == "甲镇"  # the kept read is untouched
    _write(path, "乙镇", 2_000_000_000)  # same size, a later time: a new version
    assert load_townships(path).loc[0, "name"] == "乙镇"
