"""Why a vehicle is listed: reason codes with their numbers, turned into words by geo.i18n.

A reason is ``(code, params)``, e.g. ``("route", {"a": "江口镇", "b": "云阳县城区",
"days": 21, "window": 30, "per_day": 3.2})``; :func:`reason_text` renders it as
"近30天有21天往返江口镇—云阳县城区,日均3.2趟" (or in English). Reasons come from the rules'
evidence whatever scorer ranks the list, strongest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from geo.i18n import t
from geo.screening.settings import Rule

Reason = tuple[str, dict[str, Any]]
#: at most this many rule reasons per vehicle (the strongest), then the notes
MAX_RULE_REASONS: Final = 4
#: reason codes (rules first, then notes)
REASON_CODES: Final = (
    "route",
    "hub",
    "offday",
    "market",
    "early",
    "span",
    "mileage",
    "towns",
    "known",
    "similar",
    "special_plate",
    "nonlocal",
)


def _rule_params(code: str, row: Any, window: int, urban: str) -> dict[str, Any]:
    if code == "route":
        a, b = str(row.route_a), str(row.route_b)
        if a == urban:  # the county town last: 江口镇—县城
            a, b = b, a
        return {
            "a": a,
            "b": b,
            "days": int(row.route_days),
            "window": window,
            "per_day": round(float(row.route_trips_per_day), 1),
        }
    if code == "hub":
        return {
            "days": int(row.hub_days),
            "window": window,
            "per_day": round(float(row.hub_visits_per_day), 1),
            "wave_pct": int(round(100 * float(row.hub_wave_share))),
        }
    if code == "offday":
        return {"lift": round(float(row.offday_lift), 1)}
    if code == "market":
        return {"lift": round(float(row.market_lift), 1), "days": int(row.market_days_active)}
    if code == "early":
        return {"pct": int(round(100 * float(row.early_share))), "hour": row.early_hour}
    if code == "span":
        return {"hours": round(float(row.span_hours), 1)}
    if code == "mileage":
        return {"km": int(round(float(row.km_per_day)))}
    return {"n": int(row.distinct_towns), "window": window}


def reasons_for(
    features: pd.DataFrame,
    strengths: pd.DataFrame,
    rules: Sequence[Rule],
    *,
    window: int,
    urban: str = "",
    early_hour: int = 6,
    n_cases: pd.Series | None = None,
    model: pd.Series | None = None,
) -> list[list[Reason]]:
    """The reasons of each plate (a list per row of ``features``), strongest first.

    Parameters
    ----------
    features : DataFrame
        Feature table.
    strengths : DataFrame
        :func:`geo.screening.scoring.rule_strengths` of it.
    rules : sequence of Rule
        For the weights that order the reasons.
    window : int
        Days screened (quoted in the reasons).
    urban : str
        Name of the merged county town (put last in route names).
    early_hour : int
        The hour "early" means.
    n_cases : Series, optional
        Cases per plate for known plates (0 or NaN otherwise).
    model : Series, optional
        The model's score: a plate it ranks high without any rule holding gets "similar".

    Returns
    -------
    list of list of (str, dict)
        Reason codes with the numbers their text needs.
    """
    weights = np.array([r.weight for r in rules])
    codes = [r.code for r in rules]
    values = strengths[codes].to_numpy() * weights
    order = np.argsort(-values, axis=1, kind="stable")[:, :MAX_RULE_REASONS]
    similar = np.zeros(len(features), bool) if model is None else model.to_numpy(dtype=float) >= 50
    cases = (
        np.zeros(len(features), dtype=np.int64)
        if n_cases is None
        else n_cases.fillna(0).to_numpy(dtype=np.int64)
    )
    rows = features.assign(early_hour=early_hour).itertuples(index=False)
    out: list[list[Reason]] = []
    for i, row in enumerate(rows):
        mine: list[Reason] = [
            (codes[j], _rule_params(codes[j], row, window, urban))
            for j in order[i]
            if values[i, j] > 0
        ]
        if similar[i] and not mine:
            mine.append(("similar", {}))
        if cases[i]:
            mine.append(("known", {"n": int(cases[i])}))
        if row.special_plate:
            mine.append(("special_plate", {"kind": str(row.plate_kind)}))
        if not row.local_plate:
            mine.append(("nonlocal", {"province": str(row.province)}))
        out.append(mine)
    return out


def reason_text(reasons: Sequence[Reason], lang: str = "zh") -> str:
    """The reasons as one line for a commander, e.g. "近30天有21天往返…;常在6点前出车"."""
    parts = []
    for code, params in reasons:
        values = dict(params)
        if code == "special_plate":
            values["kind"] = t(f"screen_plate_{params['kind']}", lang)
        parts.append(t(f"screen_reason_{code}", lang, **values))
    return ("；" if lang == "zh" else "; ").join(parts)
