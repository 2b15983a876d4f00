"""黑名单 — repeat vehicles and persons, key areas under focused monitoring; map and tables."""

import dataclasses

import streamlit as st
from streamlit_folium import st_folium

from app_pages.common import current_dataset, demo_banner, lang, settings, store, tile_options, user
from app_pages.session import download
from geo.blacklist import BlacklistRules, key_area_watchlist, person_blacklist, vehicle_blacklist
from geo.blacklist_entries import ENTRY_SOURCES, stored_vehicles, with_entries
from geo.errors import ConfigError
from geo.export import to_safe_csv
from geo.i18n import STRINGS, label, present, t
from layers.blacklist import vehicle_layer, watchlist_layer
from layers.situation import shift_points, situation_map

language = lang()
conf = settings()
ds = current_dataset()
me = user()
st.title(t("page_blacklist", language))
demo_banner()
st.caption(t("bl_intro", language))
saved = store().get_option("blacklist_rules", {})
try:
    rules = BlacklistRules(**saved)
except (TypeError, ConfigError):
    rules = BlacklistRules()
with st.expander(t("bl_rules", language), expanded=False):
    with st.form("bl_rules"):
        values = {}
        cols = st.columns(4)
        for i, field in enumerate(dataclasses.fields(BlacklistRules)):
            current = getattr(rules, field.name)
            step = 0.1 if isinstance(current, float) else 1
            values[field.name] = cols[i % 4].number_input(
                t(f"bl_{field.name}", language), value=current, step=step
            )
        save = st.form_submit_button(t("bl_save", language), disabled=not me.can("blacklist_rules"))
    if not me.can("blacklist_rules"):
        st.caption(t("bl_rules_commander", language))
    if save:
        try:
            rules = BlacklistRules(**values)
        except ConfigError as exc:
            st.error(exc.text(language))
        else:
            store().set_option("blacklist_rules", dataclasses.asdict(rules), username=me.username)
            st.success(t("bl_saved", language))

# plates are already masked where the data were read unless the user is a commander
vehicles = vehicle_blacklist(ds.events, rules, mask=False)
added = stored_vehicles(
    store(), township_code=me.scope.township_code, mask=me.scope.mask_plates, events=ds.events
)
vehicles = with_entries(vehicles, added)  # and the vehicles added from the screening
persons = person_blacklist(ds.events, rules, mask=False)
areas = key_area_watchlist(ds.events, ds.key_areas, rules)
c1, c2, c3 = st.columns(3)
c1.metric(t("bl_n_vehicles", language), len(vehicles))
c2.metric(t("bl_n_persons", language), len(persons))
c3.metric(t("bl_n_areas", language), int(areas["flagged"].sum()))
points = vehicles.rename(columns={"last_lat": "lat", "last_lon": "lon"})
if conf.tiles == "amap" and len(points):
    points = shift_points(points)
layers = [
    vehicle_layer(points.rename(columns={"lat": "last_lat", "lon": "last_lon"}), language),
    watchlist_layer(areas, ds.key_areas, language),
]
blacklist_map = situation_map(
    townships=ds.townships,
    cells=None,
    lang=language,
    **tile_options(conf),
    extra=layers,
)
st_folium(blacklist_map, key="bl_map", returned_objects=[], height=520, use_container_width=True)
tabs = st.tabs(
    [t("bl_tab_vehicles", language), t("bl_tab_persons", language), t("bl_tab_areas", language)]
)
towns = dict(zip(ds.townships["code"], ds.townships["name"], strict=True))
sources = {c: t(f"bl_source_{c}", language) for c in ("events", *ENTRY_SOURCES)}
areas = areas.assign(
    reason=areas["reason"].map(
        lambda r: "、".join(label("reason_", x, language) for x in str(r).split("+") if x)
    ),
    growth=areas["growth"].round(1),
)
for tab, table, name in zip(
    tabs, [vehicles, persons, areas], ["vehicles", "persons", "areas"], strict=True
):
    with tab:
        shown = present(
            table,
            language,
            {c: f"bl_col_{c}" for c in table.columns if f"bl_col_{c}" in STRINGS},
            codes={"category": "cat_", "flagged": "bool_"},
            names={"townships": towns, "township_code": towns, "source": sources},
            times=["first_seen", "last_seen"],
        )
        st.dataframe(shown, hide_index=True, width="stretch")
        download(
            t("bl_download", language),
            to_safe_csv(shown),
            f"blacklist_{name}.csv",
            key=f"dl_{name}",
        )
