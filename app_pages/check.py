"""台账检查 — upload a ledger, see accepted and rejected rows with reasons."""

import streamlit as st

from app_pages.common import current_dataset, lang
from geo.errors import LedgerReadError
from geo.export import to_safe_csv
from geo.i18n import t
from geo.ingest import read_ledger

L = lang()
st.title(t("page_check", L))
st.write(t("check_intro", L))
upload = st.file_uploader(
    t("upload", L), type=["csv", "txt", "tsv", "xlsx", "xlsm", "geojson", "json"]
)
c1, c2 = st.columns(2)
crs = c1.selectbox(t("crs", L), ["wgs84", "gcj02", "bd09"])
kind = c2.selectbox(
    t("default_kind", L),
    ["", "case", "tip"],
    format_func=lambda k: t(f"kind_{k}", L) if k else t("kind_none", L),
)
if upload is not None:
    try:
        result = read_ledger(
            upload.getvalue(),
            name=upload.name,
            crs=crs,
            kind=kind or None,
            townships=current_dataset().townships,
        )
    except LedgerReadError as exc:
        st.error(t("read_error", L, msg=exc))
        st.stop()
    m1, m2, m3 = st.columns(3)
    m1.metric(t("rows_read", L), result.n_rows)
    m2.metric(t("rows_accepted", L), result.n_accepted)
    m3.metric(t("rows_rejected", L), result.n_rejected)
    with st.expander(t("header_map", L)):
        st.json(result.header_map)
    if result.n_rejected:
        st.subheader(t("rejects", L))
        table = result.rejects_with_rows()
        reason = "reason_zh" if L == "zh" else "reason"
        st.dataframe(
            table.drop(columns=["reason", "reason_zh"]).assign(**{reason: table[reason]}),
            hide_index=True,
            width="stretch",
        )
        st.download_button(
            t("download_rejects", L),
            to_safe_csv(table),
            file_name=f"rejects_{upload.name}.csv",
            mime="text/csv",
        )
    st.subheader(t("accepted_preview", L))
    st.dataframe(result.events.drop(columns=["plate"]).head(200), hide_index=True)
