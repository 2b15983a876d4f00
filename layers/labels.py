"""Map labels that appear by zoom level and never pile up (decluttered in the browser).

Every label is a small ``div`` whose text is set with ``textContent`` (never parsed as HTML),
placed in the ``hexpatrol-labels`` pane above the hexagons. :class:`LabelControl` (one per map)
gives the map container a class ``hexpatrol-ltN`` for every zoom N above the current one, so
a label of class ``hexpatrol-minz-N`` shows from zoom N on; after every zoom or pan it places
the visible labels by priority — badges and post numbers first, then key-area names (which
may move left, above or below their badge), townships, rivers, roads, villages — and hides a
label that would overlap one already placed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, NamedTuple

from branca.element import MacroElement
from jinja2 import Template

from layers.safe import script_json

#: Leaflet panes (z-index): tiles 200 < townships < base layers < hexagons 400 < labels < markers
PANES: Final = {"hexpatrol-towns": 250, "hexpatrol-base": 350, "hexpatrol-labels": 450}
#: priorities of label kinds (higher is placed first)
PRIORITY: Final = {
    "ka": 80,
    "township": 70,
    "river": 60,
    "road-expressway": 50,
    "road-major": 45,
    "road-minor": 30,
    "village": 20,
}
_CSS: Final = (
    ".hexpatrol-label{font:12px/1.2 sans-serif;color:#333;white-space:nowrap;"
    "text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff;transform:translate(-50%,-50%);"
    "position:absolute;pointer-events:none}"
    ".hexpatrol-label-river{color:#1f5f9f;font-style:italic}"
    ".hexpatrol-label-road{color:#6b4a12;font-size:11px}"
    ".hexpatrol-label-village{color:#4d4d4d;font-size:11px;transform:translate(5px,-50%)}"
    ".hexpatrol-label-township{color:#56606a;font-size:12px;letter-spacing:1px}"
    ".hexpatrol-hidden{visibility:hidden}"
    '.hexpatrol-ka-label[data-pos="l"]{left:auto!important;right:23px}'
    '.hexpatrol-ka-label[data-pos="t"]{left:50%!important;top:auto!important;bottom:23px;'
    "transform:translateX(-50%)}"
    '.hexpatrol-ka-label[data-pos="b"]{left:50%!important;top:23px!important;'
    "transform:translateX(-50%)}"
    ".hexpatrol-lowzoom .hexpatrol-ka-badge{transform:scale(0.65);opacity:0.85}"
)


class Label(NamedTuple):
    """One label: where, what, its kind (CSS class), from which zoom, its priority."""

    lat: float
    lon: float
    text: str
    kind: str
    min_zoom: int
    priority: int


class Labels(MacroElement):
    """Labels added to the parent layer (a FeatureGroup), so the layer control toggles them."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function() {
          var group = {{ this._parent.get_name() }};
          {{ this.rows_json }}.forEach(function(r) {
            var el = document.createElement("div");
            el.className = "hexpatrol-label hexpatrol-declutter " + r[3]
              + " hexpatrol-minz-" + r[4];
            el.dataset.prio = r[5];
            el.textContent = r[2];
            L.marker([r[0], r[1]], {
              icon: L.divIcon({html: el, className: "hexpatrol-label-icon", iconSize: null}),
              interactive: false, keyboard: false, pane: "hexpatrol-labels"
            }).addTo(group);
          });
        })();
        {% endmacro %}"""
    )

    def __init__(self, labels: Sequence[Label]) -> None:
        super().__init__()
        self._name = "Labels"
        rows = [
            [round(lb.lat, 5), round(lb.lon, 5), str(lb.text), lb.kind, lb.min_zoom, lb.priority]
            for lb in labels
            if lb.text
        ]
        self.rows_json = script_json(rows)


class LabelControl(MacroElement):
    """Zoom classes, the label panes and the declutter pass of a map (add once per map)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function() {
          var map = {{ this._parent.get_name() }};
          var panes = {{ this.panes_json }};
          Object.keys(panes).forEach(function(name) {
            if (!map.getPane(name)) { map.createPane(name).style.zIndex = panes[name]; }
          });
          map.getPane("hexpatrol-labels").style.pointerEvents = "none";
          var rules = [{{ this.css_json }}];
          for (var z = 1; z <= 20; z++) {
            rules.push(".hexpatrol-lt" + z + " .hexpatrol-minz-" + z + "{display:none}");
          }
          var css = document.createElement("style");
          css.textContent = rules.join("");
          document.head.appendChild(css);
          function zoomClasses() {
            var c = map.getContainer(), zoom = map.getZoom();
            for (var z = 1; z <= 20; z++) { c.classList.toggle("hexpatrol-lt" + z, zoom < z); }
            c.classList.toggle("hexpatrol-lowzoom", zoom < {{ this.badge_min_zoom }});
          }
          function overlaps(r, placed) {
            return placed.some(function(p) {
              return r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top;
            });
          }
          function declutter() {
            var root = map.getContainer(), view = root.getBoundingClientRect();
            var placed = [];
            root.querySelectorAll(".hexpatrol-obstacle").forEach(function(el) {
              var r = el.getBoundingClientRect();
              if (r.width) { placed.push(r); }
            });
            var els = Array.prototype.slice.call(root.querySelectorAll(".hexpatrol-declutter"));
            els.sort(function(a, b) { return (+b.dataset.prio || 0) - (+a.dataset.prio || 0); });
            els.forEach(function(el) {
              el.classList.remove("hexpatrol-hidden");
              var spots = el.dataset.alt ? ["r", "l", "t", "b"] : [null];
              for (var i = 0; i < spots.length; i++) {
                if (spots[i]) { el.dataset.pos = spots[i]; }
                var r = el.getBoundingClientRect();
                if (!r.width || r.right < view.left || r.left > view.right
                    || r.bottom < view.top || r.top > view.bottom) { return; }
                if (!overlaps(r, placed)) { placed.push(r); return; }
              }
              if (spots[0]) { el.dataset.pos = "r"; }
              el.classList.add("hexpatrol-hidden");
            });
          }
          var pending = null;
          function later() {
            if (pending) { cancelAnimationFrame(pending); }
            pending = requestAnimationFrame(function() { pending = null; declutter(); });
          }
          map.on("zoomend", zoomClasses);
          map.on("zoomend moveend overlayadd overlayremove layeradd", later);
          zoomClasses();
          map.whenReady(function() { setTimeout(declutter, 50); });
        })();
        {% endmacro %}"""
    )

    def __init__(self, badge_min_zoom: float = 11.5) -> None:
        super().__init__()
        self._name = "LabelControl"
        self.panes_json = script_json(PANES)
        self.css_json = script_json(_CSS)
        self.badge_min_zoom = float(badge_min_zoom)
