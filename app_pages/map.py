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
from app_pages.mapview import figures, map_section, map_suspects, risk_table
from app_pages.widgets import map_filters
from geo.i18n import t

language = lang()
ds = current_dataset()
st.title(t("app_title", language))
demo_banner()
filters = map_filters(ds, settings(), language)
with st.spinner(t("computing", language)):  # shown only when it takes a while
    view = map_view(data_key(), filters)
figures(view, language)
hexes = forecast_cells(filters, language) if filters.mode == "forecast" else view.cells  # 下月风险
suspects = map_suspects(filters, ds, language)  # 嫌疑车辆活动, when there are passes
map_section(filters, view, hexes, ds, language, suspects)
risk_table(view, language)
warn_dataset(ds, language)
