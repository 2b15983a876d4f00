"""Key areas edited in the app: validated, saved to the store as a whole, audited.

Until someone saves an edit, a deployment's key areas come from the settings' key-area file;
from the first save on, the store's ``key_areas`` table is the list (the file is the
template). Each save replaces the list in one transaction and writes what changed — added,
removed, moved or edited areas, by name — to the audit log.
"""

from __future__ import annotations

import secrets
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo.errors import ConfigError
from geo.periods import MarketCycle
from geo.regions import KEY_AREA_CATEGORIES, township_of
from geo.schema import utc_now
from geo.store import Store, key_areas

#: the editable columns, in the order the editor shows them
EDIT_COLUMNS: Final = (
    "id",
    "name",
    "category",
    "lat",
    "lon",
    "radius_m",
    "market_days",
    "market_hours",
    "name_en",
    "note",
)
RADIUS_RANGE: Final = (20.0, 5000.0)


def stored_key_areas(store: Store) -> gpd.GeoDataFrame | None:
    """The edited key areas (EPSG:4326 points), or ``None`` while nobody has saved any."""
    with store.read() as conn:
        frame = pd.read_sql(sa.select(key_areas).order_by(key_areas.c.id), conn)
    if frame.empty:
        return None
    geometry = gpd.points_from_xy(frame["lon"], frame["lat"], crs=4326)
    out = gpd.GeoDataFrame(frame.drop(columns=["updated_at", "updated_by"]), geometry=geometry)
    for col in ("market_days", "market_hours", "name_en", "note"):
        out[col] = out[col].fillna("")
    return out


def editable(areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """Key areas as a plain table for the editor (lat/lon columns, text cells filled)."""
    out = pd.DataFrame(
        {
            "id": areas["id"].astype(str),
            "name": areas["name"].astype(str),
            "category": areas["category"].astype(str),
            "lat": areas.geometry.representative_point().y.round(6),
            "lon": areas.geometry.representative_point().x.round(6),
            "radius_m": pd.to_numeric(areas["radius_m"]).astype(float),
        }
    )
    for col in EDIT_COLUMNS[6:]:
        out[col] = areas[col].fillna("").astype(str) if col in areas.columns else ""
    return out.reset_index(drop=True)


Problem = tuple[str, str]  # (English, Chinese)


def _row_problems(
    row: int, rec: pd.Series, lat: float, lon: float, radius: float, code: str | None
) -> list[Problem]:
    """What is wrong with one edited row (its number as the user sees it), in both languages."""
    out: list[Problem] = []
    if not str(rec["name"] or "").strip() or str(rec["name"]) == "nan":
        out.append((f"row {row}, name: give the key area a name", f"第 {row} 行,名称:请填写名称"))
    if rec["category"] not in KEY_AREA_CATEGORIES:
        out.append(
            (
                f"row {row}, category: {rec['category']!r} unknown; use one of "
                f"{', '.join(KEY_AREA_CATEGORIES)}",
                f"第 {row} 行,类别:“{rec['category']}”无法识别;请从列表中选择",
            )
        )
    if np.isnan(lat) or np.isnan(lon):
        out.append(
            (
                f"row {row}, lat/lon: give the position in degrees (WGS-84)",
                f"第 {row} 行,经纬度:请填写以度为单位的位置(WGS-84)",
            )
        )
    elif code is None:
        out.append(
            (
                f"row {row}, lat/lon: ({lat:.5f}, {lon:.5f}) lies outside every township",
                f"第 {row} 行,经纬度:({lat:.5f}, {lon:.5f})不在任何乡镇范围内",
            )
        )
    low, high = RADIUS_RANGE
    if np.isnan(radius) or not low <= radius <= high:
        out.append(
            (
                f"row {row}, radius_m: {rec['radius_m']!r} must be {low:.0f} to {high:.0f} metres",
                f"第 {row} 行,半径:应为 {low:.0f} 到 {high:.0f} 米",
            )
        )
    days = str(rec["market_days"] or "").strip()
    if days and days != "nan":
        try:
            MarketCycle.parse(days)
        except ConfigError as exc:
            out.append(
                (
                    f"row {row}, market_days: {exc}",
                    f"第 {row} 行,赶集日:“{days}”无法识别;请写成 1,4,7 或 lunar:1,4,7",
                )
            )
    return out


def _not_saved(problems: list[Problem]) -> ConfigError:
    return ConfigError(
        "key areas not saved:\n" + "\n".join(en for en, _ in problems),
        zh="重点区域未保存:\n" + "\n".join(zh for _, zh in problems),
    )


def validate(table: pd.DataFrame, townships: gpd.GeoDataFrame) -> pd.DataFrame:
    """Check an edited table; returns it with ids for new rows and each area's township.

    Raises :class:`~geo.errors.ConfigError` listing every bad row (its number in the table,
    the column and what to write instead), so nothing is saved half-checked.
    """
    frame = table.copy().reset_index(drop=True)
    if frame.empty:
        raise _not_saved([("keep at least one key area", "请至少保留一个重点区域")])
    for col in EDIT_COLUMNS:
        if col not in frame.columns:
            frame[col] = ""
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    radius = pd.to_numeric(frame["radius_m"], errors="coerce")
    codes = township_of(lon.fillna(0.0), lat.fillna(0.0), townships)
    problems = [
        p
        for i, rec in frame.iterrows()
        for p in _row_problems(int(str(i)) + 1, rec, lat[i], lon[i], radius[i], codes[i])
    ]
    if problems:
        raise _not_saved(problems)
    ids = frame["id"].astype("string").fillna("").str.strip()
    # a new area never takes a deleted one's id (the audit would call it a change)
    frame["id"] = [i if i else f"ka-{secrets.token_hex(4)}" for i in ids]
    dup = frame["id"].duplicated()
    if dup.any():
        repeated = sorted(set(frame["id"][dup]))
        raise _not_saved([(f"ids {repeated} repeat", f"编号 {'、'.join(repeated)} 重复")])
    frame["lat"], frame["lon"], frame["radius_m"] = lat, lon, radius
    frame["township_code"] = codes
    for col in EDIT_COLUMNS[6:]:
        frame[col] = frame[col].astype("string").fillna("").replace("nan", "").astype(str)
    return frame[[*EDIT_COLUMNS, "township_code"]]


def _changes(old: pd.DataFrame, new: pd.DataFrame) -> dict[str, list[str]]:
    before = old.set_index("id") if len(old) else pd.DataFrame(columns=EDIT_COLUMNS[1:])
    after = new.set_index("id")
    added = [after.loc[i, "name"] for i in after.index.difference(before.index)]
    removed = [before.loc[i, "name"] for i in before.index.difference(after.index)]
    changed = []
    for i in after.index.intersection(before.index):
        a, b = after.loc[i, list(EDIT_COLUMNS[1:])], before.loc[i, list(EDIT_COLUMNS[1:])]
        if any(str(x) != str(y) for x, y in zip(a, b, strict=True)):
            changed.append(after.loc[i, "name"])
    return {
        "added": [str(n) for n in added],
        "removed": [str(n) for n in removed],
        "changed": [str(n) for n in changed],
    }


def save_key_areas(
    store: Store,
    table: pd.DataFrame,
    *,
    townships: gpd.GeoDataFrame,
    previous: gpd.GeoDataFrame,
    username: str,
) -> dict[str, list[str]]:
    """Validate ``table`` and make it the key-area list.

    Returns the names added, removed and changed: ``{"added": [...], "removed": [...],
    "changed": [...]}`` (all empty when nothing changed).
    """
    frame = validate(table, townships)
    summary = _changes(editable(previous), frame)
    now = utc_now()
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    with store.write() as conn:
        conn.execute(key_areas.delete())
        if rows:
            conn.execute(
                key_areas.insert(), [{**r, "updated_at": now, "updated_by": username} for r in rows]
            )
        store.bump(conn)
        store.log(username, "key_areas", detail=summary, conn=conn)
    return summary
