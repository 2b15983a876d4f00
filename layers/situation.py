"""The situation map (态势地图): every layer on one localised, offline-ready map."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.cells import cells_to_frame
from geo.coords import gcj02_to_wgs84, wgs84_to_gcj02
from geo.i18n import t
from geo.tiles import TILES_URL, Tileset
from layers.assets import BASE_URL, localize
from layers.basemap import base_map
from layers.boundaries import route_layer, township_layer
from layers.hexes import hex_layer, trend_layer
from layers.incidents import incident_layer, incident_rows
from layers.keyareas import key_area_layer, key_area_rows
from layers.legend import Legend, Row
from layers.posts import post_rows, posts_layer
from layers.suspects import suspect_layer
from layers.vectors import base_layers


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


@dataclass(frozen=True)
class MapLayers:
    """What a situation map draws (all in WGS-84; shifted at once for Amap tiles)."""

    townships: gpd.GeoDataFrame
    cells: gpd.GeoDataFrame | None = None
    key_areas: gpd.GeoDataFrame | None = None
    routes: gpd.GeoDataFrame | None = None
    events: pd.DataFrame | None = None
    posts: pd.DataFrame | None = None
    base: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    focus: tuple[float, float, float, float] | None = None
    suspects: gpd.GeoDataFrame | None = None

    def shifted(self) -> MapLayers:
        """Every layer moved to GCJ-02 (Amap's tiles are GCJ-02)."""

        def geo(frame: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
            return to_gcj02(frame) if frame is not None else None

        def pts(frame: pd.DataFrame | None) -> pd.DataFrame | None:
            return shift_points(frame) if frame is not None else None

        focus = self.focus
        if focus is not None:
            (x0, x1), (y0, y1) = wgs84_to_gcj02([focus[0], focus[2]], [focus[1], focus[3]])
            focus = (float(x0), float(y0), float(x1), float(y1))
        return replace(
            self,
            townships=to_gcj02(self.townships),
            cells=geo(self.cells),
            key_areas=geo(self.key_areas),
            routes=geo(self.routes),
            events=pts(self.events),
            posts=pts(self.posts),
            base={k: to_gcj02(v) for k, v in self.base.items()},
            focus=focus,
            suspects=geo(self.suspects),
        )


def _line_rows(layers: MapLayers, base_rows: list[Row], lang: str) -> list[Row]:
    rows = []
    if layers.routes is not None and not layers.routes.empty:
        rows.append(Row("dashed", "#6a3d9a", t("layer_routes", lang), width=3))
    return rows + base_rows


def _add_layers(
    m: folium.Map, layers: MapLayers, *, lang: str, mode: str, show_trends: bool, over_tiles: bool
) -> list[tuple[str, Sequence[Row | tuple[str, str]]]]:
    """Draw every layer on ``m`` (bottom to top); the legend sections that explain them."""
    township_layer(layers.townships, lang=lang, over_tiles=over_tiles).add_to(m)
    groups, base_rows = base_layers(layers.base, lang=lang)
    for group in groups:
        group.add_to(m)
    sections: list[tuple[str, Sequence[Row | tuple[str, str]]]] = []
    if layers.cells is not None:  # None: a map of other layers only (e.g. the blacklist)
        hexes, rows = hex_layer(layers.cells, lang=lang, mode=mode)
        hexes.add_to(m)
        sections.append(("", rows))
    if show_trends and layers.cells is not None:
        trends, trend_rows = trend_layer(layers.cells, lang=lang)
        trends.add_to(m)
        sections.append(
            (t("layer_trend", lang), [Row("outline", "#fff", r[1], edge=r[0]) for r in trend_rows])
        )
    if layers.suspects is not None:  # a layer of its own, over the hexagons
        group, rows = suspect_layer(layers.suspects, lang=lang)
        group.add_to(m)
        sections.append((t("sa_legend", lang), rows))
    if layers.routes is not None and not layers.routes.empty:
        route_layer(layers.routes, lang=lang).add_to(m)
    if layers.key_areas is not None and not layers.key_areas.empty:
        key_area_layer(layers.key_areas, lang=lang).add_to(m)
        sections.append((t("layer_key_areas", lang), key_area_rows(layers.key_areas, lang=lang)))
    sections.append((t("legend_lines", lang), _line_rows(layers, base_rows, lang)))
    if layers.events is not None:
        incident_layer(layers.events, lang=lang).add_to(m)
        sections.append((t("layer_incidents", lang), incident_rows(lang=lang)))
    if layers.posts is not None and not layers.posts.empty:
        sections.append((t("layer_posts", lang), post_rows(layers.posts, lang=lang)))
    return sections


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
    tileset: Tileset | None = None,
    base: dict[str, gpd.GeoDataFrame] | None = None,
    asset_base_url: str = BASE_URL,
    tiles_base_url: str = TILES_URL,
    extra: Sequence[folium.FeatureGroup] = (),
    legend_title: str | None = None,
    legend_rows: Sequence[Row] = (),
    suspects: pd.DataFrame | None = None,
) -> folium.Map:
    """Compose townships, base layers, hexagons, trends, routes, key areas and incidents.

    ``cells`` is the annotated hexagon frame (with Gi* columns for ``mode="gi"`` and
    ``show_trends``); ``events`` (optional) feeds the clustered incident layer; ``posts``
    (optional, from a patrol plan) are drawn with their ``post_radius_m`` circles; ``focus``
    (minx, miny, maxx, maxy) centres and zooms the map there instead of on all townships;
    ``tileset`` is the imported base map for ``tiles="local"``; ``base`` holds the roads,
    villages and rivers drawn under the hexagons; ``extra`` layers (e.g.
    :mod:`layers.blacklist`) are added as they are, so give them in GCJ-02 for Amap tiles;
    ``legend_rows`` explain them, first in the legend, under ``legend_title`` (which then
    replaces the hexagons' title); ``suspects`` (:func:`geo.activity.suspect_activity`'s
    cells) adds the 嫌疑车辆活动 layer (:mod:`layers.suspects`). One legend explains every
    symbol drawn. The map uses only local assets.
    """
    shown = cells_to_frame(suspects) if suspects is not None and len(suspects) else None
    layers = MapLayers(townships, cells, key_areas, routes, events, posts, base or {}, focus, shown)
    if tiles == "amap":  # Amap's tiles are GCJ-02: move every layer there so they line up
        layers = layers.shifted()
    m = base_map(
        layers.focus or tuple(layers.townships.total_bounds),
        tiles=tiles,
        tile_url=tile_url,
        tile_attribution=tile_attribution,
        tianditu_key=tianditu_key,
        tileset=tileset,
        tiles_base_url=tiles_base_url,
    )
    over_tiles = tiles != "none" and (tiles != "local" or tileset is not None)
    sections = _add_layers(
        m, layers, lang=lang, mode=mode, show_trends=show_trends, over_tiles=over_tiles
    )
    if layers.posts is not None and not layers.posts.empty:
        posts_layer(layers.posts, radius_m=post_radius_m, lang=lang).add_to(m)
    for layer in extra:  # already in map coordinates (shift them too for amap tiles)
        layer.add_to(m)
    title = {
        "score": t("legend_title", lang, case_w=weights[0], tip_w=weights[1]),
        "forecast": t("legend_forecast", lang),
    }.get(mode, t("legend_gi", lang))
    if legend_rows:
        sections.insert(0, ("", list(legend_rows)))
    Legend(legend_title or title, sections=sections).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return localize(m, base_url=asset_base_url)
