"""Map speed: filter change → new map HTML for a county year, payload and first paint.

Run: ``.venv/bin/python bench/bench_map.py [--quick]``.
A synthetic county year of ~50k events (the demo's 2025 events repeated with jitter, periods
relabelled), whole county, Gi* mode. "Filter change" = ``geo.views.hotspot_view`` for a new
period filter (study area cached, as in the app) + building what the app draws: the folium
map's HTML, or the deck.gl JSON above the app's hexagon threshold.
Payload = size of that HTML (what the page ships to the browser; the deck.gl JSON is given
for res 10). First paint = headless Chromium loading the HTML (assets served from
static/vendor on disk) until the hexagons are in the DOM.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.cells import with_cells  # noqa: E402
from geo.config import Settings  # noqa: E402
from geo.dataset import load_dataset  # noqa: E402
from geo.periods import label_events  # noqa: E402
from geo.views import hotspot_view, study_area  # noqa: E402
from layers.assets import STATIC_DIR  # noqa: E402
from layers.deck import deck_map  # noqa: E402
from layers.situation import situation_map  # noqa: E402


def county_year(target: int, seed: int = 0):
    ds = load_dataset(Settings())
    year = ds.events[ds.events["occurred_at"] >= pd.Timestamp("2025-01-01", tz="Asia/Shanghai")]
    copies = int(np.ceil(target / len(year)))
    rng = np.random.default_rng(seed)
    parts = []
    for i in range(copies):
        part = year.drop(columns=[c for c in year.columns if c.startswith("cell_")]).copy()
        part["lat"] = part["lat"] + rng.normal(0, 0.003, len(part))
        part["lon"] = part["lon"] + rng.normal(0, 0.003, len(part))
        part["event_id"] = part["event_id"] + f"-{i}"
        parts.append(part)
    events = with_cells(pd.concat(parts, ignore_index=True).head(target))
    labels = label_events(events, key_areas=ds.key_areas).labels
    return dataclasses.replace(ds, events=events, labels=labels)


def first_paint(html: str) -> float:
    from playwright.sync_api import sync_playwright

    page_html = html.replace("/app/static/vendor", STATIC_DIR.as_uri())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "map.html"
        path.write_text(page_html, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--allow-file-access-from-files",
                ],
            )
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            t0 = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("path.leaflet-interactive", timeout=60_000)
            elapsed = time.perf_counter() - t0
            browser.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    target = 5_000 if args.quick else 50_000
    ds = county_year(target)
    print(json.dumps({"events": len(ds.events)}))
    for res in (8,) if args.quick else (8, 9, 10):
        area = study_area(ds, res=res)
        hotspot_view(ds, res=res, area=area)  # warm-up: caches and imports
        t0 = time.perf_counter()
        view = hotspot_view(ds, res=res, area=area, periods=["night"])
        t_view = time.perf_counter() - t0
        t0 = time.perf_counter()
        if len(view.cells) > Settings().deck_threshold:  # the app's own switch
            night_payload = deck_map(view.cells, ds.townships, key_areas=ds.key_areas).to_json()
            drawn_by = "deck.gl"
        else:
            night_payload = (
                situation_map(
                    townships=ds.townships,
                    cells=view.cells,
                    key_areas=ds.key_areas,
                    routes=ds.routes,
                    mode="gi",
                )
                .get_root()
                .render()
            )
            drawn_by = "folium"
        t_html = time.perf_counter() - t0
        full = hotspot_view(ds, res=res, area=area)
        full_html = (
            situation_map(
                townships=ds.townships,
                cells=full.cells,
                key_areas=ds.key_areas,
                routes=ds.routes,
                mode="gi",
            )
            .get_root()
            .render()
        )
        deck = deck_map(full.cells, ds.townships, key_areas=ds.key_areas).to_json()
        paint = first_paint(full_html) if Path("/usr/bin/chromium").exists() else float("nan")
        print(
            json.dumps(
                {
                    "res": res,
                    "night_filter_s": round(t_view + t_html, 3),
                    "view_s": round(t_view, 3),
                    "html_s": round(t_html, 3),
                    "night_drawn_by": drawn_by,
                    "night_cells": len(view.cells),
                    "night_payload_mb": round(len(night_payload.encode()) / 1e6, 2),
                    "cells_all": len(full.cells),
                    "folium_html_mb": round(len(full_html.encode()) / 1e6, 2),
                    "deck_json_mb": round(len(deck.encode()) / 1e6, 2),
                    "first_paint_s": round(paint, 2),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
