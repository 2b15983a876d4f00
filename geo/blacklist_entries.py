"""Vehicles put on the 黑名单 by hand (from the screening page), kept in the store.

The rules of :mod:`geo.blacklist` list plates from the events; a commander can also add a
vehicle found by the checkpoint screening, with a note. Such an entry keeps the plate in
full, the townships whose checkpoints it passed (for the township accounts' scope), who
added it and when; every addition is audited. :func:`with_entries` puts both on one table
with a ``source`` column (``events``, ``screening`` or both, comma-joined; words:
``bl_source_*`` in geo.i18n).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import pandas as pd
import sqlalchemy as sa

from geo.blacklist import VEHICLE_COLUMNS, normalize_plate
from geo.errors import HexpatrolError
from geo.privacy import masked_label, plate_id
from geo.schema import TZ, utc_now
from geo.store import Store, blacklist_entries

#: where a hand-added entry comes from
ENTRY_SOURCES: Final = ("screening",)
#: the longest note kept
MAX_NOTE: Final = 500
#: columns of :func:`stored_vehicles` (as the rules' table, plus source, note and who added it)
ENTRY_COLUMNS: Final = (*VEHICLE_COLUMNS, "source", "note", "added_by")


class BlacklistEntryError(HexpatrolError):
    """A vehicle cannot be added to the blacklist (message says why)."""


def add_entry(
    store: Store,
    plate: str,
    *,
    source: str,
    username: str,
    note: str = "",
    township_codes: Iterable[str] = (),
) -> bool:
    """Put a vehicle on the blacklist; ``False`` when it is already there from ``source``.

    Parameters
    ----------
    store : Store
        The deployment's store.
    plate : str
        The plate in full (any spelling; kept normalised, e.g. ``渝FA1234``).
    source : str
        One of :data:`ENTRY_SOURCES`.
    username : str
        Who adds it (written to the audit log as ``blacklist_add``).
    note : str
        Why (at most :data:`MAX_NOTE` characters).
    township_codes : iterable of str
        Townships where the vehicle was seen: their accounts see the entry.

    Returns
    -------
    bool
        Whether a new entry was written.
    """
    key = normalize_plate(plate)
    if not key:
        raise BlacklistEntryError(f"plate was {plate!r} but is expected to be a vehicle plate")
    if source not in ENTRY_SOURCES:
        raise BlacklistEntryError(f"source was {source!r} but is expected to be in {ENTRY_SOURCES}")
    text = " ".join(str(note).split())
    if len(text) > MAX_NOTE:
        raise BlacklistEntryError(f"the note has {len(text)} characters; at most {MAX_NOTE}")
    towns = ",".join(sorted({str(c).strip() for c in township_codes} - {""}))
    with store.write() as conn:
        found = conn.execute(
            sa.select(blacklist_entries.c.id).where(
                (blacklist_entries.c.plate == key) & (blacklist_entries.c.source == source)
            )
        ).first()
        if found is not None:
            return False
        conn.execute(
            blacklist_entries.insert().values(
                plate=key,
                source=source,
                note=text,
                township_codes=towns,
                added_at=utc_now(),
                added_by=username,
            )
        )
        detail = {"plate": key, "source": source, "note": text}
        store.log(username, "blacklist_add", detail=detail, conn=conn)
    return True


def stored_vehicles(
    store: Store,
    *,
    township_code: str | None = None,
    mask: bool = True,
    events: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The hand-added vehicles a scope may see, as rows of the blacklist's vehicle table.

    Parameters
    ----------
    store : Store
        The deployment's store.
    township_code : str, optional
        Only entries seen in this township (a township account), which is then the only
        township they name; ``None`` = all.
    mask : bool
        Show plates as ``渝F·B**** (V1a2b3c4d)`` (default); ``False`` for a commander.
    events : DataFrame, optional
        The scope's events (:func:`geo.dataset.load_dataset`): a vehicle's cases and tips
        among them give its counts, first and last time and last position.

    Returns
    -------
    DataFrame
        :data:`ENTRY_COLUMNS`; a vehicle without events in ``events`` has counts 0 and no
        times or position.
    """
    with store.read() as conn:
        rows = pd.read_sql(sa.select(blacklist_entries).order_by(blacklist_entries.c.id), conn)
    if township_code is not None:
        mine = rows["township_codes"].map(lambda v: township_code in str(v or "").split(","))
        rows = rows[mine.astype(bool)]
    facts = _event_facts([plate_id(p) for p in rows["plate"]], events)
    out = pd.DataFrame(
        {
            "plate": [masked_label(p) if mask else p for p in rows["plate"]],
            **{c: facts[c].to_numpy() for c in facts.columns},
            # a township sees its own code only, as in the rules' table of its events
            "townships": rows["township_codes"].fillna("")
            if township_code is None
            else township_code,
            "source": rows["source"].to_numpy(),
            "note": rows["note"].fillna("").to_numpy(),
            "added_by": rows["added_by"].to_numpy(),
        }
    )
    return out[list(ENTRY_COLUMNS)].reset_index(drop=True)



def _event_facts(ids: list[str], events: pd.DataFrame | None) -> pd.DataFrame:
    """Per vehicle id: counts, first and last time, last position and ids of its events."""
    empty = pd.DataFrame(
        {
            "n_events": 0,
            "n_cases": 0,
            "n_tips": 0,
            "first_seen": pd.Series(pd.NaT, index=range(len(ids)), dtype=f"datetime64[ns, {TZ}]"),
            "last_seen": pd.Series(pd.NaT, index=range(len(ids)), dtype=f"datetime64[ns, {TZ}]"),
            "last_lat": float("nan"),
            "last_lon": float("nan"),
            "event_ids": [[] for _ in ids],
        },
        index=range(len(ids)),
    )
    if events is None or events.empty or "plate" not in events.columns:
        return empty
    own = events["plate_id"] if "plate_id" in events.columns else events["plate"].map(plate_id)
    found = events.assign(_id=own.astype(object)).sort_values("occurred_at", kind="stable")
    for i, vid in enumerate(ids):
        mine = found[found["_id"] == vid]
        if mine.empty:
            continue
        last = mine.iloc[-1]
        empty.loc[i, ["n_events", "n_cases", "n_tips"]] = [
            len(mine),
            int((mine["kind"] == "case").sum()),
            int((mine["kind"] == "tip").sum()),
        ]
        empty.loc[i, ["first_seen", "last_seen"]] = [
            mine["occurred_at"].iloc[0],
            last["occurred_at"],
        ]
        empty.loc[i, ["last_lat", "last_lon"]] = [float(last["lat"]), float(last["lon"])]
        empty.at[i, "event_ids"] = list(mine["event_id"])
    return empty


def with_entries(vehicles: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """One table: the rules' vehicles (source ``events``), then the hand-added ones.

    A plate on both lists is one row, the rules' with the entry's note and both sources
    (``events,screening``), so no vehicle is listed twice.
    """
    ruled = vehicles.assign(source="events", note="", added_by="").reset_index(drop=True)
    if entries.empty:
        return ruled
    extra = entries.drop_duplicates("plate").set_index("plate")
    both = ruled["plate"].isin(extra.index).to_numpy()
    if both.any():
        plates = ruled.loc[both, "plate"]
        ruled.loc[both, "source"] = "events," + plates.map(extra["source"]).astype(str)
        ruled.loc[both, "note"] = plates.map(extra["note"]).to_numpy()
        ruled.loc[both, "added_by"] = plates.map(extra["added_by"]).to_numpy()
    rest = entries[~entries["plate"].isin(ruled["plate"])][list(ENTRY_COLUMNS)]
    if ruled.empty:
        return rest.reset_index(drop=True)
    if rest.empty:
        return ruled
    return pd.concat([ruled, rest], ignore_index=True)
