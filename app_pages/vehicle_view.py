"""车辆筛查, one vehicle: its checkpoints on the map, its days and hours, its records (UI)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from app_pages import foliummap
from app_pages.common import settings, store, tile_options, user
from app_pages.session import audit
from app_pages.suspects import listed_vehicle_passes
from geo.blacklist_entries import BlacklistEntryError, add_entry
from geo.dataset import Dataset
from geo.i18n import present, t
from geo.screening.core import ScreenResult
from geo.screening.report import suspect_rows
from geo.vehicles import PassFolder, Screening, checkpoint_counts, timeline, vehicle_events
from layers.checkpoints import checkpoint_layer, checkpoint_rows, vehicle_passes_layer
from layers.situation import shift_points, situation_map

#: the list's columns on the page (the export has all of them)
LIST_COLUMNS = (
    "rank",
    "plate",
    "grade",
    "score",
    "reasons",
    "route",
    "known",
    "active_days",
    "route_trips_per_day",
    "km_per_day",
    "last_seen",
)


def suspect_table(result: ScreenResult, lang: str, towns: dict[str, str]) -> pd.DataFrame:
    """The graded list in words: Chinese (or English) headers, grades and reasons as text."""
    rows = result.suspects
    words = suspect_rows(result, lang)
    table = words[list(LIST_COLUMNS)].copy()
    table.columns = [t(f"screen_col_{c}", lang) for c in LIST_COLUMNS]
    sep = "、" if lang == "zh" else ", "
    table[t("vh_col_townships", lang)] = [
        sep.join(towns.get(c, c) for c in str(v).split(",") if c) for v in rows["township_codes"]
    ]
    return table


def vehicle_label(row: pd.Series, lang: str) -> str:
    """How a vehicle reads in the chooser: plate (as the scope shows it), grade, score."""
    grade = t(f"screen_grade_{row['grade']}", lang)
    return t("vh_vehicle_option", lang, plate=row["plate"], grade=grade, score=row["score"])


def log_view(vehicle_id: str, plate: str) -> None:
    """Audit a vehicle's view once per choice (reruns of the same choice are not views)."""
    if st.session_state.get("_vh_viewed") != vehicle_id:
        st.session_state["_vh_viewed"] = vehicle_id
        audit("vehicle_view", {"plate": plate})


def _focus(counts: pd.DataFrame, pad: float = 0.03) -> tuple[float, float, float, float] | None:
    """The box around the checkpoints a vehicle passed (``None`` without any)."""
    if counts.empty:
        return None
    lon, lat = counts["lon"].astype(float), counts["lat"].astype(float)
    return (lon.min() - pad, lat.min() - pad, lon.max() + pad, lat.max() + pad)


def _map(map_key: str, ds: Dataset, found: Screening, counts: pd.DataFrame, lang: str) -> None:
    """The vehicle's checkpoints over all checkpoints (a township: its own), drawn once."""
    cps = found.checkpoints
    township = user().scope.township_code
    if township is not None:
        cps = cps[cps["township_code"] == township]
    if settings().tiles == "amap":  # Amap's tiles are GCJ-02
        cps, counts = shift_points(cps), shift_points(counts)
    options = tile_options(settings())

    def build() -> object:
        return situation_map(
            townships=ds.townships,
            cells=None,
            lang=lang,
            focus=_focus(counts),
            **options,
            extra=[checkpoint_layer(cps, lang), vehicle_passes_layer(counts, lang)],
            legend_title=t("page_vehicles", lang),
            legend_rows=checkpoint_rows(lang),
        )

    payload = foliummap.shared_payload(f"{map_key}|{lang}|vehicle", build)
    foliummap.show(payload, key="vh_map", height=520)
    st.caption(t("vh_map_caption", lang))


def timeline_table(passes: pd.DataFrame, window: tuple[dt.date, dt.date], lang: str) -> Styler:
    """Passes per day (rows, with the weekday) and hour (columns), shaded by count."""
    table = timeline(passes, window)
    days = t("vh_weekday", lang).split()
    table.index = pd.Index([f"{d:%m-%d} {days[d.weekday()]}" for d in table.index])
    table.index.name = t("vh_day", lang)
    table.columns = pd.Index([t("vh_hour", lang, h=h) for h in table.columns])
    return table.style.background_gradient(cmap="Reds", axis=None, vmin=0)


def show_vehicle(
    key: str, folder: PassFolder, found: Screening, vehicle_id: str, ds: Dataset, lang: str
) -> None:
    """Everything about one listed vehicle the user may see."""
    towns = dict(zip(ds.townships["code"], ds.townships["name"], strict=True))
    passes = listed_vehicle_passes(key, folder, vehicle_id)
    counts = checkpoint_counts(passes)
    c1, c2, c3 = st.columns(3)
    c1.metric(t("vh_passes_n", lang), f"{len(passes):,}")
    c2.metric(t("vh_checkpoints_n", lang), len(counts))
    c3.metric(t("vh_days_n", lang), int(pd.to_datetime(passes["time"]).dt.date.nunique()))
    _map(f"{key}|{user().scope!r}|{vehicle_id}", ds, found, counts, lang)
    st.subheader(t("vh_timeline", lang))
    heat = timeline_table(passes, found.result.window, lang)
    hours = {c: st.column_config.NumberColumn(c, width=34) for c in heat.columns}
    st.dataframe(heat, column_config=hours, height=35 * (len(heat.index) + 1) + 3)
    st.subheader(t("vh_checkpoint_table", lang))
    columns = {c: f"vh_col_{c}" for c in ("cp_name", "kind", "n", "first", "last")}
    shown = present(counts, lang, columns, codes={"kind": "cat_"}, times=["first", "last"])
    st.dataframe(shown, hide_index=True, width="stretch")
    st.subheader(t("vh_events", lang))
    events = vehicle_events(ds.events, vehicle_id)
    if events.empty:
        st.caption(t("vh_no_events", lang))
    else:
        columns = {
            "event_id": "vh_col_event_id",
            "kind": "vh_col_event_kind",
            "occurred_at": "vh_col_occurred_at",
            "township_code": "field_township",
            "address": "field_address",
            "offence": "field_offence",
            "status": "field_status",
        }
        table = present(
            events,
            lang,
            columns,
            codes={"kind": "kind_"},
            names={"township_code": towns},
            times=["occurred_at"],
        )
        st.dataframe(table.fillna(""), hide_index=True, width="stretch")


def blacklist_form(plate: str, township_codes: str, lang: str) -> None:
    """加入黑名单 with a note (commanders only), written to the store as source 过车筛查."""
    me = user()
    if not me.can("blacklist_add"):
        st.caption(t("vh_bl_commander", lang))
        return
    with st.form("vh_blacklist", clear_on_submit=True):
        note = st.text_input(t("vh_note", lang), max_chars=500, key="vh_note")
        add = st.form_submit_button(t("vh_blacklist", lang), icon=":material/person_search:")
    if not add:
        return
    try:
        added = add_entry(
            store(),
            plate,
            source="screening",
            username=me.username,
            note=note,
            township_codes=township_codes.split(","),
        )
    except BlacklistEntryError as exc:
        st.error(exc.text(lang))
        return
    st.success(t("vh_added" if added else "vh_already", lang))
