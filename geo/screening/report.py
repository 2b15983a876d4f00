"""The suspect list as people read it: CSV and Excel in Chinese (or English), formula-safe."""

from __future__ import annotations

import io
from typing import Final

import pandas as pd

from geo.export import neutralize, to_safe_csv
from geo.i18n import label, t
from geo.screening.core import ScreenResult
from geo.screening.reasons import reason_text
from geo.screening.schema import KEY_METRICS

#: columns of the exported list, in order
EXPORT_COLUMNS: Final = (
    "rank",
    "plate",
    "score",
    "grade",
    "reasons",
    "known",
    "score_rules",
    "score_model",
    "route",
    *KEY_METRICS,
    "first_seen",
    "last_seen",
)


def suspect_rows(
    result: ScreenResult, lang: str = "zh", *, top: int | None = None, min_grade: str = "none"
) -> pd.DataFrame:
    """The suspect list with grade labels and reasons in words; codes kept in ``grade_code``.

    Parameters
    ----------
    result : ScreenResult
        From :func:`geo.screening.screen`.
    lang : {"zh", "en"}, default "zh"
        Language of the grade labels, the reasons and the ``known`` mark (是 / yes).
    top : int, optional
        Keep the first ``top`` rows only (after ``min_grade``); default all.
    min_grade : {"high", "medium", "low", "none"}, default "none"
        Keep rows of this grade or better (``none`` = all).

    Returns
    -------
    DataFrame
        :data:`EXPORT_COLUMNS` plus ``grade_code``, in rank order; English column names
        (the codes). Decimal metrics are rounded to 2 places; ``first_seen`` and
        ``last_seen`` are local times as text (``YYYY-MM-DD HH:MM``).

    Raises
    ------
    ValueError
        When ``min_grade`` is not one of the four grades, or ``lang`` is neither ``zh``
        nor ``en`` (with at least one row to word).
    """
    s = result.suspects
    order = ("high", "medium", "low", "none")
    if min_grade not in order:
        raise ValueError(f"min_grade was {min_grade!r} but is expected to be one of {order}")
    keep = s["grade"].map(order.index) <= order.index(min_grade)
    s = s[keep]
    if top is not None:
        s = s.head(top)
    out = pd.DataFrame(
        {
            "rank": s["rank"],
            "plate": s["plate"],
            "score": s["score"],
            "grade": [t(f"screen_grade_{g}", lang) for g in s["grade"]],
            "reasons": [reason_text(r, lang) for r in s["reasons"]],
            "known": s["known"].map({True: t("screen_known_yes", lang), False: ""}),
            "score_rules": s["score_rules"],
            "score_model": s["score_model"],
            "route": s["route"],
        }
    )
    for col in KEY_METRICS:
        out[col] = s[col].round(2) if s[col].dtype.kind == "f" else s[col]
    out["first_seen"] = s["first_seen"].dt.strftime("%Y-%m-%d %H:%M")
    out["last_seen"] = s["last_seen"].dt.strftime("%Y-%m-%d %H:%M")
    out["grade_code"] = s["grade"]
    return out.reset_index(drop=True)


def suspects_to_csv(result: ScreenResult, lang: str = "zh", **keep: object) -> bytes:
    """CSV bytes (UTF-8 with BOM) of :func:`suspect_rows`, formula cells neutralised.

    Parameters
    ----------
    result : ScreenResult
        From :func:`geo.screening.screen`.
    lang : {"zh", "en"}, default "zh"
        Language of the grade labels, reasons and ``known`` mark; the header keeps the
        English column codes in both languages.
    **keep
        ``top`` and ``min_grade``, as for :func:`suspect_rows`.

    Returns
    -------
    bytes
        The CSV, with a BOM so that Excel reads the Chinese, ``grade_code`` included;
        control characters are removed and a text cell starting with ``=``, ``+``,
        ``-``, ``@``, a tab or a carriage return (other than a number) gets a leading
        apostrophe, so no spreadsheet runs it as a formula.
    """
    return to_safe_csv(suspect_rows(result, lang, **keep))  # type: ignore[arg-type]


def _about(result: ScreenResult, lang: str, synthetic: bool) -> pd.DataFrame:
    c = result.counts
    rows: list[tuple[str, object]] = [
        (t("screen_about_window", lang), f"{result.window[0]} — {result.window[1]}"),
        (t("screen_about_engine", lang), label("screen_engine_", result.engine, lang)),
        (t("screen_about_scorer", lang), t(f"screen_scorer_{result.scorer}", lang)),
    ]
    rows += [
        (t(f"screen_about_{key}", lang), c[key])
        for key in ("rows_in", "used", "rejected", "outside_window", "misreads_merged")
    ]
    rows += [
        (t(f"screen_reject_{r}", lang), n)
        for r, n in zip(result.rejects["reason"], result.rejects["n"], strict=True)
    ]
    if synthetic:
        rows.append((t("screen_about_note", lang), t("screen_about_synthetic", lang)))
    columns = [t("screen_about_item", lang), t("screen_about_value", lang)]
    return pd.DataFrame(rows, columns=columns)


def _evaluation(evaluation: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The scorers' backtest (:func:`geo.screening.scoring.evaluate`) in words."""
    out = evaluation.round(3)
    out["scorer"] = out["scorer"].map(lambda s: label("screen_scorer_", s, lang))

    def header(column: str) -> str:
        metric, _, k = column.partition("@")
        return t(f"screen_eval_{metric}", lang, k=k) if k else t(f"screen_eval_{column}", lang)

    return out.rename(columns=header)


def suspects_to_xlsx(
    result: ScreenResult, lang: str = "zh", *, synthetic: bool = False, **keep: object
) -> bytes:
    """An Excel workbook: the list (localised headers), the backtest and the data account.

    Parameters
    ----------
    result : ScreenResult
        From :func:`geo.screening.screen`.
    lang : {"zh", "en"}, default "zh"
        Language of the sheet names, the headers and the cells in words.
    synthetic : bool, default False
        Add a note to the data account that the data are the synthetic demo.
    **keep
        ``top`` and ``min_grade``, as for :func:`suspect_rows`.

    Returns
    -------
    bytes
        An XLSX file with the sheets 筛查结果 / suspects (the list without ``grade_code``,
        formula cells neutralised, rank and plate frozen), 方法评估 / backtest (only when
        ``result.evaluation`` is not empty) and 数据说明 / about (window, engine, scorer,
        pass counts and rejects by reason).

    Raises
    ------
    ValueError
        When ``lang`` is neither ``zh`` nor ``en``, or ``min_grade`` is not a grade.
    """
    from geo.export import _fit_columns

    rows = suspect_rows(result, lang, **keep).drop(columns="grade_code")  # type: ignore[arg-type]
    rows.columns = [t(f"screen_col_{c}", lang) for c in rows.columns]
    buffer = io.BytesIO()
    names = [t(f"screen_sheet_{n}", lang) for n in ("suspects", "backtest", "about")]
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        rows.map(neutralize).to_excel(writer, sheet_name=names[0], index=False)
        if not result.evaluation.empty:
            _evaluation(result.evaluation, lang).to_excel(writer, sheet_name=names[1], index=False)
        _about(result, lang, synthetic).map(neutralize).to_excel(
            writer, sheet_name=names[2], index=False
        )
        for sheet in writer.sheets.values():
            _fit_columns(sheet, cap=60, per_char=1.5)
        writer.sheets[names[0]].freeze_panes = "C2"
    return buffer.getvalue()
