"""Place names for hotspots and posts; the CJK font found by its file, whatever the cache."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.fonts import find_cjk_font, matplotlib_family, missing_for_print
from geo.places import hotspot_ranking, nearest_places, place_text

ROOT = Path(__file__).resolve().parents[2]


def test_place_text() -> None:
    assert place_text("青龙街道", "云阳县人民医院", 334.0) == "青龙街道 · 云阳县人民医院 约330米"
    assert place_text("龙角镇", "", np.nan) == "龙角镇"
    assert place_text("龙角镇", "石板村", 1540.0) == "龙角镇 · 石板村 约1.5公里"
    assert place_text("", "", np.nan, "en") == "(unknown place)"
    assert place_text("Qinglong", "Hospital", 330.0, "en") == "Qinglong · Hospital about 330 m"


def test_nearest_places_prefers_key_areas_then_villages(two_townships) -> None:
    key_areas = gpd.GeoDataFrame(
        {"name": ["客运站"]}, geometry=[shapely.Point(108.65, 30.95)], crs=4326
    )
    villages = gpd.GeoDataFrame(
        {"name": ["石板村"]}, geometry=[shapely.Point(108.75, 30.95)], crs=4326
    )
    places = nearest_places(
        [30.951, 30.951, 30.999],
        [108.651, 108.751, 108.79],
        townships=two_townships,
        key_areas=key_areas,
        villages=villages,
    )
    assert places["township"].tolist() == ["甲镇", "乙乡", "乙乡"]
    assert places["place"].tolist()[:2] == ["客运站", "石板村"]
    assert places["place_m"].iloc[0] % 10 == 0 and 100 < places["place_m"].iloc[0] < 200
    assert places["place"].iloc[2] == "" or places["place_m"].iloc[2] <= 3000


def test_hotspot_ranking_lists_busy_cells_hot_first(demo) -> None:
    from geo.views import hotspot_view

    cells = hotspot_view(demo, res=8).cells
    ranking = hotspot_ranking(
        cells,
        townships=demo.townships,
        key_areas=demo.key_areas,
        villages=demo.base_layers["villages"],
    )
    assert len(ranking) == 10 and (ranking["n"] > 0).all()
    tiers = ranking["gi_class"].map({"hot_99": 0, "hot_95": 1, "hot_90": 2}).fillna(3)
    assert tiers.is_monotonic_increasing
    assert ranking["rank"].tolist() == list(range(1, 11))
    assert (ranking["township"] != "").all() and (ranking["place"] != "").any()
    assert ranking["lat"].round(5).equals(ranking["lat"])


def test_hotspot_ranking_of_no_events(two_townships) -> None:
    empty = pd.DataFrame({"h3_cell": [], "n": [], "score": [], "gi_class": []})
    assert hotspot_ranking(empty, townships=two_townships).empty


def test_cjk_font_is_found_by_file() -> None:
    font = find_cjk_font()
    if font is None:
        pytest.skip("no CJK font on this machine (make run installs fonts-noto-cjk)")
    assert all(f.is_file() for f in font.files) and "CJK" in font.family or font.family
    assert matplotlib_family() == font.family
    assert find_cjk_font(str(ROOT / "README.md")) is None
    assert "cjk_font" not in missing_for_print()


STALE = textwrap.dedent(
    """
    import sys, warnings, io
    from matplotlib import font_manager as fm
    if sys.argv[1] == "make-stale":  # a cache written before any CJK font was installed
        fm.fontManager.ttflist = [f for f in fm.fontManager.ttflist if "CJK" not in f.name]
        import matplotlib as mpl
        from pathlib import Path
        path = Path(mpl.get_cachedir(), f"fontlist-v{fm.FontManager.__version__}.json")
        fm.json_dump(fm.fontManager, path)
        sys.exit(0)
    assert not any("CJK" in f.name for f in fm.fontManager.ttflist), "cache was rebuilt"
    import matplotlib; matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    family = None
    if sys.argv[1] == "register":
        from geo.fonts import matplotlib_family
        family = matplotlib_family()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with plt.rc_context({"font.family": [family or "DejaVu Sans"]}):
            fig = plt.figure()
            fig.text(0.5, 0.5, "云阳县热点分布")
            fig.savefig(io.BytesIO(), format="png")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    print("MISSING" if missing else "OK", family)
    """
)


def test_stale_font_cache_cannot_hide_the_cjk_font(tmp_path: Path) -> None:
    if find_cjk_font() is None:
        pytest.skip("no CJK font on this machine (make run installs fonts-noto-cjk)")
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl"), "PYTHONPATH": str(ROOT)}
    script = tmp_path / "stale.py"
    script.write_text(STALE, encoding="utf-8")

    def run(mode: str) -> str:
        out = subprocess.run(
            [sys.executable, str(script), mode],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout.strip()

    run("make-stale")
    assert run("plain").startswith("MISSING")  # the stale cache alone: boxes for Chinese
    assert run("register").startswith("OK ")  # the font file registered: Chinese glyphs
