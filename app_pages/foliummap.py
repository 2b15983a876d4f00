"""The folium map component, its payload built once per map and shared by every session.

``streamlit_folium.st_folium`` renders the whole map to HTML and JavaScript on every call,
that is on every rerun of every session (the main cost when many people use the app at
once). Here that rendering is done once per map (:func:`payload`, kept in a shared cache by
the caller's key) and each rerun only hands the ready strings to the same component, with
the view to show (``center``/``zoom``): a map rebuilt for new filters opens where the user
left the old one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

import folium
import streamlit as st
from streamlit_folium import (  # the pieces st_folium itself is made of
    _component_func,
    _get_header,
    _get_html,
    _get_map_string,
    generate_js_hash,
    get_full_id,
)

from geo.memo import SharedMemo


def _register_with_server() -> None:
    """Register streamlit-folium's component with the running server.

    The package registers it itself only when first imported inside a page's run; imported
    by the warm-up thread (:mod:`app_pages.warm`) it would never be served, and every map
    would say it has trouble loading. Registering the same component again changes nothing.
    """
    from streamlit.runtime import Runtime

    if Runtime.exists():
        Runtime.instance().component_registry.register_component(_component_func)


_register_with_server()


@dataclass(frozen=True)
class Payload:
    """A map rendered for the component: scripts, HTML and the assets it needs."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    bounds: dict[str, dict[str, float | None]]
    zoom: float


def _links(m: folium.Map) -> tuple[tuple[str, ...], tuple[str, ...]]:
    css: list[str] = []
    js: list[str] = []

    def walk(element: Any) -> None:
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
        for child in getattr(element, "_children", {}).values():
            walk(child)

    walk(m)
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


def payload(m: folium.Map) -> Payload:
    """Render ``m`` once for the component (what ``st_folium`` does on every call)."""
    m.get_root().render()
    m.render()
    html, header, script = _get_html(m), _get_header(m), _get_map_string(m)
    css, js = _links(m)
    try:
        (s, w), (n, e) = m.get_bounds()
    except (AttributeError, TypeError, ValueError):
        s = w = n = e = None
    bounds = {"_southWest": {"lat": s, "lng": w}, "_northEast": {"lat": n, "lng": e}}
    zoom = float(m.options.get("zoom", 10))
    return Payload(script, header, html, get_full_id(m), css, js, bounds, zoom)


#: characters of rendered maps one server process keeps (a township's map is about 60 k,
#: the county's about 1 M): enough for every account's maps at the monthly meeting
PAYLOAD_CHARS: Final = 200e6


def _chars(p: Payload) -> float:
    return float(len(p.script) + len(p.html) + len(p.header))


@st.cache_resource
def _payloads() -> SharedMemo[Payload]:
    """Every session's rendered maps (cleared with Streamlit's resource caches)."""
    return SharedMemo(4096, weigh=_chars, max_weight=PAYLOAD_CHARS)


def shared_payload(key: str, _build: Callable[[], folium.Map]) -> Payload:
    """The payload of the map ``_build`` makes, once per ``key`` for every session."""
    return _payloads().get(key, lambda: payload(_build()))


def show(
    p: Payload,
    *,
    key: str,
    height: int = 620,
    center: tuple[float, float] | list[float] | None = None,
    zoom: float | None = None,
    returned_objects: Iterable[str] = (),
) -> dict[str, Any] | None:
    """Draw a payload; returns what ``returned_objects`` asked for (clicks, the view …)."""
    wanted = list(returned_objects)
    defaults = {"last_clicked": None, "bounds": p.bounds, "zoom": p.zoom, "center": None}
    return _component_func(  # type: ignore[no-any-return]
        script=p.script,
        header=p.header,
        html=p.html,
        id=p.map_id,
        key=generate_js_hash(p.script, key, False),
        height=height,
        width=None,
        returned_objects=wanted,
        default={k: v for k, v in defaults.items() if k in wanted},
        zoom=zoom,
        center=list(center) if center is not None else None,
        feature_group=None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(p.css_links),
        js_links=list(p.js_links),
        on_change=None,
        wrap_longitude=False,
    )
