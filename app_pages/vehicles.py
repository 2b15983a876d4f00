"""车辆筛查 — graded suspects from the checkpoint passes; one vehicle's map, days and records."""

from dataclasses import replace

import streamlit as st

from app_pages.common import (
    all_townships,
    current_dataset,
    demo_banner,
    lang,
    scope,
    settings,
)
from app_pages.session import audit, download
from app_pages.suspects import pass_folder, screening, screening_xlsx
from app_pages.vehicle_view import (
    blacklist_form,
    log_view,
    show_vehicle,
    suspect_table,
    vehicle_label,
)
from geo.errors import HexpatrolError
from geo.i18n import t
from geo.vehicles import LISTED_GRADES, grade_counts, listed_plate, only_grades, scoped_result

language = lang()
st.title(t("page_vehicles", language))
demo_banner()
st.caption(t("vh_intro", language))
ds = current_dataset()  # also seeds a new store, whose cases make the known plates
folder = pass_folder()
if folder is None:
    st.info(t("vh_no_passes", language, dir=settings().data_dir))
    st.stop()
try:
    key, found = screening(folder)
except (HexpatrolError, OSError, ValueError) as exc:
    message = exc.text(language) if isinstance(exc, HexpatrolError) else str(exc)
    st.error(t("vh_failed", language, msg=message))
    st.stop()
mine = scope()
result = scoped_result(found, mine)
rows, (first, last) = result.suspects, result.window
if st.session_state.get("_vh_screen") != key:  # each user's look at a new screen is audited
    st.session_state["_vh_screen"] = key
    audit("screen", {"first": str(first), "last": str(last), "listed": len(rows)})
scorer = t(f"screen_scorer_{result.scorer}", language)
read, used = f"{result.counts['rows_in']:,}", f"{result.counts.get('used', 0):,}"
days = (last - first).days + 1
st.caption(
    t("vh_window", language, first=first, last=last, days=days, rows=read, used=used, scorer=scorer)
)
if mine.township_code is not None:
    st.caption(t("vh_township_note", language))
counts = grade_counts(rows)
cols = st.columns(4)
cols[0].metric(t("vh_listed", language), f"{len(rows):,}")
for col, grade in zip(cols[1:], LISTED_GRADES, strict=True):
    col.metric(t(f"screen_grade_{grade}", language), f"{counts[grade]:,}")
if rows.empty:
    st.info(t("vh_none_township" if mine.township_code else "vh_none", language))
    st.stop()
chosen = st.multiselect(
    t("vh_grades", language),
    LISTED_GRADES,
    default=list(LISTED_GRADES),
    format_func=lambda g: t(f"screen_grade_{g}", language),
    key="vh_grades",
)
shown = only_grades(rows, chosen).reset_index(drop=True)
if shown.empty:
    st.info(t("vh_none", language))
    st.stop()
every = all_townships(settings(), repr(settings()))  # names of the towns a vehicle passed
towns = dict(zip(every["code"], every["name"], strict=True))
st.dataframe(suspect_table(replace(result, suspects=shown), language, towns), hide_index=True)
grades = tuple(g for g in LISTED_GRADES if g in (chosen or LISTED_GRADES))
workbook = screening_xlsx(key, folder, grades, language)
download(t("vh_download", language), workbook, "vehicle_screening.xlsx")
by_id = shown.set_index("vehicle_id")
vehicle = st.selectbox(
    t("vh_vehicle", language),
    list(by_id.index),
    format_func=lambda v: vehicle_label(by_id.loc[v], language),
    key="vh_vehicle",
)
plate = listed_plate(found, mine, vehicle)
log_view(vehicle, plate)
show_vehicle(key, folder, found, vehicle, ds, language)
blacklist_form(plate, str(by_id.loc[vehicle, "township_codes"]), language)
