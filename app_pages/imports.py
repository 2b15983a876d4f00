"""数据导入 — upload a ledger, preview what it changes, commit it as one batch."""

import hashlib

import streamlit as st

from app_pages.common import all_townships, lang, scope, settings, store, user
from app_pages.session import download
from geo.errors import LedgerReadError
from geo.export import rejects_to_xlsx
from geo.i18n import t
from geo.imports import ImportPreview, commit_import, preview_import
from layers.tables import event_table, flag_table, header_table, reject_table

language = lang()
me = user()
towns = all_townships(settings(), repr(settings()))
names = dict(zip(towns["code"], towns["name"], strict=True))
st.title(t("page_import", language))
if me.can("import_passes"):  # checkpoint passes: region-wide data, not for township accounts
    what = st.radio(
        t("pimp_kind", language),
        ["ledger", "passes"],
        format_func=lambda k: t(f"pimp_kind_{k}", language),
        horizontal=True,
        key="import_kind",
    )
    if what == "passes":
        from app_pages.pass_import import pass_import

        pass_import()
        st.stop()
st.write(t("import_intro", language))
if me.scope.township_code:
    st.info(t("import_scope_name", language, name=names.get(me.scope.township_code, "")))
upload = st.file_uploader(
    t("upload", language), type=["csv", "txt", "tsv", "xlsx", "xlsm", "geojson", "json"]
)
c1, c2 = st.columns(2)
crs = c1.selectbox(
    t("crs", language), ["wgs84", "gcj02", "bd09"], format_func=lambda c: t(f"crs_{c}", language)
)
kind = c2.selectbox(
    t("default_kind", language),
    ["", "case", "tip"],
    format_func=lambda k: t(f"kind_{k}", language) if k else t("kind_guess", language),
)
if upload is None:
    st.stop()
data = upload.getvalue()
token = (upload.file_id, hashlib.sha256(data).hexdigest(), crs, kind)  # a new upload: a new id
done = st.session_state.get("import_done")
if done and done[0] == token:  # committed: no second batch from a second click or a rerun
    st.success(t("import_done", language, batch=done[1]))
    st.info(t("import_committed_already", language, batch=done[1]))
    st.stop()
if st.session_state.get("import_token") != (token, store().revision()):
    with st.spinner(t("import_reading", language, name=upload.name)):
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
            st.error(t("read_error", language, msg=exc.text(language)))
            st.stop()
    st.session_state["import_preview"] = preview
    st.session_state["import_token"] = (token, store().revision())
preview: ImportPreview = st.session_state["import_preview"]
counts = preview.counts
if preview.result.kind_guess:
    guessed = t(f"kind_{preview.result.kind_guess}", language)
    st.info(t("kind_guessed", language, kind=guessed))
for en, zh in preview.result.notes:
    st.warning(zh if language == "zh" else en)
cols = st.columns(6)
for col, key in zip(
    cols, ["rows", "new", "changed", "unchanged", "rejected", "flagged"], strict=True
):
    col.metric(
        t(f"import_n_{key}", language), f"{counts[key]:,}", help=t(f"import_help_{key}", language)
    )
tabs = st.tabs(
    [t("rejects", language), t("import_flags", language), t("accepted_preview", language)]
)
with tabs[0]:
    table = preview.result.rejects_with_rows()
    if table.empty:
        st.success(t("import_no_rejects", language))
    else:
        st.dataframe(reject_table(table, language), hide_index=True, width="stretch")
        download(
            t("download_rejects_xlsx", language),
            rejects_to_xlsx(table, lang=language),
            f"rejects_{upload.name}.xlsx",
        )
with tabs[1]:
    st.caption(t("import_flags_help", language))
    st.dataframe(flag_table(preview.flags, language), hide_index=True, width="stretch")
with tabs[2]:
    st.dataframe(
        event_table(preview.new.head(200), language, names), hide_index=True, width="stretch"
    )
with st.expander(t("header_map", language)):
    st.dataframe(header_table(preview, language), hide_index=True)

if counts["rows"] == 0:
    st.info(t("import_rows_none", language))
    st.stop()
if counts["new"] + counts["changed"] == 0 and counts["rejected"] == 0:
    st.info(t("import_nothing", language))
    st.stop()
if st.button(t("import_commit", language), type="primary"):
    bar = st.progress(0.0, text=t("import_writing", language))
    batch = commit_import(
        store(),
        preview,
        username=me.username,
        progress=lambda n, total: bar.progress(
            n / total if total else 1.0, text=t("import_progress", language, done=n, total=total)
        ),
    )
    st.session_state["import_done"] = (token, batch)
    st.session_state.pop("import_token", None)
    st.rerun()
