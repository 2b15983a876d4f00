"""The situation map (态势地图): every layer on one localised, offline-ready map."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from geo.i18n import t
from layers.assets import BASE_URL, localize
from layers.basemap import base_map
from layers.boundaries import route_layer, township_layer
from layers.hexes import hex_layer, trend_layer
from layers.incidents import incident_layer
from layers.keyareas import key_area_layer
from layers.legend import Legend
from layers.posts import posts_layer


def situation_map(
    *,
    townships: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
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
    asset_base_url: str = BASE_URL,
) -> folium.Map:
    """Compose townships, hexagons, trends, routes, key areas and incidents with legends.

    ``cells`` is the annotated hexagon frame (with Gi* columns for ``mode="gi"`` and
    ``show_trends``); ``events`` (optional) feeds the clustered incident layer; ``posts``
    (optional, from a patrol plan) are drawn with their ``post_radius_m`` circles; ``focus``
    (minx, miny, maxx, maxy) centres and zooms the map there instead of on all townships. The
    returned map uses only local assets under ``asset_base_url``.
    """
    m = base_map(
        focus or tuple(townships.total_bounds),
        tiles=tiles,
        tile_url=tile_url,
        tile_attribution=tile_attribution,
    )
    township_layer(townships, lang=lang).add_to(m)
    hexes, rows = hex_layer(cells, lang=lang, mode=mode)
    hexes.add_to(m)
    trend_rows: list[tuple[str, str]] = []
    if show_trends:
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
    title = (
        t("legend_title", lang, case_w=weights[0], tip_w=weights[1])
        if mode == "score"
        else t("legend_gi", lang)
    )
    Legend(title, rows).add_to(m)
    if trend_rows:
        Legend(t("layer_trend", lang), trend_rows, position="bottomleft").add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return localize(m, base_url=asset_base_url)
