"""Hostile record values in every map layer: no script runs, the map does not break.

Plates, names and addresses come from ledgers anyone in a township may import. The layers
are rendered with injection payloads in every text field, the page is opened in headless
Chromium (served from 127.0.0.1 with the local map assets), every tooltip is opened, and the
test fails if any payload ran, the page threw, or a payload is not shown as plain text.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.cells import aggregate, annotate_cells, cells_to_frame
from layers.assets import STATIC_DIR, localize
from layers.basemap import base_map
from layers.blacklist import vehicle_layer, watchlist_layer
from layers.boundaries import route_layer, township_layer
from layers.deck import deck_map
from layers.hexes import hex_layer, trend_layer
from layers.incidents import incident_layer
from layers.keyareas import key_area_layer
from layers.legend import Legend
from layers.posts import posts_layer
from layers.safe import escape_columns, script_json, text
from tests.conftest import make_events

CHROMIUM = "/usr/bin/chromium"
#: each sets window.__pwned when it runs; the backtick ones also break a template literal
PAYLOADS = (
    "渝F12345${window.__pwned='template'}",
    "渝F1234`",
    "`);window.__pwned='backtick';//",
    "</script><script>window.__pwned='script'</script>",
    '<img src=x onerror="window.__pwned=\'img\'">',
    "\"><svg onload=window.__pwned='attr'>",
    "' onmouseover='window.__pwned=1' x='",
    "a\u2028b{{7*7}}",
)


def _parts(two_townships: gpd.GeoDataFrame) -> dict[str, object]:
    n = len(PAYLOADS)
    towns = two_townships.copy()
    towns["name"] = [PAYLOADS[0], PAYLOADS[3]]
    towns["code"] = [PAYLOADS[4], "500235002"]
    events = make_events([("case", 30.95, 108.65 + i * 0.001) for i in range(n)])
    key_areas = gpd.GeoDataFrame(
        {
            "id": [f"k{i}" for i in range(n)],
            "name": list(PAYLOADS),
            "name_en": list(PAYLOADS),
            "category": ["rural_market"] * n,
            "radius_m": [300.0] * n,
            "market_days": list(PAYLOADS),
        },
        geometry=[shapely.Point(108.66 + i * 0.002, 30.95) for i in range(n)],
        crs=4326,
    )
    cells = annotate_cells(cells_to_frame(aggregate(events, 9)), towns, key_areas)
    cells["township"] = PAYLOADS[1]
    cells["nearest_key_area"] = PAYLOADS[2]
    for col, value in (("gi_class", "hot_99"), ("gi_label", PAYLOADS[5]), ("gi_z", 3.0)):
        cells[col] = value
    cells["trend"], cells["trend_label"] = "new_hot", PAYLOADS[6]
    return {"towns": towns, "events": events, "key_areas": key_areas, "cells": cells}


def _blacklists(events: pd.DataFrame, key_areas: gpd.GeoDataFrame) -> tuple[object, object]:
    n = len(PAYLOADS)
    vehicles = pd.DataFrame(
        {
            "plate": list(PAYLOADS),
            "n_events": 3,
            "n_cases": 2,
            "n_tips": 1,
            "first_seen": events["occurred_at"],
            "last_seen": events["occurred_at"],
            "last_lat": events["lat"],
            "last_lon": events["lon"],
        }
    )
    areas = pd.DataFrame(
        {
            "id": [f"k{i}" for i in range(n)],
            "name": list(PAYLOADS),
            "category": "rural_market",
            "n_window": 5,
            "n_previous": 1,
            "growth": 4.0,
            "reason": "count+growth",
            "radius_m": 300.0,
            "flagged": True,
        }
    )
    return vehicles, areas


def hostile_map(two_townships: gpd.GeoDataFrame) -> folium.Map:
    """A map with every layer, each text field carrying an injection payload."""
    p = _parts(two_townships)
    events, key_areas, cells = p["events"], p["key_areas"], p["cells"]
    m = base_map(tuple(two_townships.total_bounds))
    routes = gpd.GeoDataFrame(
        {"name": [PAYLOADS[7]]}, geometry=[shapely.LineString([(108.6, 30.9), (108.8, 31.0)])],
        crs=4326,
    )
    posts = pd.DataFrame(
        {
            "post": [PAYLOADS[1]],
            "kind": ["mobile"],
            "lat": [30.95],
            "lon": [108.7],
            "name": [PAYLOADS[0]],
            "risk_covered": [3.0],
        }
    )
    vehicles, areas = _blacklists(events, key_areas)
    for group in (
        township_layer(p["towns"]),
        route_layer(routes),
        key_area_layer(key_areas),
        hex_layer(cells, mode="gi")[0],
        hex_layer(cells, mode="score")[0],
        trend_layer(cells)[0],
        incident_layer(events),
        posts_layer(posts, radius_m=500),
        vehicle_layer(vehicles),
        watchlist_layer(areas, key_areas),
    ):
        group.add_to(m)
    Legend(PAYLOADS[3], [("#fff", label) for label in PAYLOADS]).add_to(m)
    return localize(m)


class TestEscaping:
    def test_text_escapes_every_html_metacharacter(self) -> None:
        assert text("<a href='x'>&\"</a>") == "&lt;a href=&#x27;x&#x27;&gt;&amp;&quot;&lt;/a&gt;"
        assert text(None) == "" and text(float("nan")) == ""

    def test_script_json_cannot_close_a_script_element(self) -> None:
        out = script_json("</script><!-- & \u2028")
        assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out

    def test_escape_columns_leaves_numbers_alone(self) -> None:
        frame = escape_columns(pd.DataFrame({"a": ["<b>", None], "n": [1, 2]}))
        assert frame["a"].tolist()[0] == "&lt;b&gt;" and frame["n"].tolist() == [1, 2]

    def test_rendered_map_has_no_raw_payload(self, two_townships) -> None:
        page = hostile_map(two_townships).get_root().render()
        for payload in PAYLOADS:
            if any(c in payload for c in "<>\"'"):
                assert payload not in page, payload
        # record text never sits in a JavaScript template literal (folium's own Tooltip)
        assert re.search(r"bindTooltip\(\s*`", page) is None

    def test_deck_view_escapes_names(self, two_townships) -> None:
        p = _parts(two_townships)
        deck = deck_map(p["cells"], p["towns"], mode="gi", key_areas=p["key_areas"])
        spec = deck.to_json()
        assert "<img" not in spec and "</script>" not in spec


@pytest.fixture(scope="module")
def assets_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An HTTP server on 127.0.0.1 serving a folder with the map assets at /app/static/."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian chromium is missing: `make test` installs it")
        pytest.skip("chromium not installed (run `make test`)")
    if not (STATIC_DIR / ".complete").exists() and not any(STATIC_DIR.glob("*")):
        pytest.fail("map assets missing: run `make assets`")
    root = tmp_path_factory.mktemp("site")
    (root / "app" / "static").mkdir(parents=True)
    (root / "app" / "static" / "vendor").symlink_to(STATIC_DIR)
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


_OPEN_ALL = """(name) => {
  const seen = [];
  function walk(layer) {
    if (layer.getTooltip && layer.getTooltip()) {
      try { layer.openTooltip(layer.getLatLng ? layer.getLatLng() : undefined); } catch (e) {}
      const tip = layer.getTooltip();
      const el = tip.getElement && tip.getElement();
      if (el) seen.push(el.textContent);
    }
    if (layer.eachLayer) layer.eachLayer(walk);
  }
  window[name].eachLayer(walk);
  return seen;
}"""


@pytest.mark.browser
def test_no_payload_runs_in_chromium(two_townships, assets_server) -> None:
    from playwright.sync_api import sync_playwright

    base, root = assets_server
    m = hostile_map(two_townships)
    (root / "map.html").write_text(m.get_root().render(), encoding="utf-8")
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith(base) else r.abort(),
        )
        page.goto(f"{base}/map.html")
        page.wait_for_function(f"() => window['{m.get_name()}'] !== undefined")
        shown = page.evaluate(_OPEN_ALL, m.get_name())
        page.hover(".leaflet-interactive >> nth=0", force=True)
        legend = page.locator(".hexpatrol-legend").inner_text()
        labels = page.locator(".hexpatrol-ka-label").all_inner_texts()
        pwned = page.evaluate("() => window.__pwned")
        browser.close()
    assert errors == [], errors
    assert pwned is None, f"a payload ran: {pwned}"
    joined = "\n".join(shown)
    assert "渝F12345${window.__pwned='template'}" in joined  # shown literally, as text
    assert "渝F1234`" in joined
    assert "<img src=x" in legend
    assert "</script><script>" in " ".join(labels)
