"""One escaping rule for every string that reaches the map's HTML or JavaScript.

Record values (plates, names, addresses, key-area names typed by users) end up in three
places of a generated map page:

* **HTML fragments** (tooltips, badges, labels, legends) — escape them with :func:`text`;
* **JavaScript** — never spliced into source text: passed as JSON with :func:`script_json`,
  which also escapes ``<``, ``>`` and ``&`` so no value can close the ``<script>`` element;
* **GeoJSON properties** shown by a tooltip — folium's ``GeoJsonTooltip`` writes them into
  ``innerHTML`` as they are, so frames go through :func:`escape_columns` first.

folium's own :class:`folium.Tooltip` puts its text into a JavaScript template literal, where a
backtick or ``${…}`` in the data would run as code; :class:`Tooltip` passes it as JSON instead.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from typing import Any

import folium
import pandas as pd
from folium.template import Template

__all__ = ["Tooltip", "escape_columns", "script_json", "text"]

_SCRIPT_UNSAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def text(value: object) -> str:
    """``value`` as HTML text: ``<>&"'`` escaped; ``None``/NaN as an empty string.

    Parameters
    ----------
    value : object
        Anything; it is turned into ``str`` first.

    Returns
    -------
    str
        Safe to place between HTML tags or inside a quoted attribute.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return html.escape(str(value), quote=True)


def script_json(value: Any) -> str:
    r"""``value`` as a JSON literal that is safe inside a ``<script>`` element.

    Parameters
    ----------
    value : object
        Anything :func:`json.dumps` takes.

    Returns
    -------
    str
        JSON where ``<``, ``>``, ``&`` and the JavaScript line separators are ``\u`` escapes.
    """
    return json.dumps(value, ensure_ascii=False).translate(_SCRIPT_UNSAFE)


def escape_columns(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells in ``columns`` (default: all) are HTML-escaped.

    Numbers stay numbers (tooltips format them); only ``str`` values change.
    """
    out = frame.copy()
    for col in columns if columns is not None else frame.columns:
        if col not in out.columns or col == "geometry":
            continue
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: text(v) if isinstance(v, str) else v)
    return out


class Tooltip(folium.Tooltip):
    """A tooltip whose HTML reaches the page as a JSON string, never as source text.

    Parameters
    ----------
    html_text : str
        The tooltip's HTML, built from :func:`text`-escaped parts.
    **kwargs
        As :class:`folium.Tooltip` (``sticky``, Leaflet tooltip options).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindTooltip(
                {{ this.html_json }},
                {{ this.options|tojavascript }}
            );
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, **kwargs: Any) -> None:
        super().__init__(html_text, **kwargs)
        self.html_json = script_json(f"<div>{html_text}</div>")
