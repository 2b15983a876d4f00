"""导入批次 — what each import did; undo a batch; review likely duplicates."""

import pandas as pd
import streamlit as st

from app_pages.common import lang, scope, store, user
from app_pages.session import download
from geo.export import rejects_to_xlsx
from geo.i18n import STRINGS, t
from geo.imports import (
    batch_changes,
    batch_table,
    decide,
    mask_originals,
    review_flags,
    undo_batch,
)
from geo.store import StoreError

L = lang()
me = user()


def localized(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={c: t(f"col_{c}", L) for c in frame if f"col_{c}" in STRINGS})


st.title(t("page_batches", L))
mine = None if scope().township_code is None else [scope().township_code]
table = batch_table(store(), scopes=mine)
if table.empty:
    st.info(t("batches_none", L))
    st.stop()
cols = ["batch_id", "created_at", "status", "username", "file_name", "n_new", "n_changed"]
cols += ["n_unchanged", "n_rejected", "n_flagged", "scope"]
st.dataframe(
    table[cols].rename(columns={c: t(f"batch_{c}", L) for c in cols}),
    hide_index=True,
    width="stretch",
)
batch = st.selectbox(t("batch_pick", L), table["batch_id"])
with st.expander(t("batch_changes", L)):
    changes = batch_changes(store(), batch, township_codes=mine, mask=scope().mask_plates)
    changes["change"] = changes["change"].map(lambda c: t(f"change_{c}", L))
    st.dataframe(localized(changes), hide_index=True, width="stretch")
c1, c2 = st.columns(2)
rejects = store().batch_rejects(batch)
if scope().mask_plates:
    rejects = mask_originals(rejects)
if len(rejects):
    with c1:
        download(
            t("download_rejects_xlsx", L), rejects_to_xlsx(rejects, lang=L), f"rejects_{batch}.xlsx"
        )
if me.can("undo") and table.set_index("batch_id").loc[batch, "status"] == "committed":
    if c2.button(t("batch_undo", L), type="primary"):
        try:
            done = undo_batch(store(), batch, username=me.username)
        except StoreError as exc:
            st.error(str(exc))
        else:
            st.success(t("batch_undone", L, batch=batch, **done))

if not me.can("review"):
    st.stop()
st.subheader(t("review_title", L))
st.caption(t("import_flags_help", L))
flags = review_flags(store())
if flags.empty:
    st.success(t("review_none", L))
    st.stop()
st.dataframe(
    localized(flags.drop(columns=["decided_by", "decided_at", "decision"])), hide_index=True
)
flag = st.selectbox(t("review_pick", L), flags["id"])
d1, d2 = st.columns(2)
if d1.button(t("review_duplicate", L)):
    decide(store(), int(flag), "duplicate", username=me.username)
    st.rerun()
if d2.button(t("review_distinct", L)):
    decide(store(), int(flag), "distinct", username=me.username)
    st.rerun()
