"""Incidents as a clustered point layer (cases red, tips blue); no personal fields."""

from __future__ import annotations

import folium
import pandas as pd
from folium.plugins import FastMarkerCluster

from geo.i18n import t
from layers.safe import script_json, text
from layers.style import KIND_COLORS

_CALLBACK = """
function (row) {
  var colors = %s;
  var m = L.circleMarker(new L.LatLng(row[0], row[1]),
      {radius: 4, color: colors[row[2]], weight: 1, fillOpacity: 0.8});
  m.bindTooltip(row[3]);
  return m;
}
"""


def incident_layer(
    events: pd.DataFrame, *, lang: str = "zh", max_points: int = 30_000
) -> folium.FeatureGroup:
    """FeatureGroup with a fast marker cluster of at most ``max_points`` events.

    Only position, kind and time are sent to the browser: never plates or tipster fields.
    """
    group = folium.FeatureGroup(name=t("layer_incidents", lang), show=True)
    shown = events.nlargest(max_points, "occurred_at") if len(events) > max_points else events
    if shown.empty:
        return group
    labels = {"case": t("kind_case", lang), "tip": t("kind_tip", lang)}
    when = shown["occurred_at"].dt.strftime("%Y-%m-%d %H:%M")
    data = [
        [round(lat, 6), round(lon, 6), kind, text(f"{labels.get(kind, kind)} {w}")]
        for lat, lon, kind, w in zip(shown["lat"], shown["lon"], shown["kind"], when, strict=True)
    ]
    FastMarkerCluster(
        data,
        callback=_CALLBACK % script_json(KIND_COLORS),
        options={"disableClusteringAtZoom": 16, "chunkedLoading": True},
    ).add_to(group)
    return group
