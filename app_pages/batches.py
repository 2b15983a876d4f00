"""导入批次 — what each import did; undo a batch (with confirmation); review duplicates."""

import pandas as pd
import streamlit as st

from app_pages.common import all_townships, lang, scope, settings, store, user
from app_pages.session import download
from geo.export import rejects_to_xlsx
from geo.i18n import diff_text, label, present, t, when
from geo.imports import (
    batch_changes,
    batch_table,
    decide,
    mask_originals,
    review_flags,
    undo_batch,
)
from geo.store import StoreError
from layers.tables import flag_table

language = lang()
me = user()
towns = all_townships(settings(), repr(settings()))
names = {"": t("scope_county", language), **dict(zip(towns["code"], towns["name"], strict=True))}
#: a batch touching more records than this asks for its id to be typed before an undo
TYPE_TO_CONFIRM = 1000


def _drop_pending() -> None:
    st.session_state.pop("undo_pending", None)


@st.dialog(t("undo_title", language), width="large", on_dismiss=_drop_pending)
def confirm_undo(row: pd.Series) -> None:
    n = int(row["n_new"] + row["n_changed"])
    st.markdown(
        t(
            "undo_what",
            language,
            batch=row["batch_id"],
            file=row["file_name"],
            when=when(row["created_at"]),
            user=label("account_", row["username"], language),
            new=int(row["n_new"]),
            changed=int(row["n_changed"]),
        )
    )
    if row["username"] == "system":
        st.warning(t("undo_initial", language))
    typed = st.text_input(t("undo_type", language, n=f"{n:,}")) if n > TYPE_TO_CONFIRM else None
    c1, c2 = st.columns(2)
    if c2.button(t("undo_cancel", language)):
        _drop_pending()
        st.rerun()
    if c1.button(t("undo_confirm", language), type="primary"):
        if typed is not None and typed.strip() != row["batch_id"]:
            st.error(t("undo_mismatch", language))
            return
        try:
            done = undo_batch(store(), row["batch_id"], username=me.username)
        except StoreError as exc:
            st.error(exc.text(language))
            return
        st.session_state["undone"] = t("batch_undone", language, batch=row["batch_id"], **done)
        _drop_pending()
        st.rerun()


st.title(t("page_batches", language))
if "undone" in st.session_state:
    st.success(st.session_state.pop("undone"))
mine = None if scope().township_code is None else [scope().township_code]
table = batch_table(store(), scopes=mine)
if table.empty:
    st.info(t("batches_none", language))
    st.stop()
cols = ["batch_id", "created_at", "status", "username", "file_name", "n_new", "n_changed"]
cols += ["n_unchanged", "n_rejected", "n_flagged", "scope"]
headers = {c: f"batch_{c}" for c in cols}
shown = present(
    table,
    language,
    headers,
    codes={"status": "status_", "username": "account_"},
    names={"scope": names},
    times=["created_at"],
)
st.dataframe(shown, hide_index=True, width="stretch")
rows = table.set_index("batch_id")
batch = st.selectbox(
    t("batch_pick", language),
    table["batch_id"],
    format_func=lambda b: t(
        "batch_option",
        language,
        batch=b,
        file=rows.loc[b, "file_name"],
        when=when(rows.loc[b, "created_at"]),
        status=label("status_", rows.loc[b, "status"], language),
    ),
)
with st.expander(t("batch_changes", language)):
    changes = batch_changes(store(), batch, township_codes=mine, mask=scope().mask_plates)
    changes["fields"] = changes["diffs"].map(lambda d: diff_text(d, language))
    columns = {c: f"col_{c}" for c in ["change", "event_id", "kind", "occurred_at"]}
    columns |= {"township_code": "col_township", "fields": "col_fields"}
    st.dataframe(
        present(
            changes,
            language,
            columns,
            codes={"change": "change_", "kind": "kind_"},
            names={"township_code": names},
            times=["occurred_at"],
        ),
        hide_index=True,
        width="stretch",
    )
c1, c2 = st.columns(2)
rejects = store().batch_rejects(batch)
if scope().mask_plates:
    rejects = mask_originals(rejects)
if len(rejects):
    with c1:
        download(
            t("download_rejects_xlsx", language),
            rejects_to_xlsx(rejects, lang=language),
            f"rejects_{batch}.xlsx",
        )
if me.can("undo") and rows.loc[batch, "status"] == "committed":
    if c2.button(t("batch_undo", language), type="primary"):
        st.session_state["undo_pending"] = batch
    if st.session_state.get("undo_pending") == batch:  # open until confirmed or cancelled
        confirm_undo(table[table["batch_id"] == batch].iloc[0])

if not me.can("review"):
    st.stop()
st.subheader(t("review_title", language))
st.caption(t("import_flags_help", language))
flags = review_flags(store())
if flags.empty:
    st.success(t("review_none", language))
    st.stop()
st.dataframe(flag_table(flags, language), hide_index=True)
flag = st.selectbox(
    t("review_pick", language),
    flags["id"],
    format_func=lambda i: " ~ ".join(flags.set_index("id").loc[i, ["event_id", "other_id"]]),
)
d1, d2 = st.columns(2)
if d1.button(t("review_duplicate", language)):
    decide(store(), int(flag), "duplicate", username=me.username)
    st.rerun()
if d2.button(t("review_distinct", language)):
    decide(store(), int(flag), "distinct", username=me.username)
    st.rerun()
