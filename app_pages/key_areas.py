"""重点区域 — add, move, edit and delete key areas (commander only); saved and audited."""

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages.common import current_dataset, lang, settings, store, tile_options, user
from geo.errors import ConfigError
from geo.i18n import change_summary, t
from geo.keyarea_edits import EDIT_COLUMNS, RADIUS_RANGE, editable, save_key_areas
from geo.regions import KEY_AREA_CATEGORIES
from layers.situation import clicked_wgs84, situation_map

language = lang()
me = user()
if not me.can("key_areas"):  # app.py hides the page; this guards a direct call as well
    st.error(t("not_allowed", language))
    st.stop()
conf = settings()
ds = current_dataset()
st.title(t("page_key_areas", language))
st.caption(t("ka_intro", language))
current = editable(ds.key_areas)


def save(table: pd.DataFrame) -> None:
    try:
        summary = save_key_areas(
            store(), table, townships=ds.townships, previous=ds.key_areas, username=me.username
        )
    except ConfigError as exc:
        st.error(exc.text(language))
    else:
        st.session_state["ka_saved"] = summary
        st.rerun()


if "ka_saved" in st.session_state:
    changes = st.session_state.pop("ka_saved")
    if any(changes.values()):
        st.success(t("ka_changes", language, parts=change_summary(changes, language)))
    else:
        st.info(t("ka_saved_nothing", language))
area_map = situation_map(
    townships=ds.townships,
    cells=None,
    key_areas=ds.key_areas,
    lang=language,
    **tile_options(conf),
)
left, right = st.columns([3, 2])
with left:
    clicked = st_folium(area_map, key="ka_map", returned_objects=["last_clicked"], height=480)
with right:
    point = (clicked or {}).get("last_clicked")
    if not point:
        st.info(t("ka_click", language))
    else:
        lat, lon = clicked_wgs84(point, conf.tiles)  # saved in WGS-84 whatever the tiles
        st.write(t("ka_point", language, lat=lat, lon=lon))
        with st.form("ka_add"):
            name = st.text_input(t("ka_name", language))
            category = st.selectbox(
                t("ka_category", language),
                KEY_AREA_CATEGORIES,
                format_func=lambda c: t(f"cat_{c}", language),
            )
            radius = st.number_input(
                t("ka_radius", language), *RADIUS_RANGE, value=300.0, step=50.0
            )
            add = st.form_submit_button(t("ka_add", language), type="primary")
        if add:
            row = {"id": "", "name": name, "category": category, "radius_m": radius}
            save(pd.concat([current, pd.DataFrame([{**row, "lat": lat, "lon": lon}])]))
        target = st.selectbox(
            t("ka_move_pick", language),
            current["id"],
            format_func=dict(zip(current["id"], current["name"], strict=True)).get,
        )
        if st.button(t("ka_move", language)):
            moved = current.copy()
            moved.loc[moved["id"] == target, ["lat", "lon"]] = [lat, lon]
            save(moved)

st.subheader(t("ka_table", language))
words = {
    c: t(f"cat_{c}", language) for c in KEY_AREA_CATEGORIES
}  # the editor shows words, not codes
codes = {w: c for c, w in words.items()}
edited = st.data_editor(
    current.assign(category=current["category"].map(words).fillna(current["category"])),
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    disabled=["id"],
    column_config={
        "id": st.column_config.TextColumn(t("ka_id", language)),
        "category": st.column_config.SelectboxColumn(
            t("ka_category", language), options=list(words.values()), required=True
        ),
        "radius_m": st.column_config.NumberColumn(
            t("ka_radius", language), min_value=RADIUS_RANGE[0], max_value=RADIUS_RANGE[1]
        ),
        "market_days": st.column_config.TextColumn(
            t("ka_market_days", language), help=t("ka_market_days_help", language)
        ),
        **{
            c: t(f"ka_{c}", language)
            for c in ("name", "lat", "lon", "market_hours", "name_en", "note")
        },
    },
    key="ka_editor",
)
if st.button(t("ka_save", language), type="primary"):
    table = edited[list(EDIT_COLUMNS)]
    save(table.assign(category=table["category"].map(codes).fillna(table["category"])))
