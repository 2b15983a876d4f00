"""Map legends: one box that explains every symbol on the map, in folium and beside deck.gl.

Plain HTML (no branca colormap, whose d3 is a CDN). A legend is a list of sections, each a
title and :class:`Row` entries whose swatch draws the symbol as the map does: a filled
hexagon, an outline, a line (dashed for routes, cased for roads), a key-area badge, a
numbered post, a dot or a cluster bubble. :class:`Legend` puts it on a folium map as a
collapsible Leaflet control; :func:`legend_html` gives the same HTML for the deck.gl view.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from branca.element import MacroElement
from jinja2 import Template

from layers.safe import script_json, text

_COLOR = re.compile(r"^#[0-9a-fA-F]{3,8}$")


def _color(value: str) -> str:
    """A CSS colour from our palettes; anything else becomes grey (never reaches CSS)."""
    return value if _COLOR.match(value or "") else "#888888"


@dataclass(frozen=True)
class Row:
    """One legend entry.

    Attributes
    ----------
    kind : str
        ``fill`` (a hexagon's colour), ``outline``, ``line``, ``dashed``, ``road`` (cased
        line), ``circle`` (a dashed watch radius), ``badge`` (``char`` in a disc), ``post``
        (``char`` in a square), ``dot`` or ``cluster``.
    color : str
        ``#rrggbb``.
    label : str
        Text (escaped when drawn).
    char : str
        The badge's or post's character.
    edge : str
        Outline or casing colour.
    width : float
        Line width in pixels.
    opacity : float
        Fill opacity of ``fill`` swatches.
    """

    kind: str
    color: str
    label: str
    char: str = ""
    edge: str = "#888888"
    width: float = 3.0
    opacity: float = 1.0


def _swatch(row: Row) -> str:
    c, e, w = _color(row.color), _color(row.edge), max(1.0, min(float(row.width), 8.0))
    box = "display:inline-block;width:18px;height:14px;vertical-align:middle;margin-right:6px;"
    if row.kind == "fill":
        style = f"background:{c};opacity:{min(max(row.opacity, 0.2), 1):.2f};border:1px solid {e}"
        return f'<span style="{box}{style}"></span>'
    if row.kind == "outline":
        return f'<span style="{box}border:1px dashed {e};background:transparent"></span>'
    if row.kind in ("line", "dashed", "road"):
        dash = "dashed" if row.kind == "dashed" else "solid"
        casing = f"box-shadow:0 0 0 1px {e};" if row.kind == "road" else ""
        line = f"display:block;margin-top:{7 - w / 2:.1f}px;border-top:{w:.0f}px {dash} {c};"
        return f'<span style="{box}"><span style="{line}{casing}"></span></span>'
    if row.kind == "circle":
        return f'<span style="{box}border:1.5px dashed {c};border-radius:50%;width:14px"></span>'
    if row.kind in ("badge", "post"):
        radius = "50%" if row.kind == "badge" else "3px"
        style = (
            f"{box}width:16px;height:16px;border-radius:{radius};background:{c};color:#fff;"
            "font:bold 10px/16px sans-serif;text-align:center;box-shadow:0 0 1px #000"
        )
        return f'<span style="{style}">{text(row.char)}</span>'
    if row.kind == "cluster":
        style = (
            f"{box}width:16px;height:16px;border-radius:50%;background:rgba(110,204,57,.7);"
            "font:9px/16px sans-serif;text-align:center"
        )
        return f'<span style="{style}">{text(row.char)}</span>'
    return f'<span style="{box}width:8px;height:8px;border-radius:50%;background:{c}"></span>'


def legend_html(
    sections: Sequence[tuple[str, Sequence[Row | tuple[str, str]]]], *, title: str = ""
) -> str:
    """The legend's HTML: a title, then each section's heading and rows (all text escaped).

    ``(colour, label)`` pairs are taken as ``fill`` rows.
    """
    parts = [f"<b>{text(title)}</b>"] if title else []
    for heading, rows in sections:
        if not rows:
            continue
        if heading:
            parts.append(f'<div style="margin-top:4px;font-weight:bold">{text(heading)}</div>')
        for row in rows:
            item = row if isinstance(row, Row) else Row("fill", row[0], row[1])
            parts.append(f"<div>{_swatch(item)}{text(item.label)}</div>")
    return "".join(parts)


#: a map narrower or lower than this (pixels: width, height) opens with its legend folded,
#: so the legend does not hide the map; the situation map (620 px) opens it
FOLD_BELOW_PX: Final = (640, 540)


class Legend(MacroElement):
    """A collapsible legend box in a map corner (folded on a small map: FOLD_BELOW_PX).

    Parameters
    ----------
    title : str
        Shown on the box's summary line (click to fold it away).
    rows : sequence
        Rows of a single untitled section: :class:`Row` or ``(colour, label)``.
    sections : sequence of (heading, rows), optional
        More sections after ``rows``.
    position : str
        Leaflet corner.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function() {
          var legend = L.control({position: "{{ this.position }}"});
          legend.onAdd = function () {
            var div = L.DomUtil.create("div", "hexpatrol-legend");
            div.style.cssText = "background:rgba(255,255,255,0.94);padding:6px 9px;"
              + "border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);font:11.5px/1.45 sans-serif;"
              + "max-height:62vh;overflow-y:auto;max-width:230px";
            div.innerHTML = {{ this.html_json }};
            var size = {{ this._parent.get_name() }}.getSize();
            if (size.y < {{ this.fold_below[1] }} || size.x < {{ this.fold_below[0] }}) {
              div.querySelector("details").open = false;  // a small map: folded, one click opens
            }
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
          };
          legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}"""
    )

    def __init__(
        self,
        title: str,
        rows: Sequence[Row | tuple[str, str]] = (),
        *,
        sections: Sequence[tuple[str, Sequence[Row | tuple[str, str]]]] = (),
        position: str = "bottomright",
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.position = (
            position if position in ("topleft", "topright", "bottomleft") else ("bottomright")
        )
        self.fold_below = FOLD_BELOW_PX
        body = legend_html([("", rows), *sections])
        html = f"<details open><summary><b>{text(title)}</b></summary>{body}</details>"
        self.html_json = script_json(html)


def score_legend_rows(breaks: list[float], colors: list[str]) -> list[tuple[str, str]]:
    """Rows "low – high" for class limits ``breaks`` (first class starts above 0)."""
    rows = []
    low = 0.0
    for color, high in zip(colors, breaks, strict=True):
        rows.append((color, f"{low:g} – {high:g}"))
        low = high
    return rows
