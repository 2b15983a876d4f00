"""The empty map: no tiles by default (works offline), local assets, a light background."""

from __future__ import annotations

import math

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo.tiles import TILES_URL, Tileset
from layers.labels import LabelControl
from layers.safe import text

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors"
TIANDITU_URL = "https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk={key}"
TIANDITU_LABELS = "https://t{s}.tianditu.gov.cn/DataServer?T=cva_w&x={x}&y={y}&l={z}&tk={key}"
TIANDITU_ATTRIBUTION = "&copy; 天地图"
AMAP_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
AMAP_ATTRIBUTION = "&copy; 高德地图 (GCJ-02)"


class _MapControls(MacroElement):
    """A metric-only scale bar, and an attribution line without Leaflet's flag and link."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function() {
          var map = {{ this._parent.get_name() }};
          L.control.scale({metric: true, imperial: false, maxWidth: 160}).addTo(map);
          if (map.attributionControl) { map.attributionControl.setPrefix("Leaflet"); }
        })();
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MapControls"


def fit_zoom(
    bounds: tuple[float, float, float, float], *, width: int = 900, height: int = 600
) -> float:
    """Largest zoom (in steps of 0.25) at which ``bounds`` fit a ``width``×``height`` view."""
    minx, miny, maxx, maxy = bounds

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    dx = max(maxx - minx, 1e-6) / 360.0
    dy = max(merc(maxy) - merc(miny), 1e-6) / (2 * math.pi)
    zoom = min(math.log2(width / (256 * dx)), math.log2(height / (256 * dy)))
    return max(1.0, math.floor(zoom * 4) / 4)


class _Background(MacroElement):
    """Paints the map container, so a tile-less map is not Leaflet's grey."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.getContainer().style.background = "{{ this.color }}";
        {% endmacro %}"""
    )

    def __init__(self, color: str) -> None:
        super().__init__()
        self._name = "Background"
        self.color = color


def _tile_layer(
    m: folium.Map,
    tiles: str,
    *,
    tile_url: str,
    tile_attribution: str,
    tianditu_key: str,
    tileset: Tileset | None,
    tiles_base_url: str,
) -> None:
    """Add the chosen tiles (nothing for ``none``, or ``local`` without a tile set)."""
    if tiles == "local" and tileset is not None:
        w, s, e, n = tileset.bounds
        folium.TileLayer(
            tileset.url(tiles_base_url),
            attr=text(tileset.attribution or tileset.name),
            name="底图",
            min_zoom=5,
            max_zoom=18,
            min_native_zoom=tileset.minzoom,
            max_native_zoom=tileset.maxzoom,
            bounds=[[s, w], [n, e]],
            overlay=False,
            control=False,
        ).add_to(m)
    elif tiles == "osm":
        folium.TileLayer(OSM_URL, attr=OSM_ATTRIBUTION, name="OpenStreetMap").add_to(m)
    elif tiles == "tianditu":
        for url, name in ((TIANDITU_URL, "天地图"), (TIANDITU_LABELS, "天地图注记")):
            folium.TileLayer(
                url.replace("{key}", tianditu_key),
                attr=TIANDITU_ATTRIBUTION,
                name=name,
                subdomains="01234567",
                max_zoom=18,
            ).add_to(m)
    elif tiles == "amap":
        folium.TileLayer(
            AMAP_URL, attr=AMAP_ATTRIBUTION, name="高德地图", subdomains="1234", max_zoom=18
        ).add_to(m)
    elif tiles == "custom":
        attribution = text(tile_attribution) or "tiles"
        folium.TileLayer(tile_url, attr=attribution, name="tiles").add_to(m)
    elif tiles not in ("none", "local"):
        raise ValueError(
            f"tiles was {tiles!r} but is expected to be in "
            "('none', 'local', 'osm', 'tianditu', 'amap', 'custom')"
        )


def base_map(
    bounds: tuple[float, float, float, float],
    *,
    tiles: str = "none",
    tile_url: str = "",
    tile_attribution: str = "",
    tianditu_key: str = "",
    tileset: Tileset | None = None,
    tiles_base_url: str = TILES_URL,
    label_min_zoom: float = 11.5,
) -> folium.Map:
    """A map centred on ``bounds`` (minx, miny, maxx, maxy in degrees) at a zoom that fits.

    ``tiles``: ``none`` (default, offline), ``local`` (the imported ``tileset``, served by the
    app under ``tiles_base_url``; without one, as ``none``), ``osm``, ``tianditu`` (with
    ``tianditu_key``), ``amap`` (GCJ-02 tiles: the caller must shift its layers, see
    :func:`layers.situation.situation_map`) or ``custom`` (``tile_url``). The map has a
    metric scale bar, label panes with zoom-dependent, decluttered labels
    (:class:`layers.labels.LabelControl`) and no Leaflet flag in its attribution.
    """
    minx, miny, maxx, maxy = bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=fit_zoom(bounds),  # type: ignore[arg-type]  # Leaflet takes fractions
        tiles=None,
        control_scale=False,
        min_zoom=5,
        max_zoom=18,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    # folium hands min/max zoom to its own tile layer only; a tile-less map needs them on the
    # map itself, or the marker cluster fails ("Map has no maxZoom specified")
    m.options.update(min_zoom=5, max_zoom=18)
    LabelControl(label_min_zoom).add_to(m)  # first: it creates the panes the layers use
    _tile_layer(
        m,
        tiles,
        tile_url=tile_url,
        tile_attribution=tile_attribution,
        tianditu_key=tianditu_key,
        tileset=tileset,
        tiles_base_url=tiles_base_url,
    )
    _Background("#eef1f4").add_to(m)
    _MapControls().add_to(m)
    return m
