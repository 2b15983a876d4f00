"""态势地图 — hotspot map: Gi* classes or counts, trends, key-area risk, cell series."""

import h3
import streamlit as st
from streamlit_folium import st_folium

from app_pages.common import (
    current_dataset,
    data_key,
    demo_banner,
    forecast_cells,
    lang,
    map_view,
    settings,
    tile_options,
    warn_dataset,
)
from app_pages.hotlist import home_view, hotspot_list
from app_pages.widgets import map_filters
from geo.i18n import t
from geo.views import summary_counts
from layers.deck import deck_legend, deck_map
from layers.legend import legend_html
from layers.situation import clicked_wgs84, situation_map

L = lang()
s = settings()
ds = current_dataset()
st.title(t("app_title", L))
demo_banner()
f = map_filters(ds, s, L)
with st.spinner(t("computing", L)):
    view = map_view(data_key(), f, L)

counts = summary_counts(view.events, view.cells)
hot = int(view.cells["gi_class"].str.startswith("hot").sum())
cols = st.columns(5)
for col, label, value in zip(
    cols,
    ["m_events", "m_cases", "m_tips", "m_cells", "m_hot"],
    [counts["events"], counts["cases"], counts["tips"], counts["cells"], hot],
    strict=True,
):
    col.metric(t(label, L), f"{value:,}")
if view.events.empty:
    st.info(t("no_events", L))

hexes = forecast_cells(f, L) if f.mode == "forecast" else view.cells  # 下月风险
shown = ds.townships[ds.townships["code"].isin(f.towns)] if f.towns else ds.townships
areas = ds.key_areas[ds.key_areas["township_code"].isin(f.towns)] if f.towns else ds.key_areas
clicked = None
map_col, list_col = st.columns([4, 1])
with list_col:
    focus = hotspot_list(view.cells, ds, L, res=f.res) or home_view(shown)
with map_col:
    if len(hexes) > s.deck_threshold:  # city scale: deck.gl draws many hexagons lightly
        st.caption(t("deck_note", L, n=len(hexes)))
        st.pydeck_chart(
            deck_map(hexes, shown, mode=f.mode, key_areas=areas, lang=L, focus=focus),
            height=620,
        )
        st.html(legend_html(deck_legend(hexes, mode=f.mode, key_areas=areas, lang=L)))
    else:
        m = situation_map(
            townships=shown,
            cells=hexes,
            key_areas=areas,
            routes=ds.routes,
            events=view.events if f.show_points else None,
            lang=L,
            mode=f.mode,
            show_trends=f.show_trends and f.mode != "forecast",
            weights=f.weights,
            **tile_options(s),
        )
        clicked = st_folium(
            m,
            key="situation_map",
            center=focus[0],
            zoom=focus[1],
            returned_objects=["last_clicked"],
            height=620,
            use_container_width=True,
        )

left, right = st.columns([3, 2])
with left:
    st.subheader(t("risk_table", L), help=t("risk_help", L))
    risk = view.risk.assign(category=view.risk["category"].map(lambda c: t(f"cat_{c}", L)))
    st.dataframe(
        risk[["name", "category", "level_label", "reasons"]].rename(
            columns={c: t(f"col_{c}", L) for c in ["name", "category", "level_label", "reasons"]}
        ),
        hide_index=True,
        width="stretch",
    )
with right:
    point = (clicked or {}).get("last_clicked")
    if not point:
        st.caption(t("click_hint", L))
    else:
        cell = h3.latlng_to_cell(*clicked_wgs84(point, s.tiles), f.res)
        series = view.series[view.series["h3_cell"] == cell].set_index("period")
        st.subheader(t("cell_series", L, cell=cell))
        st.bar_chart(series["n"].rename(t("series_n", L)), height=180)
        st.line_chart(series["gi_z"].rename(t("series_z", L)), height=180)
warn_dataset(ds, L)
