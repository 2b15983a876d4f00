"""态势地图 — hexagon hotspot map with filters."""

import streamlit as st
from streamlit_folium import st_folium

from app_pages.common import current_dataset, demo_banner, lang, settings
from geo.i18n import t
from geo.views import hex_cells, summary_counts
from layers.situation import situation_map

L = lang()
s = settings()
ds = current_dataset()
st.title(t("app_title", L))
demo_banner()

names = dict(zip(ds.townships["code"], ds.townships["name"], strict=True))
first, last = ds.events["occurred_at"].min().date(), ds.events["occurred_at"].max().date()
with st.sidebar:
    st.header(t("filters", L))
    period = st.date_input(t("date_range", L), value=(first, last), min_value=first, max_value=last)
    kinds = st.multiselect(
        t("kinds", L),
        ["case", "tip"],
        default=["case", "tip"],
        format_func=lambda k: t(f"kind_{k}", L),
        placeholder=t("choose", L),
    )
    towns = st.multiselect(
        t("townships", L), list(names), format_func=names.__getitem__, placeholder=t("choose", L)
    )
    res = st.select_slider(
        t("resolution", L), options=[7, 8, 9, 10], value=s.h3_resolution, help=t("res_help", L)
    )
    show_points = st.checkbox(t("show_incidents", L), value=False)

start, end = (period[0], period[-1]) if isinstance(period, tuple) and period else (first, last)
weights = (s.case_weight, s.tip_weight)
events, cells = hex_cells(
    ds, res=res, start=start, end=end, kinds=kinds, township_codes=towns, weights=weights
)
counts = summary_counts(events, cells)
cols = st.columns(4)
for col, key, label in zip(
    cols,
    ["events", "cases", "tips", "cells"],
    ["m_events", "m_cases", "m_tips", "m_cells"],
    strict=True,
):
    col.metric(t(label, L), f"{counts[key]:,}")
if events.empty:
    st.info(t("no_events", L))

shown = ds.townships[ds.townships["code"].isin(towns)] if towns else ds.townships
m = situation_map(
    townships=shown,
    cells=cells,
    key_areas=ds.key_areas,
    routes=ds.routes,
    events=events if show_points else None,
    lang=L,
    weights=weights,
    tiles=s.tiles,
    tile_url=s.tile_url,
    tile_attribution=s.tile_attribution,
)
st_folium(m, key="situation_map", returned_objects=[], height=620, use_container_width=True)

st.subheader(t("top_cells", L))
top = cells.drop(columns="geometry").head(15)
st.dataframe(
    top.rename(columns={c: t(f"col_{c}", L) for c in top.columns if c != "township_code"}),
    hide_index=True,
    width="stretch",
)
if not ds.rejects.empty:
    with st.expander(t("load_rejects_note", L, n=ds.rejects["row"].nunique())):
        st.dataframe(ds.rejects, hide_index=True)
