"""热点排行 — the top hotspot cells by place; choosing one zooms the map there (UI only)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.hotspots import GI_CLASSES, TREND_CATEGORIES
from geo.i18n import pick, t
from geo.places import place_text
from layers.basemap import fit_zoom

#: the zoom a chosen hotspot is shown at, by H3 resolution: the cell and its neighbours
FOCUS_ZOOM = {7: 12.5, 8: 14.0, 9: 15.0, 10: 16.0}


def home_view(townships: gpd.GeoDataFrame) -> tuple[list[float], float]:
    """Centre and zoom that show all of ``townships`` (the map's view without a choice)."""
    minx, miny, maxx, maxy = townships.total_bounds
    return [(miny + maxy) / 2, (minx + maxx) / 2], fit_zoom((minx, miny, maxx, maxy))


def _reset() -> None:
    st.session_state["hotspot_pick"] = None


def hotspot_list(
    ranking: pd.DataFrame, lang: str, *, res: int = 8
) -> tuple[list[float], float] | None:
    """Draw the ranked list (:func:`geo.places.hotspot_ranking`); the (centre, zoom) of the
    chosen hotspot, or None for all."""
    st.subheader(t("hot_list", lang), help=t("hot_list_help", lang))
    if ranking.empty:
        st.caption(t("hot_list_empty", lang))
        return None
    rows = {r.h3_cell: r for r in ranking.itertuples()}
    names = {
        c: f"{r.rank}. {place_text(r.township, r.place, r.place_m, lang)}" for c, r in rows.items()
    }
    captions = [
        t(
            "hot_list_caption",
            lang,
            n=r.n,
            cls=pick(GI_CLASSES.get(r.gi_class), lang) or r.gi_class,
            trend=pick(TREND_CATEGORIES.get(r.trend, ("—", "—")), lang),
        )
        for r in rows.values()
    ]
    picked = st.radio(
        t("hot_list", lang),
        list(rows),
        index=None,
        format_func=names.__getitem__,
        captions=captions,
        key="hotspot_pick",
        label_visibility="collapsed",
    )
    if picked is None or picked not in rows:
        return None
    st.button(t("hot_list_reset", lang), on_click=_reset)
    row = rows[picked]
    return [float(row.lat), float(row.lon)], FOCUS_ZOOM.get(res, 14.0)
