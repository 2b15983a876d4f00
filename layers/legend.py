"""Map legends as Leaflet controls (plain JS/HTML: no branca colormap, whose d3 is a CDN)."""

from __future__ import annotations

from branca.element import MacroElement
from jinja2 import Template

from layers.safe import script_json, text


class Legend(MacroElement):
    """A legend box in a map corner: a title and (colour, label) rows."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function() {
          var legend = L.control({position: "{{ this.position }}"});
          legend.onAdd = function () {
            var div = L.DomUtil.create("div", "hexpatrol-legend");
            div.style.cssText = "background:rgba(255,255,255,0.92);padding:6px 9px;"
              + "border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.5 sans-serif;";
            div.innerHTML = {{ this.html_json }};
            return div;
          };
          legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}"""
    )

    def __init__(
        self, title: str, rows: list[tuple[str, str]], *, position: str = "bottomright"
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.position = position
        parts = [f"<b>{text(title)}</b>"]
        for color, label in rows:
            parts.append(
                f'<div><span style="display:inline-block;width:14px;height:12px;'
                f"background:{text(color)};border:1px solid #888;margin-right:6px;"
                f'vertical-align:middle"></span>{text(label)}</div>'
            )
        self.html_json = script_json("".join(parts))


def score_legend_rows(breaks: list[float], colors: list[str]) -> list[tuple[str, str]]:
    """Rows "low – high" for class limits ``breaks`` (first class starts above 0)."""
    rows = []
    low = 0.0
    for color, high in zip(colors, breaks, strict=True):
        rows.append((color, f"{low:g} – {high:g}"))
        low = high
    return rows
