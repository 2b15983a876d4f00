"""The parts of the situation map page: figures, the map with its list, a hexagon's months.

The map keeps the view the user left it in: across filter changes that keep the same area,
and across the other pages (the view lives in the session). Panning and clicking rerun only
the map's fragment, and the map itself is rendered once per choice of filters for every
session (:mod:`app_pages.foliummap`).
"""

from __future__ import annotations

import geopandas as gpd
import h3
import pandas as pd
import streamlit as st

from app_pages import foliummap
from app_pages.common import data_key, hot_ranking, settings, tile_options, user
from app_pages.hotlist import home_view, hotspot_list
from app_pages.suspects import suspect_cells
from app_pages.widgets import MapFilters
from geo.dataset import Dataset
from geo.errors import HexpatrolError
from geo.export import PlanPackage
from geo.i18n import label, present, risk_reasons, t
from geo.places import place_text
from geo.planprint import plan_extent
from geo.views import HotspotView, summary_counts
from layers.deck import deck_legend, deck_map
from layers.legend import legend_html
from layers.situation import clicked_wgs84, situation_map

MAP_HEIGHT = 620

#: suspect activity for the map: the screen's key (part of the map's cache key) and cells
Suspects = tuple[str, pd.DataFrame] | None


def figures(view: HotspotView, lang: str) -> None:
    """Headline numbers that cannot contradict each other."""
    counts = summary_counts(view.events, view.cells)
    hot = view.cells["gi_class"].astype(str).str.startswith("hot")
    lonely = int((hot & (view.cells["n"] == 0)).sum())
    values = [counts["events"], counts["cases"], counts["tips"], counts["cells"], int(hot.sum())]
    keys = ["m_events", "m_cases", "m_tips", "m_cells", "m_hot"]
    for col, key, value in zip(st.columns(5), keys, values, strict=True):
        col.metric(t(key, lang), f"{value:,}", help=t(f"{key}_help", lang))
    if lonely:
        st.caption(t("m_hot_lonely", lang, n=lonely))
    if view.events.empty:
        st.info(t("no_events", lang))


def _kept_view(area: tuple[str, ...], home: tuple[list[float], float]) -> dict[str, object]:
    """The view to open the map at: the user's last one over the same area, else all of it."""
    kept = st.session_state.get("map_view")
    if not isinstance(kept, dict) or kept.get("area") != list(area):
        kept = {"area": list(area), "center": home[0], "zoom": home[1], "pick": None}
        st.session_state["map_view"] = kept
    return kept


def _follow(kept: dict[str, object], out: dict[str, object] | None) -> None:
    """Keep where the user panned and zoomed to (in this session only)."""
    centre, zoom = (out or {}).get("center"), (out or {}).get("zoom")
    if isinstance(centre, dict) and isinstance(zoom, int | float):
        kept["center"] = [float(centre["lat"]), float(centre["lng"])]
        kept["zoom"] = float(zoom)


def _chosen_places(ds: Dataset, towns: tuple[str, ...]) -> tuple[gpd.GeoDataFrame, ...]:
    """The chosen townships and their key areas (every one when none is chosen)."""
    if not towns:
        return ds.townships, ds.key_areas
    in_towns = ds.key_areas["township_code"].isin(towns)
    return ds.townships[ds.townships["code"].isin(towns)], ds.key_areas[in_towns]


def map_suspects(filters: MapFilters, ds: Dataset, lang: str) -> Suspects:
    """Suspect activity for the map's period, resolution and townships, with a caption.

    ``None`` (and no word) without a pass folder; a caption when the passes cannot be
    screened or nothing is left, so the map is never held up by them.
    """
    try:
        found = suspect_cells(filters.res, filters.periods, towns=filters.towns)
    except (HexpatrolError, OSError, ValueError) as exc:
        message = exc.text(lang) if isinstance(exc, HexpatrolError) else str(exc)
        st.caption(t("sa_failed", lang, msg=message))
        return None
    if found is None:
        return None
    key, (first, last), cells = found
    words = "、".join(t(f"period_{p}", lang) for p in filters.periods)
    period = words or t("sa_all_periods", lang)
    if cells.empty:
        st.caption(t("sa_none", lang, first=first, last=last))
        return None
    st.caption(t("sa_caption", lang, first=first, last=last, period=period, n=len(cells)))
    return suspect_layer(key, cells, ds)


def suspect_layer(key: str, cells: pd.DataFrame, ds: Dataset) -> Suspects:
    """The layer's data: the screen's key and the cells with their townships' names."""
    names = dict(zip(ds.townships["code"], ds.townships["name"], strict=True))
    return key, cells.assign(township=cells["township_code"].map(names).fillna(""))


def _situation(
    filters: MapFilters,
    view: HotspotView,
    hexes: gpd.GeoDataFrame,
    ds: Dataset,
    lang: str,
    suspects: Suspects = None,
) -> foliummap.Payload:
    """The situation map for these filters, rendered once for every session."""
    options = tile_options(settings())
    return situation_payload(data_key(), filters, view, hexes, ds, lang, options, suspects)


def situation_payload(
    key: str,
    filters: MapFilters,
    view: HotspotView,
    hexes: gpd.GeoDataFrame,
    ds: Dataset,
    lang: str,
    options: dict[str, object],
    suspects: Suspects = None,
) -> foliummap.Payload:
    """The situation map of data ``key`` for these filters (see :func:`_situation`)."""
    shown, areas = _chosen_places(ds, filters.towns)

    def build() -> object:
        return situation_map(
            townships=shown,
            cells=hexes,
            key_areas=areas,
            routes=ds.routes,
            events=view.events if filters.show_points else None,
            lang=lang,
            mode=filters.mode,
            show_trends=filters.show_trends and filters.mode != "forecast",
            weights=filters.weights,
            suspects=suspects[1] if suspects is not None else None,
            **options,
        )

    screen = suspects[0] if suspects is not None else "-"
    return foliummap.shared_payload(f"{key}|{filters!r}|{lang}|{screen}|situation", build)


def plan_payload(
    key: str, made: PlanPackage, ds: Dataset, lang: str, options: dict[str, object]
) -> foliummap.Payload:
    """The map of plan ``made``: its numbered posts and their reach over the period's Gi*
    hexagons (and the suspects' activity it blended in), once per data ``key``, request and
    language for everyone (``options``: :func:`app_pages.common.tile_options`)."""
    request, printed = made.request, made.printed

    def build() -> object:
        return situation_map(
            townships=ds.townships,
            cells=made.result.cells,
            key_areas=ds.key_areas,
            routes=ds.routes,
            lang=lang,
            mode="gi",
            posts=printed.posts.rename(columns={"post_no": "post"}),
            post_radius_m=request.radius_m,
            focus=plan_extent(printed.posts, request.radius_m) if len(printed.posts) else None,
            suspects=made.activity,  # what the weight blended in, if any
            **options,
        )

    return foliummap.shared_payload(f"{key}|{request!r}|{lang}|plan", build)


def _deck(
    filters: MapFilters, hexes: gpd.GeoDataFrame, ds: Dataset, lang: str, focus: object
) -> None:
    """Many hexagons (a city at fine resolution): deck.gl draws them lightly."""
    shown, areas = _chosen_places(ds, filters.towns)
    st.caption(t("deck_note", lang, n=len(hexes)))
    deck = deck_map(hexes, shown, mode=filters.mode, key_areas=areas, lang=lang, focus=focus)
    st.pydeck_chart(deck, height=MAP_HEIGHT)
    st.html(legend_html(deck_legend(hexes, mode=filters.mode, key_areas=areas, lang=lang)))


@st.fragment
def map_section(
    filters: MapFilters,
    view: HotspotView,
    hexes: gpd.GeoDataFrame,
    ds: Dataset,
    lang: str,
    suspects: Suspects = None,
) -> None:
    """The hotspot list, the map and the chosen hexagon's months (rerun on their own)."""
    shown = (
        ds.townships[ds.townships["code"].isin(filters.towns)] if filters.towns else ds.townships
    )
    kept = _kept_view(filters.towns, home_view(shown))
    map_col, list_col = st.columns([4, 1])
    with list_col:
        focus = hotspot_list(hot_ranking(data_key(), filters), lang, res=filters.res)
    picked = st.session_state.get("hotspot_pick")
    if focus is not None and picked != kept.get("pick"):  # a new choice: go there once
        kept["center"], kept["zoom"] = focus
    kept["pick"] = picked
    out = None
    with map_col:
        if len(hexes) > settings().deck_threshold:
            if suspects is not None:
                st.caption(t("sa_deck", lang))
            _deck(filters, hexes, ds, lang, (kept["center"], kept["zoom"]))
        else:
            out = foliummap.show(
                _situation(filters, view, hexes, ds, lang, suspects),
                key="situation_map",
                height=MAP_HEIGHT,
                center=kept["center"],  # type: ignore[arg-type]
                zoom=kept["zoom"],  # type: ignore[arg-type]
                returned_objects=["last_clicked", "center", "zoom"],
            )
            _follow(kept, out)
    cell_detail(view, (out or {}).get("last_clicked"), filters.res, lang)


def cell_detail(view: HotspotView, point: object, res: int, lang: str) -> None:
    """A clicked hexagon: where it is, its events month by month and its Gi* z."""
    if not isinstance(point, dict):
        st.caption(t("click_hint", lang))
        return
    cell = h3.latlng_to_cell(*clicked_wgs84(point, settings().tiles), res)
    row = view.cells[view.cells["h3_cell"] == cell]
    if row.empty:
        st.info(t("cell_empty", lang))
        return
    r = row.iloc[0]
    place, metres = str(r.get("nearest_key_area") or ""), float(r.get("key_area_m", "nan"))
    where = place_text(str(r.get("township", "")), place, metres, lang)
    st.subheader(t("cell_series", lang, place=where))
    series = view.series[view.series["h3_cell"] == cell].set_index("period")
    c1, c2 = st.columns(2)
    month, events, z = t("axis_month", lang), t("series_n", lang), t("series_z", lang)
    c1.bar_chart(series["n"].rename(events), height=200, x_label=month, y_label=events)
    c2.line_chart(series["gi_z"].round(2).rename(z), height=200, x_label=month, y_label=z)
    if user().role in ("commander", "analyst"):
        with st.expander(t("cell_details", lang)):
            st.caption(t("cell_id", lang, cell=cell))


def risk_table(view: HotspotView, lang: str) -> None:
    """Key areas by risk level, with the evidence in words."""
    st.subheader(t("risk_table", lang), help=t("risk_help", lang))
    risk = view.risk
    if risk.empty:
        st.caption(t("risk_none", lang))
        return
    risk = risk.assign(
        level_label=risk["level"].map(lambda v: label("risk_", v, lang)),
        reasons=[risk_reasons(r, lang) for r in risk.to_dict("records")],
    )
    columns = {c: f"col_{c}" for c in ("name", "category", "level_label", "reasons")}
    shown = present(risk, lang, columns, codes={"category": "cat_"})
    st.dataframe(shown, hide_index=True, width="stretch")
