"""Screening checkpoint passes for suspected illegal-operation vehicles (过车数据筛查).

One definition of the features (SQL in :mod:`geo.screening.sql`) runs on DuckDB (default,
embedded, out of core) or Apache Spark (``local[*]``, a standalone master, YARN). Entry
points, imported lazily so that reading the settings does not load an engine:

- :func:`screen` — files or frames in, :class:`ScreenResult` out (ranked, graded, explained
  suspects; pass accounting; backtest of the two scorers);
- :func:`score_vehicles` — the numeric core on a feature table;
- :func:`plate_passes` — one vehicle's passes; :func:`plates_checkpoints` — where listed
  plates passed (counts);
- :func:`suspect_rows`, :func:`suspects_to_csv`, :func:`suspects_to_xlsx` — the list in words;
- :func:`read_checkpoints`, :func:`read_whitelist`, :func:`read_known` — the small inputs.

Modules: ``settings`` (the ``[screening]`` table), ``schema`` (headers, kinds, plates,
times), ``inputs``, ``sql``, ``engines``, ``features``, ``scoring``, ``reasons``, ``core``,
``report``.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "screen": "geo.screening.core",
    "score_vehicles": "geo.screening.core",
    "plate_passes": "geo.screening.core",
    "plates_checkpoints": "geo.screening.core",
    "ScreenResult": "geo.screening.core",
    "suspect_rows": "geo.screening.report",
    "suspects_to_csv": "geo.screening.report",
    "suspects_to_xlsx": "geo.screening.report",
    "read_checkpoints": "geo.screening.inputs",
    "read_whitelist": "geo.screening.inputs",
    "read_known": "geo.screening.inputs",
    "known_from_events": "geo.screening.inputs",
    "ScreeningInputError": "geo.screening.inputs",
    "compute_features": "geo.screening.features",
    "NoPassesInWindow": "geo.screening.features",
    "ScreeningSettings": "geo.screening.settings",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'geo.screening' has no attribute {name!r}")
