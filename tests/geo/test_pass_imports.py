"""Pass imports (geo.pass_imports): preview, commit, undo, duplicates, retention (synthetic)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import hypothesis.strategies as st
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings

from geo.auth import User
from geo.config import Settings
from geo.pass_imports import (
    PassImportError,
    commit_passes,
    deployment_folder,
    pass_batch_table,
    preview_passes,
    prune_passes,
    read_pass_file,
    save_checkpoints,
    undo_passes,
)
from geo.screening import screen
from geo.store import Store
from geo.vehicles import PassFolder
from tests.geo import screen_data

NOW = screen_data.NOW  # 2025-11-01
MON = screen_data.WEEK[0]


def _settings(tmp: Path, days: int = 90) -> Settings:
    s = Settings(data_dir=tmp)
    return dataclasses.replace(
        s, screening=dataclasses.replace(s.screening, passes_retention_days=days)
    )


@pytest.fixture
def env(tmp_path: Path) -> tuple[Store, PassFolder, Settings]:
    settings = _settings(tmp_path)
    store = Store(f"sqlite:///{tmp_path}/store.sqlite")
    folder = deployment_folder(tmp_path)
    cp_file = tmp_path / "cps.csv"
    screen_data.CHECKPOINTS.to_csv(cp_file, index=False)
    save_checkpoints(store, folder, cp_file, settings=settings, username="ana")
    return store, folder, settings


def _file(tmp: Path, frame: pd.DataFrame, name: str = "day.csv") -> Path:
    path = tmp / name
    if name.endswith(".parquet"):
        frame.to_parquet(path)
    elif name.endswith(".xlsx"):
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False, encoding="gbk" if "gbk" in name else "utf-8")
    return path


def test_preview_counts_and_reasons(env, tmp_path) -> None:
    store, folder, settings = env
    rows = screen_data.passes()
    pre = preview_passes(store, folder, _file(tmp_path, rows), settings=settings, now=NOW)
    c = pre.counts
    assert c["rows"] == len(rows) == 32
    assert (c["reject_missing_plate"], c["reject_not_plate"]) == (1, 1)
    assert (c["reject_bad_time"], c["reject_future_time"]) == (1, 1)
    assert c["rejected"] == 4 and c["duplicates"] == 0 and c["repeated"] == 0
    assert c["new"] == 28 and len(pre.passes) == 28
    assert c["unknown_cp"] == 1 and pre.unknown_checkpoints == ("K999",)  # kept, by id
    assert (pre.first_day, pre.last_day) == (dt.date(2025, 10, 1), dt.date(2025, 10, 18))
    # row numbers as a spreadsheet shows them: the header is row 1
    by_reason = pre.rejects.set_index("reason")
    reasons = ["missing_plate", "not_plate", "bad_time", "future_time"]
    expect = {r: i + 2 for i, r in zip(range(26, 30), reasons, strict=True)}  # frame index + 2
    assert by_reason["row"].to_dict() == expect
    assert by_reason.loc["bad_time", "value"] == "2025-13-45 25:61"
    assert by_reason.loc["future_time", "column"] == "time"


def test_rejected_plates_are_masked(env, tmp_path) -> None:
    store, folder, settings = env
    rows = pd.DataFrame(
        {
            "号牌号码": ["渝F5X555", "渝FABC"],
            "过车时间": ["2099-01-01 00:00:00", f"{MON} 08:00"],
            "卡口编号": ["U1", "U1"],
        }
    )
    pre = preview_passes(store, folder, _file(tmp_path, rows), settings=settings, now=NOW)
    assert pre.counts["rejected"] == 2
    shown = " ".join(pre.rejects["value"])
    assert "渝F5X555" not in shown and "渝FABC" not in shown and "渝F·" in shown


@pytest.mark.parametrize("name", ["day.parquet", "day.xlsx", "day_gbk.csv"])
def test_formats_and_english_headers_agree(env, tmp_path, name) -> None:
    store, folder, settings = env
    rows = screen_data.passes().set_axis(["plate", "pass_time", "checkpoint_id"], axis=1)
    pre = preview_passes(store, folder, _file(tmp_path, rows, name), settings=settings, now=NOW)
    assert (pre.counts["new"], pre.counts["rejected"]) == (28, 4)


def test_commit_is_read_by_the_screen_and_repeats_are_duplicates(env, tmp_path) -> None:
    store, folder, settings = env
    path = _file(tmp_path, screen_data.passes())
    pre = preview_passes(store, folder, path, settings=settings, now=NOW)
    seen: list[tuple[int, int]] = []
    done = commit_passes(
        store,
        folder,
        pre,
        username="ana",
        settings=settings,
        now=NOW,
        progress=lambda n, total: seen.append((n, total)),
    )
    assert done.path.is_file() and pq.ParquetFile(done.path).metadata.num_rows == 28
    assert seen[-1] == (28, 28) and done.pruned.n_passes == 0
    batch = pass_batch_table(store).iloc[0]
    assert (batch["batch_id"], batch["status"], batch["n_stored"]) == (
        done.batch_id,
        "committed",
        28,
    )
    assert store.audit_log()["action"].tolist()[:2] == ["passes_import", "checkpoints_import"]
    result = screen(
        folder.checkpoints,
        str(folder.passes),
        settings=settings,
        now=NOW,
        date_from=screen_data.WEEK[0],
        date_to=screen_data.WEEK[1],
    )
    assert "渝F12345" in set(result.suspects["plate"])
    again = preview_passes(store, folder, path, settings=settings, now=NOW)
    assert (again.counts["new"], again.counts["duplicates"]) == (0, 28)
    assert again.same_file == done.batch_id
    with pytest.raises(PassImportError, match="nothing to import"):
        commit_passes(store, folder, again, username="ana", settings=settings, now=NOW)


def test_repeats_within_a_file(env, tmp_path) -> None:
    store, folder, settings = env
    rows = pd.concat([screen_data.passes().head(5)] * 2, ignore_index=True)
    pre = preview_passes(store, folder, _file(tmp_path, rows), settings=settings, now=NOW)
    assert (pre.counts["new"], pre.counts["repeated"]) == (5, 5)


def test_commit_refused_when_the_folder_changed(env, tmp_path) -> None:
    store, folder, settings = env
    rows = screen_data.passes()
    first = preview_passes(store, folder, _file(tmp_path, rows.head(6)), settings=settings, now=NOW)
    second = preview_passes(
        store, folder, _file(tmp_path, rows.head(8), "b.csv"), settings=settings, now=NOW
    )
    commit_passes(store, folder, first, username="ana", settings=settings, now=NOW)
    with pytest.raises(PassImportError, match="preview the file again"):
        commit_passes(store, folder, second, username="ana", settings=settings, now=NOW)


def test_undo_round_trip_and_order(env, tmp_path) -> None:
    store, folder, settings = env
    rows = screen_data.passes()

    def load(frame: pd.DataFrame, name: str) -> str:
        pre = preview_passes(
            store, folder, _file(tmp_path, frame, name), settings=settings, now=NOW
        )
        return commit_passes(
            store, folder, pre, username="ana", settings=settings, now=NOW
        ).batch_id

    a = load(rows.head(10), "a.csv")
    b = load(rows.head(20), "b.csv")  # repeats a's ten passes: they stay in a's file only
    with pytest.raises(PassImportError, match=b):
        undo_passes(store, folder, a, username="cmd")
    assert undo_passes(store, folder, b, username="cmd") == 10
    assert undo_passes(store, folder, a, username="cmd") == 10
    assert folder.pass_files() == []
    table = pass_batch_table(store).set_index("batch_id")
    assert table.loc[[a, b], "status"].tolist() == ["undone", "undone"]
    assert store.audit_log()["action"].tolist()[:2] == ["passes_undo", "passes_undo"]
    with pytest.raises(PassImportError, match="nothing to undo"):
        undo_passes(store, folder, a, username="cmd")
    again = preview_passes(
        store, folder, _file(tmp_path, rows, "c.csv"), settings=settings, now=NOW
    )
    assert again.counts["new"] == 28 and again.same_file == ""


def test_retention_deletes_exactly_the_old_passes(env, tmp_path) -> None:
    store, folder, settings = env
    rows = screen_data.passes()
    old = pd.DataFrame(
        {
            "号牌号码": ["渝F11111"] * 3,
            "过车时间": ["2025-09-01 08:00:00", "2025-09-02 08:00:00", "2025-09-02 09:00:00"],
            "卡口编号": "U1",
        }
    )
    for frame, name in ((rows, "new.csv"), (old, "old.csv")):
        pre = preview_passes(
            store, folder, _file(tmp_path, frame, name), settings=settings, now=NOW
        )
        commit_passes(store, folder, pre, username="ana", settings=settings, now=NOW)
    before = _all_passes(folder)
    # keep 31 days before 2025-11-01: from 2025-10-01 on; the September file goes
    result = prune_passes(store, folder, days=31, username="cron", now=NOW)
    assert (result.n_passes, result.n_days, result.cutoff) == (3, 2, dt.date(2025, 10, 1))
    assert len(result.files_removed) == 1 and result.files_rewritten == ()
    # 30 days: from 2025-10-02; the 2025-10-01 pass of the other file goes, the rest stays
    result = prune_passes(store, folder, days=30, username="cron", now=NOW)
    assert (result.n_passes, result.n_days, len(result.files_rewritten)) == (1, 1, 1)
    after = _all_passes(folder)
    assert len(after) == len(before) - 4
    assert after["pass_time"].min() >= pd.Timestamp("2025-10-02")
    expect = before[before["pass_time"] >= pd.Timestamp("2025-10-02")]
    assert sorted(map(tuple, after.to_numpy())) == sorted(map(tuple, expect.to_numpy()))
    log = store.audit_log()
    prunes = log[log["action"] == "passes_prune"]["detail"].tolist()
    assert len(prunes) == 2 and '"passes": 1' in prunes[0] and '"days": 2' in prunes[1]
    table = pass_batch_table(store)
    assert sorted(table["status"]) == ["committed", "expired"]
    assert sorted(table["n_pruned"]) == [1, 3]
    assert prune_passes(store, folder, days=30, username="cron", now=NOW).n_passes == 0
    assert prune_passes(store, folder, days=0, username="cron", now=NOW).cutoff is None
    assert len(store.audit_log()[lambda f: f["action"] == "passes_prune"]) == 2


def _all_passes(folder: PassFolder) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(p) for p in folder.pass_files()], ignore_index=True)


def test_passes_beyond_retention_are_rejected_at_preview(env, tmp_path) -> None:
    store, folder, _ = env
    settings = _settings(tmp_path, days=30)
    pre = preview_passes(
        store, folder, _file(tmp_path, screen_data.passes()), settings=settings, now=NOW
    )
    assert pre.counts["reject_past_retention"] == 1 and pre.counts["new"] == 27


class TestErrors:
    def test_no_checkpoint_list_says_where_to_put_it(self, tmp_path) -> None:
        store = Store(f"sqlite:///{tmp_path}/s.sqlite")
        folder = PassFolder(tmp_path / "screening")
        with pytest.raises(PassImportError, match="checkpoints.csv") as info:
            preview_passes(
                store,
                folder,
                _file(tmp_path, screen_data.passes()),
                settings=_settings(tmp_path),
                now=NOW,
            )
        assert "卡口清单" in info.value.text("zh")

    def test_missing_column_is_named(self, tmp_path) -> None:
        path = _file(tmp_path, pd.DataFrame({"号牌号码": ["渝F12345"], "卡口编号": ["U1"]}))
        with pytest.raises(PassImportError, match=r"\['time'\]"):
            read_pass_file(path)

    def test_unknown_type(self, tmp_path) -> None:
        (tmp_path / "x.docx").write_bytes(b"x")
        with pytest.raises(PassImportError, match="CSV, XLSX or Parquet"):
            read_pass_file(tmp_path / "x.docx")

    def test_bad_checkpoint_list(self, env, tmp_path) -> None:
        store, folder, settings = env
        bad = _file(tmp_path, pd.DataFrame({"名称": ["x"]}), "cp.csv")
        with pytest.raises(PassImportError, match="no column"):
            save_checkpoints(store, folder, bad, settings=settings, username="ana")
        assert folder.checkpoints.is_file()  # the old list stays


def test_who_may_import_passes() -> None:
    def can(role: str) -> bool:
        town = "500235105" if role == "township" else None
        return User("u", role, town).can("import_passes")

    assert can("commander") and can("analyst") and not can("township")


@hyp_settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["渝F12345", "渝FA0001", "", "渝 f·a0001", "未识别", "AB"]),
            st.sampled_from(
                [
                    f"{MON} 08:00:00",
                    "2025/10/14 9:05",
                    "20251015101500",
                    "bad",
                    "2099-01-01 00:00:00",
                    "",
                ]
            ),
            st.sampled_from(["U1", "H1", " A1 ", "K9", ""]),
        ),
        max_size=25,
    )
)
def test_every_row_is_accounted_for(env, tmp_path, rows) -> None:
    store, folder, settings = env
    frame = pd.DataFrame(rows, columns=["号牌号码", "过车时间", "卡口编号"], dtype=object)
    pre = preview_passes(store, folder, _file(tmp_path, frame), settings=settings, now=NOW)
    c = pre.counts
    assert c["rows"] == c["new"] + c["rejected"] + c["duplicates"] + c["repeated"]
    assert len(pre.rejects) == c["rejected"]
    assert not pre.passes.duplicated().any()


def test_cli_import_undo_prune(tmp_path, capsys) -> None:
    from geo.cli import main

    config = tmp_path / "hexpatrol.toml"
    config.write_text('data_dir = "var"\n[screening]\npasses_retention_days = 0\n', "utf-8")
    common = ["--config", str(config), "--db", f"sqlite:///{tmp_path}/s.sqlite", "--user", "cron"]
    day = _file(tmp_path, screen_data.passes())
    assert main(["passes", "import", str(day), *common]) == 2  # no checkpoint list yet
    assert "checkpoints" in capsys.readouterr().err
    cps = _file(tmp_path, screen_data.CHECKPOINTS, "cps.csv")
    assert main(["passes", "checkpoints", str(cps), *common]) == 0
    assert "5 checkpoints written" in capsys.readouterr().out
    assert main(["passes", "import", str(day), "--dry-run", *common]) == 0
    out = capsys.readouterr().out
    assert "32 rows: 28 new passes" in out and "nothing written" in out
    assert "rejected, bad_time: 1 (rows 30" in out
    assert not (tmp_path / "var" / "screening" / "passes").exists()
    assert main(["passes", "import", str(day), *common]) == 0
    out = capsys.readouterr().out
    assert "batch P" in out and "retention: passes are kept for ever" in out
    assert main(["passes", "import", str(day), *common]) == 0
    assert "28 already stored" in capsys.readouterr().out
    assert main(["passes", "batches", *common]) == 0
    batch = capsys.readouterr().out.split()[0]
    # a day of retention: every pass of October 2025 is older than that
    config.write_text('data_dir = "var"\n[screening]\npasses_retention_days = 1\n', "utf-8")
    assert main(["passes", "prune", *common]) == 0
    assert "retention: deleted 28 passes of 3 days" in capsys.readouterr().out
    assert main(["passes", "undo", batch, *common]) == 2  # its file went with the retention
    assert "expired" in capsys.readouterr().err
    assert main(["passes", "undo", "P-none", *common]) == 2
    assert "no pass batch" in capsys.readouterr().err
