"""数据导入 — upload a ledger, preview what it changes, commit it as one batch."""

import hashlib

import streamlit as st

from app_pages.common import all_townships, lang, scope, settings, store, user
from app_pages.session import download
from geo.errors import LedgerReadError
from geo.export import rejects_to_xlsx
from geo.i18n import t
from geo.imports import commit_import, preview_import
from geo.privacy import mask_events

L = lang()
me = user()
st.title(t("page_import", L))
st.write(t("import_intro", L))
if me.scope.township_code:
    st.info(t("import_scope", L, code=me.scope.township_code))
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
if upload is None:
    st.stop()
data = upload.getvalue()
token = (hashlib.sha256(data).hexdigest(), crs, kind, store().revision())
if st.session_state.get("import_token") != token:
    with st.spinner(t("import_reading", L, name=upload.name)):
        try:
            preview = preview_import(
                store(),
                data,
                name=upload.name,
                crs=crs,
                kind=kind or None,
                townships=all_townships(settings(), repr(settings())),
                scope=scope().township_code,
            )
        except LedgerReadError as exc:
            st.error(t("read_error", L, msg=exc))
            st.stop()
    st.session_state["import_preview"] = preview
    st.session_state["import_token"] = token
preview = st.session_state["import_preview"]
counts = preview.counts
cols = st.columns(6)
for col, key in zip(
    cols, ["rows", "new", "changed", "unchanged", "rejected", "flagged"], strict=True
):
    col.metric(t(f"import_n_{key}", L), f"{counts[key]:,}", help=t(f"import_help_{key}", L))
tabs = st.tabs([t("rejects", L), t("import_flags", L), t("accepted_preview", L)])
with tabs[0]:
    table = preview.result.rejects_with_rows()
    if table.empty:
        st.success(t("import_no_rejects", L))
    else:
        reason = "reason_zh" if L == "zh" else "reason"
        st.dataframe(
            table.drop(columns=["reason", "reason_zh"]).assign(**{reason: table[reason]}),
            hide_index=True,
            width="stretch",
        )
        download(
            t("download_rejects_xlsx", L),
            rejects_to_xlsx(table, lang=L),
            f"rejects_{upload.name}.xlsx",
        )
with tabs[1]:
    st.caption(t("import_flags_help", L))
    st.dataframe(preview.flags, hide_index=True, width="stretch")
with tabs[2]:
    shown = preview.new.drop(columns=["content_hash"], errors="ignore")
    st.dataframe(mask_events(shown).head(200), hide_index=True, width="stretch")
with st.expander(t("header_map", L)):
    st.json(preview.result.header_map)

if counts["new"] + counts["changed"] == 0 and counts["rejected"] == 0:
    st.info(t("import_nothing", L))
    st.stop()
if st.button(t("import_commit", L), type="primary"):
    bar = st.progress(0.0, text=t("import_writing", L))
    batch = commit_import(
        store(),
        preview,
        username=me.username,
        progress=lambda done, total: bar.progress(
            done / total if total else 1.0, text=t("import_progress", L, done=done, total=total)
        ),
    )
    bar.empty()
    st.session_state.pop("import_token", None)
    st.success(t("import_done", L, batch=batch))
