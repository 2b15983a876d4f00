"""月度通报 — compose the monthly hotspot briefing, preview it, download DOCX/PDF/PNG."""

import streamlit as st

from app_pages.common import (
    briefing_documents_later,
    briefing_view,
    current_dataset,
    data_key,
    demo_banner,
    lang,
    settings,
    user,
    warn_print_tools,
)
from app_pages.session import audit, download
from app_pages.suspects import briefing_screens
from geo.briefing import sections
from geo.errors import HexpatrolError
from geo.fonts import soffice
from geo.i18n import t

language = lang()
conf = settings()
ds = current_dataset()
st.title(t("page_brief", language))
demo_banner()
warn_print_tools(conf, language)
if ds.events.empty:
    st.info(t("no_events", language))
    st.stop()
months = sorted(ds.events["occurred_at"].dt.strftime("%Y-%m").unique(), reverse=True)
names = dict(zip(ds.townships["code"], ds.townships["name"], strict=True))
c1, c2 = st.columns(2)
month = c1.selectbox(t("brief_month", language), months, key="brief_month")
# a township account's data set holds its own township only, so "county" is not offered
options = [*names] if user().scope.township_code else ["", *names]
scope = c2.selectbox(
    t("brief_scope", language),
    options,
    format_func=lambda c: names.get(c, t("brief_county", language)),
)
pressed = st.button(t("brief_make", language), type="primary", key="brief_make")
if not pressed and st.session_state.get("brief") != (month, scope):
    st.stop()
st.session_state["brief"] = (month, scope)
try:  # the section on suspect vehicles, when there are checkpoint passes
    screens_key, screens = briefing_screens(month)
except (HexpatrolError, OSError, ValueError) as exc:
    message = exc.text(language) if isinstance(exc, HexpatrolError) else str(exc)
    st.warning(t("brief_no_screening", language, msg=message))
    screens_key, screens = "", None
key = (data_key(), month, scope, screens_key)
with st.spinner(t("brief_make", language)):
    briefing, tables = briefing_view(*key[:2], scope or None, screens_key, screens)
text, png = briefing.text, briefing.map_png
docx, pdf = briefing_documents_later(briefing, key)  # written only when downloaded
if st.session_state.get("brief_logged") != (month, scope):
    audit("briefing", {"month": month, "scope": scope or ""})  # "": the whole county
    st.session_state["brief_logged"] = (month, scope)
stem = f"briefing_{month}_{scope or 'county'}"
d1, d2, d3 = st.columns(3)
with d1:
    download(t("brief_docx", language), docx, f"{stem}.docx")
if soffice():
    with d2:
        download(t("brief_pdf", language), pdf, f"{stem}.pdf")
else:
    d2.caption(t("brief_no_pdf", language))
with d3:
    download(t("brief_png", language), lambda: png, f"{stem}.png")
st.subheader(t("brief_preview", language))
if t("brief_chinese", language):
    st.caption(t("brief_chinese", language))
with st.container(key="brief_document"):  # the document's own words: Chinese in any mode
    for key, heading in sections(text):
        st.markdown(f"**{heading}**")
        for sentence in text.get(key, []):
            st.write(sentence)
        if key == "hotspots":
            st.image(png, width=640)
        for lead, table in tables.get(key, []):  # as in the DOCX
            if lead:
                st.write(lead)
            st.dataframe(table, hide_index=True)
