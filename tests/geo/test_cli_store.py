"""The store's command line: user names, scope check, batches --show, brief from the store."""

from __future__ import annotations

import getpass

import pytest

from geo.cli import main
from geo.store import Store

LEDGER = "编号,类型,发生时间,经度,纬度,车牌号\nX1,查处,2025-10-01 20:00,108.70,30.95,渝F12345\n"


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/cli.sqlite"


def test_import_without_a_login_name(db: str, tmp_path, monkeypatch, capsys) -> None:
    def nameless() -> str:
        raise KeyError("getpwuid(): uid not found: 54321")

    monkeypatch.setattr(getpass, "getuser", nameless)
    path = tmp_path / "x.csv"
    path.write_text(LEDGER, encoding="utf-8")
    assert main(["import", str(path), "--db", db]) == 0
    with Store(db) as store:
        assert store.batches()["username"].tolist() == ["unknown"]
    batch = capsys.readouterr().out.split("batch ")[1].split()[0]
    assert main(["batches", "--db", db, "--show", batch]) == 0
    assert "added    X1" in capsys.readouterr().out


def test_import_scope_must_be_a_township(db: str, tmp_path, capsys) -> None:
    path = tmp_path / "x.csv"
    path.write_text(LEDGER, encoding="utf-8")
    assert main(["import", str(path), "--db", db, "--scope", "5002351O5"]) == 2
    assert "not a configured township" in capsys.readouterr().err
    with Store(db) as store:
        assert store.n_batches() == 0


def test_brief_reads_the_store(db: str, tmp_path, capsys) -> None:
    path = tmp_path / "x.csv"
    path.write_text(LEDGER, encoding="utf-8")
    assert main(["import", str(path), "--db", db, "--user", "t"]) == 0
    # the store had a batch before the app ever ran: the settings' ledgers are not added
    out = tmp_path / "briefs"
    assert main(["brief", "--month", "2025-10", "--out", str(out), "--no-pdf", "--db", db]) == 0
    text = capsys.readouterr().out
    assert "云阳县: 1 cases, 0 tips" in text and any(out.iterdir())
