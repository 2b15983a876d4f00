"""The empty map: no tiles by default (works offline), local assets, a light background."""

from __future__ import annotations

import math

import folium
from branca.element import MacroElement
from jinja2 import Template

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


class _LabelZoom(MacroElement):
    """Hides key-area labels and shrinks badges below ``min_zoom``: hotspots stay visible."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function() {
          var map = {{ this._parent.get_name() }};
          var css = document.createElement("style");
          css.textContent = ".hexpatrol-lowzoom .hexpatrol-ka-label{display:none}"
            + ".hexpatrol-lowzoom .hexpatrol-ka-badge{transform:scale(0.65);opacity:0.85}";
          document.head.appendChild(css);
          function toggle() {
            map.getContainer().classList.toggle(
              "hexpatrol-lowzoom", map.getZoom() < {{ this.min_zoom }});
          }
          map.on("zoomend", toggle);
          toggle();
        })();
        {% endmacro %}"""
    )

    def __init__(self, min_zoom: float) -> None:
        super().__init__()
        self._name = "LabelZoom"
        self.min_zoom = min_zoom


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


def base_map(
    bounds: tuple[float, float, float, float],
    *,
    tiles: str = "none",
    tile_url: str = "",
    tile_attribution: str = "",
    tianditu_key: str = "",
    label_min_zoom: float = 11.5,
) -> folium.Map:
    """A map centred on ``bounds`` (minx, miny, maxx, maxy in degrees) at a zoom that fits.

    ``tiles``: ``none`` (default, offline), ``osm``, ``tianditu`` (with ``tianditu_key``),
    ``amap`` (GCJ-02 tiles: the caller must shift its layers, see
    :func:`layers.situation.situation_map`) or ``custom`` (``tile_url``).
    """
    minx, miny, maxx, maxy = bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=fit_zoom(bounds),  # type: ignore[arg-type]  # Leaflet takes fractions
        tiles=None,
        control_scale=True,
        min_zoom=5,
        max_zoom=18,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    # folium hands min/max zoom to its own tile layer only; a tile-less map needs them on the
    # map itself, or the marker cluster fails ("Map has no maxZoom specified")
    m.options.update(min_zoom=5, max_zoom=18)
    if tiles == "osm":
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
        folium.TileLayer(tile_url, attr=tile_attribution or "tiles", name="tiles").add_to(m)
    elif tiles != "none":
        raise ValueError(
            f"tiles was {tiles!r} but is expected to be in "
            "('none', 'osm', 'tianditu', 'amap', 'custom')"
        )
    _Background("#eef1f4").add_to(m)
    _LabelZoom(label_min_zoom).add_to(m)
    return m
