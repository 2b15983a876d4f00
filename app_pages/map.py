"""态势地图 — hotspots (Gi* classes, counts or next month's risk), trends, key-area risk."""

import streamlit as st

from app_pages.common import (
    current_dataset,
    data_key,
    demo_banner,
    forecast_cells,
    lang,
    map_view,
    settings,
    warn_dataset,
)
from app_pages.mapview import figures, map_section, risk_table
from app_pages.widgets import map_filters
from geo.i18n import t

L = lang()
ds = current_dataset()
st.title(t("app_title", L))
demo_banner()
f = map_filters(ds, settings(), L)
with st.spinner(t("computing", L)):  # shown only when it takes a while
    view = map_view(data_key(), f)
figures(view, L)
hexes = forecast_cells(f, L) if f.mode == "forecast" else view.cells  # 下月风险
map_section(f, view, hexes, ds, L)
risk_table(view, L)
warn_dataset(ds, L)
