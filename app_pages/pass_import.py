"""数据导入 › 过车数据: the checkpoint list, a pass file's preview, commit, the batches, undo.

The logic is :mod:`geo.pass_imports`; this module only wires widgets to it. It is run from
the import page for the roles allowed ``import_passes``.
"""

import hashlib

import pandas as pd
import streamlit as st

from app_pages.common import lang, settings, store, user
from geo.i18n import t, when
from geo.pass_imports import (
    MAX_REJECT_ROWS,
    PassImportError,
    PassPreview,
    commit_passes,
    deployment_folder,
    pass_batch_table,
    preview_passes,
    retention_cutoff,
    save_checkpoints,
    undo_passes,
)
from geo.screening.core import load_checkpoints
from geo.vehicles import PassFolder
from layers.tables import pass_batch_words, pass_reject_table

TYPES = ["csv", "txt", "tsv", "xlsx", "xlsm", "parquet"]


def _checkpoint_list(folder: PassFolder, language: str) -> bool:
    """The checkpoint list's state, and an upload to load or replace it; whether one exists."""
    have = folder.checkpoints.is_file()
    saved = st.session_state.pop("pimp_cp_done", None)  # (checkpoints, replaced) of a save
    if saved is not None:
        key = "pimp_cp_saved" if saved[1] else "pimp_cp_saved_first"
        st.success(t(key, language, n=saved[0]))
    if have:
        try:
            n = len(load_checkpoints(folder.checkpoints, settings()).table)
            st.caption(t("pimp_cp_have", language, n=n))
        except Exception as exc:  # a broken list: say so, the upload below replaces it
            st.error(str(exc))
    else:
        st.warning(t("pimp_cp_none", language, folder=folder.root))
    with st.expander(t("pimp_cp_replace" if have else "pimp_cp_upload", language), not have):
        up = st.file_uploader(t("pimp_cp_upload", language), type=TYPES, key="pimp_cp")
        if up is not None and st.button(t("pimp_cp_save", language)):
            try:
                cps = save_checkpoints(
                    store(),
                    folder,
                    up.getvalue(),
                    settings=settings(),
                    username=user().username,
                    name=up.name,
                )
            except PassImportError as exc:
                st.error(exc.text(language))
                return have
            for w in cps.warnings:
                st.warning(w)
            st.session_state["pimp_cp_done"] = (len(cps.table), have)
            st.rerun()  # the page then shows the list as it is now
    return have


def _preview(folder: PassFolder, language: str) -> tuple[PassPreview, str] | None:
    """The uploaded pass file's preview (kept while the file and the folder are the same)."""
    up = st.file_uploader(t("pimp_upload", language), type=TYPES, key="pimp_file")
    if up is None:
        return None
    data = up.getvalue()
    token = (up.file_id, hashlib.sha256(data).hexdigest(), folder.stamp())
    if st.session_state.get("pimp_token") != token:
        with st.spinner(t("import_reading", language, name=up.name)):
            try:
                found = preview_passes(store(), folder, data, settings=settings(), name=up.name)
            except PassImportError as exc:
                st.error(exc.text(language))
                return None
        st.session_state["pimp_preview"], st.session_state["pimp_token"] = found, token
    return st.session_state["pimp_preview"], up.file_id


def _show(pre: PassPreview, language: str) -> None:
    """Counts, days, notes and the rejected rows (plates masked) of a preview."""
    c = pre.counts
    keys = ["rows", "new", "duplicates", "repeated", "rejected", "unknown_cp"]
    for col, key in zip(st.columns(len(keys)), keys, strict=True):
        col.metric(t(f"pimp_n_{key}", language), f"{c[key]:,}")
    if pre.first_day is not None:
        st.caption(t("pimp_days", language, first=pre.first_day, last=pre.last_day))
    if c["unknown_cp"]:
        ids = "、".join(pre.unknown_checkpoints[:5])
        st.warning(t("pimp_unknown_cp", language, n=f"{c['unknown_cp']:,}", ids=ids))
    if pre.same_file:
        st.info(t("pimp_same_file", language, batch=pre.same_file))
    days = settings().screening.passes_retention_days
    cutoff = retention_cutoff(days)
    if cutoff is not None:
        st.caption(t("pimp_retention", language, days=days, cutoff=cutoff))
    else:
        st.caption(t("pimp_retention_off", language))
    if c["rejected"]:
        table = pass_reject_table(pre.rejects, language)
        st.dataframe(table, hide_index=True, width="stretch")
        if c["rejected"] > MAX_REJECT_ROWS:
            st.caption(t("pimp_reject_more", language, shown=MAX_REJECT_ROWS, n=c["rejected"]))


def _commit(folder: PassFolder, pre: PassPreview, file_id: str, language: str) -> None:
    """The commit button with a progress bar; the outcome and the retention said after."""
    if pre.counts["new"] == 0:
        st.info(t("pimp_nothing", language))
        return
    if not st.button(t("pimp_commit", language), type="primary"):
        return
    bar = st.progress(0.0, text=t("import_writing", language))
    try:
        done = commit_passes(
            store(),
            folder,
            pre,
            username=user().username,
            settings=settings(),
            progress=lambda n, total: bar.progress(
                n / total if total else 1.0,
                text=t("import_progress", language, done=f"{n:,}", total=f"{total:,}"),
            ),
        )
    except PassImportError as exc:
        st.error(exc.text(language))
        return
    said = [t("pimp_done", language, batch=done.batch_id, n=f"{done.n_stored:,}")]
    p = done.pruned
    if p.cutoff is not None:
        key = "pimp_pruned" if p.n_passes else "pimp_pruned_none"
        said.append(t(key, language, n=f"{p.n_passes:,}", days=p.n_days, cutoff=p.cutoff))
    st.session_state["pimp_done"] = (file_id, said)
    st.session_state.pop("pimp_token", None)
    st.rerun()


def _drop_pending() -> None:
    st.session_state.pop("pimp_undo", None)


def _batches(folder: PassFolder, language: str) -> None:
    """The pass batches, and undo (commander) with a confirmation."""
    table = pass_batch_table(store())
    if table.empty:
        return
    st.subheader(t("pimp_batches", language))
    st.dataframe(pass_batch_words(table, language), hide_index=True, width="stretch")
    live = table[table["status"] == "committed"]
    if not user().can("undo") or live.empty:
        return
    rows = live.set_index("batch_id")
    batch = st.selectbox(
        t("batch_pick", language),
        live["batch_id"],
        format_func=lambda b: (
            f"{b} · {rows.loc[b, 'file_name']} · {when(rows.loc[b, 'created_at'])}"
        ),
    )
    if st.button(t("pimp_batch_undo", language)):
        st.session_state["pimp_undo"] = batch
    if st.session_state.get("pimp_undo") == batch:
        _confirm_undo(folder, rows.loc[batch], batch, language)


def _confirm_undo(folder: PassFolder, row: pd.Series, batch: str, language: str) -> None:
    @st.dialog(t("pimp_batch_undo", language), on_dismiss=_drop_pending)
    def dialog() -> None:
        n = int(row["n_stored"]) - int(row["n_pruned"])
        st.markdown(
            t(
                "pimp_undo_what",
                language,
                batch=batch,
                file=row["file_name"],
                first=row["first_day"],
                last=row["last_day"],
                n=f"{n:,}",
            )
        )
        c1, c2 = st.columns(2)
        if c2.button(t("undo_cancel", language)):
            _drop_pending()
            st.rerun()
        if c1.button(t("undo_confirm", language), type="primary"):
            try:
                gone = undo_passes(store(), folder, batch, username=user().username)
            except PassImportError as exc:
                st.error(exc.text(language))
                return
            st.session_state["pimp_undone"] = t("pimp_undone", language, batch=batch, n=gone)
            _drop_pending()
            st.rerun()

    dialog()


def pass_import() -> None:
    """The 过车数据 part of the import page."""
    language = lang()
    folder = deployment_folder(settings().data_dir)
    st.write(t("pimp_intro", language))
    for key in ("pimp_undone",):
        if key in st.session_state:
            st.success(st.session_state.pop(key))
    if _checkpoint_list(folder, language):
        found = _preview(folder, language)
        done = st.session_state.get("pimp_done")
        if found is not None and done and done[0] == found[1]:
            for line in done[1]:
                st.success(line)
        elif found is not None:
            _show(found[0], language)
            _commit(folder, found[0], found[1], language)
    _batches(folder, language)
