"""数据导入 — upload a ledger, preview what it changes, commit it as one batch."""

import hashlib

import streamlit as st

from app_pages.common import all_townships, lang, scope, settings, store, user
from app_pages.session import download
from app_pages.tables import event_table, flag_table, header_table, reject_table
from geo.errors import LedgerReadError
from geo.export import rejects_to_xlsx
from geo.i18n import t
from geo.imports import ImportPreview, commit_import, preview_import

L = lang()
me = user()
towns = all_townships(settings(), repr(settings()))
names = dict(zip(towns["code"], towns["name"], strict=True))
st.title(t("page_import", L))
st.write(t("import_intro", L))
if me.scope.township_code:
    st.info(t("import_scope_name", L, name=names.get(me.scope.township_code, "")))
upload = st.file_uploader(
    t("upload", L), type=["csv", "txt", "tsv", "xlsx", "xlsm", "geojson", "json"]
)
c1, c2 = st.columns(2)
crs = c1.selectbox(t("crs", L), ["wgs84", "gcj02", "bd09"], format_func=lambda c: t(f"crs_{c}", L))
kind = c2.selectbox(
    t("default_kind", L),
    ["", "case", "tip"],
    format_func=lambda k: t(f"kind_{k}", L) if k else t("kind_guess", L),
)
if upload is None:
    st.stop()
data = upload.getvalue()
token = (upload.file_id, hashlib.sha256(data).hexdigest(), crs, kind)  # a new upload: a new id
done = st.session_state.get("import_done")
if done and done[0] == token:  # committed: no second batch from a second click or a rerun
    st.success(t("import_done", L, batch=done[1]))
    st.info(t("import_committed_already", L, batch=done[1]))
    st.stop()
if st.session_state.get("import_token") != (token, store().revision()):
    with st.spinner(t("import_reading", L, name=upload.name)):
        try:
            preview = preview_import(
                store(),
                data,
                name=upload.name,
                crs=crs,
                kind=kind or None,
                townships=towns,
                scope=scope().township_code,
            )
        except LedgerReadError as exc:
            st.error(t("read_error", L, msg=exc.text(L)))
            st.stop()
    st.session_state["import_preview"] = preview
    st.session_state["import_token"] = (token, store().revision())
preview: ImportPreview = st.session_state["import_preview"]
counts = preview.counts
if preview.result.kind_guess:
    guessed = t(f"kind_{preview.result.kind_guess}", L)
    st.info(t("kind_guessed", L, kind=guessed))
for en, zh in preview.result.notes:
    st.warning(zh if L == "zh" else en)
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
        st.dataframe(reject_table(table, L), hide_index=True, width="stretch")
        download(
            t("download_rejects_xlsx", L),
            rejects_to_xlsx(table, lang=L),
            f"rejects_{upload.name}.xlsx",
        )
with tabs[1]:
    st.caption(t("import_flags_help", L))
    st.dataframe(flag_table(preview.flags, L), hide_index=True, width="stretch")
with tabs[2]:
    st.dataframe(event_table(preview.new.head(200), L, names), hide_index=True, width="stretch")
with st.expander(t("header_map", L)):
    st.dataframe(header_table(preview, L), hide_index=True)

if counts["rows"] == 0:
    st.info(t("import_rows_none", L))
    st.stop()
if counts["new"] + counts["changed"] == 0 and counts["rejected"] == 0:
    st.info(t("import_nothing", L))
    st.stop()
if st.button(t("import_commit", L), type="primary"):
    bar = st.progress(0.0, text=t("import_writing", L))
    batch = commit_import(
        store(),
        preview,
        username=me.username,
        progress=lambda n, total: bar.progress(
            n / total if total else 1.0, text=t("import_progress", L, done=n, total=total)
        ),
    )
    st.session_state["import_done"] = (token, batch)
    st.session_state.pop("import_token", None)
    st.rerun()
