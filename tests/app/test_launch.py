"""The launcher behind `make run` and `hexpatrol serve` (app_pages/launch.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from app_pages.launch import APP, COMPONENT_MODULES, LIBRARY, SERVER_TASKS

ROOT = Path(__file__).resolve().parents[2]


def test_it_loads_every_module_the_pages_share() -> None:
    """LIBRARY is app_pages minus the pages app.py names and the component modules."""
    pages = set(re.findall(r'"app_pages/(\w+)\.py"', APP.read_text(encoding="utf-8")))
    modules = {p.stem for p in (ROOT / "app_pages").glob("*.py")} - {"__init__", "launch"}
    modules -= set(SERVER_TASKS)
    assert pages and not pages & set(LIBRARY)
    assert set(LIBRARY) | set(COMPONENT_MODULES) == modules - pages
    for name in LIBRARY:  # a component loaded before the server runs is never served
        text = (ROOT / "app_pages" / f"{name}.py").read_text(encoding="utf-8")
        assert not re.search(r"streamlit_folium|foliummap|mapview|declare_component", text)


def test_a_broken_configuration_is_one_message_and_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "hexpatrol.toml"
    config.write_text('townships = "no/such/file.geojson"\n', encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "app_pages.launch", "--server.port", "1"],
        cwd=ROOT,
        env={"HEXPATROL_CONFIG": str(config), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 2, run.stderr[-2000:]
    assert run.stderr.startswith("hexpatrol: ") and "Traceback" not in run.stderr


def test_it_prepares_the_store_before_the_server_starts(tmp_path: Path, monkeypatch) -> None:
    """The demo accounts and the ledgers are in the store before anyone opens the app."""
    from app_pages.launch import prepare
    from geo.auth import authenticate, n_users
    from geo.store import Store

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("HEXPATROL_DB_URL", url)
    prepare()
    with Store(url) as store:
        assert n_users(store) == 44  # 42 townships, commander, analyst
        assert authenticate(store, "t500235105", "hexpatrol-demo").scope.township_code
        assert len(store.events()) > 10_000
    assert "app_pages.common" in sys.modules
