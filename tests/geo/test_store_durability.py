"""Durability of imports: killed mid-way, concurrent, read while writing (both backends)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd

from geo.config import DEMO_DIR
from geo.store import Store


def _hexpatrol(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "geo", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _ledger(tmp_path: Path, prefix: str, source: str = "cases.csv") -> Path:
    # the demo files have a title line above the header
    frame = pd.read_csv(DEMO_DIR / source, dtype=str, encoding="utf-8-sig", skiprows=1)
    id_col = frame.columns[0]
    frame[id_col] = prefix + frame[id_col]
    out = tmp_path / f"{prefix}.csv"
    frame.to_csv(out, index=False)
    return out


def test_killed_import_leaves_nothing(db_url: str, tmp_path: Path) -> None:
    path = _ledger(tmp_path, "K")
    proc = _hexpatrol(
        "import", str(path), "--db", db_url, "--user", "t", env={"HEXPATROL_IMPORT_CHUNK": "20"}
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    while line and "writing" not in line:  # the batch's transaction is open and half written
        line = proc.stderr.readline()
    assert "writing 20/" in line, line
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert "committed" not in out
    with Store(db_url) as store:
        assert store.n_batches() == 0
        assert store.events().empty
        assert store.table("tipsters").empty
        # and the store still takes a whole import afterwards
    done = _hexpatrol("import", str(path), "--db", db_url, "--user", "t")
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    with Store(db_url) as store:
        assert store.n_batches() == 1 and len(store.events()) == 5494


def test_concurrent_imports_both_land(db_url: str, tmp_path: Path) -> None:
    a, b = _ledger(tmp_path, "A"), _ledger(tmp_path, "B")
    with Store(db_url):
        pass  # create the schema first, as the app or a first import would
    procs = [
        _hexpatrol(
            "import", str(p), "--db", db_url, "--user", "t", env={"HEXPATROL_IMPORT_CHUNK": "100"}
        )
        for p in (a, b)
    ]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert "committed" in out
    with Store(db_url) as store:
        assert store.n_batches() == 2
        ids = store.events()["event_id"]
        assert len(ids) == 2 * 5494
        assert ids.str[0].value_counts().to_dict() == {"A": 5494, "B": 5494}


def test_batches_and_undo_commands(db_url: str, tmp_path: Path) -> None:
    path = _ledger(tmp_path, "U")
    out, err = _hexpatrol("import", str(path), "--db", db_url, "--user", "t").communicate(
        timeout=300
    )
    assert "5494 new" in out, err
    batch = out.split("batch ")[1].split()[0]
    listing, _ = _hexpatrol("batches", "--db", db_url).communicate(timeout=60)
    assert listing.startswith(batch) and "committed" in listing
    undo = _hexpatrol("undo", batch, "--db", db_url, "--user", "t")
    out, err = undo.communicate(timeout=120)
    assert undo.returncode == 0 and "5494 events removed" in out, err
    again = _hexpatrol("undo", batch, "--db", db_url)
    _, err = again.communicate(timeout=60)
    assert again.returncode == 2 and "already undone" in err
    with Store(db_url) as store:
        assert store.events().empty
