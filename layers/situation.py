"""The situation map (态势地图): every layer on one localised, offline-ready map."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.coords import gcj02_to_wgs84, wgs84_to_gcj02
from geo.i18n import t
from layers.assets import BASE_URL, localize
from layers.basemap import base_map
from layers.boundaries import route_layer, township_layer
from layers.hexes import hex_layer, trend_layer
from layers.incidents import incident_layer
from layers.keyareas import key_area_layer
from layers.legend import Legend
from layers.posts import posts_layer


def to_gcj02(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame with every coordinate moved from WGS-84 to GCJ-02 (for Amap tiles)."""
    out = frame.copy()
    out.geometry = shapely.transform(
        out.geometry.values, lambda xy: np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1]))
    )
    return out


def shift_points(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame with ``lat``/``lon`` columns moved from WGS-84 to GCJ-02."""
    out = frame.copy()
    out["lon"], out["lat"] = wgs84_to_gcj02(out["lon"].to_numpy(), out["lat"].to_numpy())
    return out


def clicked_wgs84(point: dict[str, float], tiles: str) -> tuple[float, float]:
    """(lat, lon) in WGS-84 of a click on a map drawn for ``tiles``.

    With Amap tiles every layer is drawn in GCJ-02 (:func:`situation_map`), so a click comes
    back in GCJ-02 and is moved back before it is looked up or saved.
    """
    lat, lon = float(point["lat"]), float(point["lng"])
    if tiles == "amap":
        x, y = gcj02_to_wgs84(lon, lat)
        return float(np.asarray(y)), float(np.asarray(x))
    return lat, lon


def situation_map(
    *,
    townships: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame | None,
    key_areas: gpd.GeoDataFrame | None = None,
    routes: gpd.GeoDataFrame | None = None,
    events: pd.DataFrame | None = None,
    lang: str = "zh",
    mode: str = "score",
    show_trends: bool = False,
    weights: tuple[float, float] = (1.0, 0.5),
    tiles: str = "none",
    tile_url: str = "",
    tile_attribution: str = "",
    posts: pd.DataFrame | None = None,
    post_radius_m: float = 1000.0,
    focus: tuple[float, float, float, float] | None = None,
    tianditu_key: str = "",
    asset_base_url: str = BASE_URL,
    extra: Sequence[folium.FeatureGroup] = (),
) -> folium.Map:
    """Compose townships, hexagons, trends, routes, key areas and incidents with legends.

    ``cells`` is the annotated hexagon frame (with Gi* columns for ``mode="gi"`` and
    ``show_trends``); ``events`` (optional) feeds the clustered incident layer; ``posts``
    (optional, from a patrol plan) are drawn with their ``post_radius_m`` circles; ``focus``
    (minx, miny, maxx, maxy) centres and zooms the map there instead of on all townships;
    ``extra`` layers (e.g. :mod:`layers.blacklist`) are added as they are, so give them in
    GCJ-02 for Amap tiles. The returned map uses only local assets under ``asset_base_url``.
    """
    if tiles == "amap":  # Amap's tiles are GCJ-02: move every layer there so they line up
        townships = to_gcj02(townships)
        cells = to_gcj02(cells) if cells is not None else None
        key_areas = to_gcj02(key_areas) if key_areas is not None else None
        routes = to_gcj02(routes) if routes is not None else None
        events = shift_points(events) if events is not None else None
        posts = shift_points(posts) if posts is not None else None
        if focus is not None:
            (x0, x1), (y0, y1) = wgs84_to_gcj02([focus[0], focus[2]], [focus[1], focus[3]])
            focus = (float(x0), float(y0), float(x1), float(y1))
    m = base_map(
        focus or tuple(townships.total_bounds),
        tiles=tiles,
        tile_url=tile_url,
        tile_attribution=tile_attribution,
        tianditu_key=tianditu_key,
    )
    township_layer(townships, lang=lang).add_to(m)
    rows: list[tuple[str, str]] = []
    if cells is not None:  # None: a map of other layers only (e.g. the blacklist)
        hexes, rows = hex_layer(cells, lang=lang, mode=mode)
        hexes.add_to(m)
    trend_rows: list[tuple[str, str]] = []
    if show_trends and cells is not None:
        trends, trend_rows = trend_layer(cells, lang=lang)
        trends.add_to(m)
    if routes is not None and not routes.empty:
        route_layer(routes, lang=lang).add_to(m)
    if key_areas is not None and not key_areas.empty:
        key_area_layer(key_areas, lang=lang).add_to(m)
    if events is not None:
        incident_layer(events, lang=lang).add_to(m)
    if posts is not None and not posts.empty:
        posts_layer(posts, radius_m=post_radius_m, lang=lang).add_to(m)
    for layer in extra:  # already in map coordinates (shift them too for amap tiles)
        layer.add_to(m)
    title = {
        "score": t("legend_title", lang, case_w=weights[0], tip_w=weights[1]),
        "forecast": t("legend_forecast", lang),
    }.get(mode, t("legend_gi", lang))
    if rows:
        Legend(title, rows).add_to(m)
    if trend_rows:
        Legend(t("layer_trend", lang), trend_rows, position="bottomleft").add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return localize(m, base_url=asset_base_url)
