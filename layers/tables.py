"""Tables as people read them: headers, codes and times in the user's language (the edge).

Frames in, frames out (no Streamlit): the pages show them with ``st.dataframe``.
"""

from __future__ import annotations

import pandas as pd

from geo.forecast import METHODS
from geo.i18n import present, t
from geo.imports import ImportPreview
from geo.privacy import mask_events


def reject_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Rejected rows: file/sheet, row, column, value, reason in ``lang``, then the original."""
    reason = "reason_zh" if lang == "zh" else "reason"
    columns = {"file": "rj_file", "row": "rj_row", "column": "rj_column", "value": "rj_value"}
    shown = present(table, lang, {**columns, reason: "rj_reason"})
    original = table[[c for c in table.columns if c.startswith("原始_")]]
    return pd.concat([shown, original], axis=1)


def flag_table(flags: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Likely duplicates: which record, like which, by which rule, how far apart."""
    return present(
        flags,
        lang,
        {
            "event_id": "col_event_id",
            "other_id": "col_other_id",
            "rule": "col_rule",
            "minutes": "col_minutes",
            "metres": "col_metres",
        },
        codes={"rule": "rule_"},
    )


def event_table(events: pd.DataFrame, lang: str, towns: dict[str, str]) -> pd.DataFrame:
    """Records (plates masked): id, type, time, township, plate, place, offence."""
    columns = {
        "event_id": "field_event_id",
        "kind": "field_kind",
        "occurred_at": "field_occurred_at",
        "township_code": "field_township",
        "plate": "field_plate",
        "vehicle_type": "field_vehicle_type",
        "address": "field_address",
        "offence": "field_offence",
        "status": "field_status",
    }
    return present(
        mask_events(events),
        lang,
        columns,
        codes={"kind": "kind_"},
        names={"township_code": towns},
        times=["occurred_at"],
    )


def header_table(preview: ImportPreview, lang: str) -> pd.DataFrame:
    """Each recognised column of the file and what it was read as."""
    pairs = preview.result.header_map.items()
    return pd.DataFrame(
        {
            t("hm_header", lang): [h for h, _ in pairs],
            t("hm_field", lang): [t(f"field_{c}", lang) for _, c in pairs],
        }
    )


def method_table(summary: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Mean hit rate, PAI and PEI per method (rows) and area share, in the user's words."""
    table = summary.pivot(index="method", columns="area_share", values=["hit_rate", "pai", "pei"])
    table = table.reindex([m for m in METHODS if m in table.index]).round(3)
    table.columns = [f"{t(f'metric_{m}', lang)} @{a:.0%}" for m, a in table.columns]
    labels = [t(f"method_{m}", lang) for m in table.index]
    table.index = pd.Index(labels, name=t("eval_method", lang))
    return table


def patrol_month_table(result: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One row per test month: events, and each plan's share caught and area, labelled."""
    wide = result.pivot(index="month", columns="plan", values=["hit_rate", "area_share"])
    events = result.groupby("month")["events"].first().astype(int)
    out = pd.DataFrame(
        {
            "events": events,
            "default_hit": wide[("hit_rate", "default")].map("{:.1%}".format),
            "last_hit": wide[("hit_rate", "last")].map("{:.1%}".format),
            "default_area": wide[("area_share", "default")].map("{:.2%}".format),
            "last_area": wide[("area_share", "last")].map("{:.2%}".format),
        }
    )
    out.index.name = t("col_month", lang)
    return out.rename(columns=lambda c: t(f"col_{c}", lang))


def pass_reject_table(rejects: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A pass import's rejected rows in words: row, reason, column, value (plates masked)."""
    columns = {"row": "rj_row", "reason": "pimp_col_reason", "column": "pimp_col_column"}
    return present(
        rejects,
        lang,
        columns | {"value": "pimp_col_value"},
        codes={"reason": "screen_reject_", "column": "pimp_col_"},
    )


#: the columns of the pass batch list, in order
PASS_BATCH_COLUMNS = (
    "batch_id",
    "created_at",
    "status",
    "username",
    "file_name",
    "n_stored",
    "first_day",
    "last_day",
    "n_pruned",
)


def pass_batch_words(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The pass batches (:func:`geo.pass_imports.pass_batch_table`) in words."""
    return present(
        table,
        lang,
        {c: f"pbatch_{c}" for c in PASS_BATCH_COLUMNS},
        codes={"status": "status_", "username": "account_"},
        times=["created_at"],
    )
