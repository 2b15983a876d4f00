"""The store and the import workflow, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from geo import store as st
from geo.imports import (
    DuplicateRules,
    commit_import,
    decide,
    preview_import,
    review_flags,
    seed,
    undo_batch,
)
from geo.store import SCHEMA_VERSION, Store, StoreError

HEADER = "编号,类型,发生时间,经度,纬度,车牌号,举报人,举报人电话,核实情况\n"


def ledger(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode("utf-8")


BASE = ledger(
    "A1,查处,2025-10-01 20:00,108.65,30.95,渝F12345,,,",
    "A2,查处,2025-10-02 21:00,108.75,30.95,渝F55555,,,",
    "T1,举报,2025-10-03 08:00,108.66,30.96,渝F77777,张三,13800000001,核实中",
    "A3,查处,2025-10-04 09:00,200,30.95,渝F00000,,,",  # bad longitude
)


@pytest.fixture
def store(db_url: str) -> Store:
    with Store(db_url) as s:
        yield s


def snapshot(s: Store) -> dict[str, pd.DataFrame]:
    return {name: s.table(name) for name in st.DATA_TABLES}


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=False, obj=name)


def imp(s: Store, data: bytes, towns, name: str = "ledger.csv", **kw) -> str:
    preview = preview_import(s, data, name=name, townships=towns, **kw)
    batch = commit_import(s, preview, username="tester")
    assert batch is not None
    return batch


def test_new_store_has_current_schema(store: Store) -> None:
    assert store.version() == SCHEMA_VERSION
    assert store.events().empty
    assert store.n_batches() == 0


def test_upgrade_keeps_data(db_url: str, two_townships) -> None:
    with Store(db_url, migrate=False) as old:
        assert old.migrate(target=1) == 1
        assert not sa.inspect(old.engine).has_table("key_areas")
        imp(old, BASE, two_townships)
        before = snapshot(old)
    with Store(db_url) as new:  # opening migrates
        assert new.version() == SCHEMA_VERSION
        assert sa.inspect(new.engine).has_table("key_areas")
        assert_same(before, snapshot(new))


def test_newer_schema_is_refused(db_url: str) -> None:
    with Store(db_url) as s, s.write() as conn:
        conn.execute(st.schema_version.update().values(version=SCHEMA_VERSION + 1))
    with pytest.raises(StoreError, match="newer"):
        Store(db_url)


def test_preview_counts_and_commit(store: Store, two_townships) -> None:
    preview = preview_import(store, BASE, name="w1.csv", townships=two_townships)
    assert preview.counts == {
        "rows": 4,
        "new": 3,
        "changed": 0,
        "unchanged": 0,
        "rejected": 1,
        "flagged": 0,
    }
    assert store.events().empty  # a preview writes nothing
    batch = commit_import(store, preview, username="tester")
    ev = store.events()
    assert sorted(ev["event_id"]) == ["A1", "A2", "T1"]
    assert ev["occurred_at"].dt.tz is not None
    assert ev.loc[ev.event_id == "A1", "occurred_at"].iloc[0] == pd.Timestamp(
        "2025-10-01 20:00", tz="Asia/Shanghai"
    )
    # tipster identity is in its own table only
    assert "张三" not in ev.to_string() and "13800000001" not in ev.to_string()
    tips = store.table("tipsters")
    assert tips[["event_id", "tipster_name"]].values.tolist() == [["T1", "张三"]]
    # the reject keeps the original row (without tipster columns) and the reason
    rej = store.batch_rejects(batch)
    assert rej["row"].tolist() == [5]
    assert rej["original"].iloc[0]["经度"] == "200"
    assert "举报人" not in rej["original"].iloc[0]
    b = store.batches().iloc[0]
    assert (b.n_new, b.n_rejected, b.status, b.username) == (3, 1, "committed", "tester")
    assert "import" in store.audit_log()["action"].tolist()


def test_same_ledger_again_is_all_duplicates(store: Store, two_townships) -> None:
    imp(store, BASE, two_townships)
    before = snapshot(store)
    preview = preview_import(store, BASE, name="again.csv", townships=two_townships)
    assert (preview.counts["new"], preview.counts["unchanged"]) == (0, 3)
    commit_import(store, preview, username="tester")
    assert_same(before, snapshot(store))


def test_changed_row_replaces_and_undo_restores_exactly(store: Store, two_townships) -> None:
    first = imp(store, BASE, two_townships)
    before = snapshot(store)
    update = ledger(
        "T1,举报,2025-10-03 08:00,108.66,30.96,渝F77777,张三,13800000001,属实",
        "A9,查处,2025-10-05 22:00,108.70,30.97,渝F99999,,,",
    )
    preview = preview_import(store, update, name="w2.csv", townships=two_townships)
    assert (preview.counts["new"], preview.counts["changed"]) == (1, 1)
    second = commit_import(store, preview, username="tester")
    ev = store.events().set_index("event_id")
    assert ev.loc["T1", "status"] == "属实" and "A9" in ev.index
    # the first batch cannot go before the one that changed its event
    with pytest.raises(StoreError, match=second):
        undo_batch(store, first, username="tester")
    assert undo_batch(store, second, username="tester") == {"removed": 2, "restored": 1}
    assert_same(before, snapshot(store))
    with pytest.raises(StoreError, match="already undone"):
        undo_batch(store, second, username="tester")
    undo_batch(store, first, username="tester")
    assert store.events().empty and store.table("tipsters").empty
    assert set(store.batches()["status"]) == {"undone"}


def test_undo_unknown_batch(store: Store) -> None:
    with pytest.raises(StoreError, match="no import batch"):
        undo_batch(store, "B-nope", username="x")


def test_likely_duplicates_are_flagged_not_merged(store: Store, two_townships) -> None:
    imp(store, BASE, two_townships)
    near = ledger(
        # same plate (spelled with a dot), 10 min and ~100 m from A1
        "C1,查处,2025-10-01 20:10,108.651,30.9505,渝F·12345,,,",
        # same plate as T1, another tip two days later far away
        "T2,举报,2025-10-05 08:00,108.78,30.99,渝F77777,,,",
        # same plate as A2 but a day later: not a duplicate
        "C2,查处,2025-10-03 21:00,108.75,30.95,渝F55555,,,",
    )
    preview = preview_import(store, near, name="w2.csv", townships=two_townships)
    flags = preview.flags.set_index("event_id")
    assert flags.loc["C1", "other_id"] == "A1" and flags.loc["C1", "rule"] == "same_plate_near"
    assert flags.loc["T2", "other_id"] == "T1" and flags.loc["T2", "rule"] == "tip_same_vehicle"
    assert "C2" not in flags.index
    commit_import(store, preview, username="tester")
    assert len(store.events()) == 6  # flagged rows are stored, not merged
    open_flags = review_flags(store)
    assert len(open_flags) == 2
    c1 = int(open_flags.loc[open_flags.event_id == "C1", "id"].iloc[0])
    decide(store, c1, "duplicate", username="reviewer")
    assert "C1" not in set(store.events()["event_id"])
    assert "C1" in set(store.events(include_duplicates=True)["event_id"])
    assert len(review_flags(store)) == 1


def test_tight_rules_flag_nothing(store: Store, two_townships) -> None:
    imp(store, BASE, two_townships)
    near = ledger("C1,查处,2025-10-01 20:10,108.651,30.9505,渝F12345,,,")
    rules = DuplicateRules(minutes=5, metres=50, tip_days=0)
    preview = preview_import(store, near, name="x.csv", townships=two_townships, rules=rules)
    assert preview.flags.empty


def test_scope_rejects_rows_of_other_townships(store: Store, two_townships) -> None:
    preview = preview_import(
        store, BASE, name="town.csv", townships=two_townships, scope="500235001"
    )
    assert preview.counts["new"] == 2  # A1 and T1 lie in 甲镇; A2 in 乙乡
    codes = set(preview.result.rejects["reason_code"])
    assert codes == {"coord_range", "outside_scope"}
    commit_import(store, preview, username="town")
    assert set(store.events()["township_code"]) == {"500235001"}
    assert set(store.events(township_codes=["500235002"])["event_id"]) == set()


def test_data_survive_reopening(db_url: str, two_townships) -> None:
    with Store(db_url) as s:
        imp(s, BASE, two_townships)
        before = snapshot(s)
    with Store(db_url) as again:
        assert_same(before, snapshot(again))


def test_seed_happens_once(db_url: str, tmp_path, two_townships) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(BASE)
    with Store(db_url) as s:
        assert seed(s, [path], townships=two_townships) is not None
        assert seed(s, [path], townships=two_townships) is None
        assert len(s.events()) == 3 and s.n_batches() == 1


def test_options_round_trip(store: Store) -> None:
    assert store.get_option("blacklist", {"a": 1}) == {"a": 1}
    store.set_option("blacklist", {"vehicle_min_events": 4}, username="boss")
    assert store.get_option("blacklist") == {"vehicle_min_events": 4}


def test_reader_is_not_blocked_by_a_writer(db_url: str, two_townships) -> None:
    with Store(db_url) as s:
        imp(s, BASE, two_townships)
        with s.write() as conn:  # an import in progress
            conn.execute(st.events.delete())
            with Store(db_url) as reader:
                assert len(reader.events()) == 3  # sees the last committed state at once
        assert s.events().empty


def test_township_import_cannot_take_another_townships_record(store: Store, two_townships) -> None:
    east = ledger("1,查处,2025-10-01 20:00,108.75,30.95,渝F12345,,,")
    west = ledger("1,查处,2025-10-02 20:00,108.65,30.95,渝F12345,,,")
    imp(store, east, two_townships, scope="500235002")
    preview = preview_import(store, west, name="w.csv", townships=two_townships, scope="500235001")
    assert preview.counts["changed"] == 0 and preview.counts["rejected"] == 1
    assert preview.result.rejects["reason_code"].tolist() == ["id_taken"]
    commit_import(store, preview, username="west")
    assert store.events().set_index("event_id").loc["1", "township_code"] == "500235002"


def test_township_flags_never_point_at_a_neighbour(store: Store, two_townships) -> None:
    # the same plate close by, but across the border in the other township
    imp(store, ledger("E1,查处,2025-10-01 20:00,108.701,30.95,渝F12345,,,"), two_townships)
    west = ledger("W1,查处,2025-10-01 20:05,108.699,30.95,渝F12345,,,")
    county = preview_import(store, west, name="w.csv", townships=two_townships)
    town = preview_import(store, west, name="w.csv", townships=two_townships, scope="500235001")
    assert county.flags["other_id"].tolist() == ["E1"]
    assert town.flags.empty


def test_undo_of_a_change_keeps_earlier_reviews(store: Store, two_townships) -> None:
    imp(store, BASE, two_townships)
    imp(store, ledger("C1,查处,2025-10-01 20:10,108.651,30.9505,渝F12345,,,"), two_townships)
    flag = int(review_flags(store)["id"].iloc[0])
    decide(store, flag, "duplicate", username="reviewer")
    before = snapshot(store)
    changed = ledger("A1,查处,2025-10-01 20:00,108.65,30.95,渝F12345,,,核实")
    third = imp(store, changed, two_townships)
    assert "C1" not in set(store.events()["event_id"])  # still a confirmed duplicate
    undo_batch(store, third, username="tester")
    assert_same(before, snapshot(store))


def test_a_new_version_keeps_the_duplicate_mark_and_distinct_undoes_it(
    store: Store, two_townships
) -> None:
    imp(store, BASE, two_townships)
    imp(store, ledger("C1,查处,2025-10-01 20:10,108.651,30.9505,渝F12345,,,"), two_townships)
    flag = int(review_flags(store)["id"].iloc[0])
    decide(store, flag, "duplicate", username="reviewer")
    imp(store, ledger("C1,查处,2025-10-01 20:10,108.651,30.9505,渝F12345,,,属实"), two_townships)
    assert "C1" not in set(store.events()["event_id"])
    decide(store, flag, "distinct", username="reviewer")
    assert "C1" in set(store.events()["event_id"])


def test_batch_changes_say_what_a_batch_did(store: Store, two_townships) -> None:
    from geo.imports import batch_changes

    imp(store, BASE, two_townships)
    update = ledger(
        "T1,举报,2025-10-03 08:00,108.66,30.96,渝F77777,张三,13800000001,属实",
        "A9,查处,2025-10-05 22:00,108.70,30.97,渝F99999,,,",
    )
    second = imp(store, update, two_townships)
    changes = batch_changes(store, second).set_index("event_id")
    assert changes.loc["A9", "change"] == "added" and changes.loc["A9", "fields"] == ""
    assert changes.loc["T1", "change"] == "changed"
    assert changes.loc["T1", "fields"] == "status: 核实中 → 属实"
    east = batch_changes(store, second, township_codes=["500235002"])
    assert east.empty  # both rows lie in 甲镇
    assert "张三" not in batch_changes(store, second).to_string()


def test_revision_counts_data_changes_only(store: Store, two_townships) -> None:
    seen = [store.revision()]
    batch = imp(store, BASE, two_townships)
    seen.append(store.revision())
    store.log("someone", "login")  # not a change of the data
    assert store.revision() == seen[-1]
    imp(store, ledger("C1,查处,2025-10-01 20:10,108.651,30.9505,渝F12345,,,"), two_townships)
    seen.append(store.revision())
    decide(store, int(review_flags(store)["id"].iloc[0]), "duplicate", username="r")
    seen.append(store.revision())
    with pytest.raises(StoreError):
        undo_batch(store, "B-nope", username="x")  # refused: nothing changed
    assert store.revision() == seen[-1]
    undo_batch(store, batch, username="x")
    seen.append(store.revision())
    assert seen == ["0", "1", "2", "3", "4"]


def test_a_kept_revision_is_forgotten_by_a_write_and_seen_late_from_others(
    store: Store, two_townships
) -> None:
    assert store.revision(60.0) == "0"
    imp(store, BASE, two_townships)  # a write through this object: read again at once
    assert store.revision(60.0) == "1"
    with Store(store.url) as other:  # another worker's import
        imp(other, ledger("C1,查处,2025-10-01 20:10,108.651,30.9505,渝F12345,,,"), two_townships)
    assert store.revision(60.0) == "1"  # kept: seen within max_age
    assert store.revision() == "2"  # max_age 0 reads now
    assert store.revision(60.0) == "2"


def test_commit_compares_again_when_the_store_changed_since_the_preview(
    store: Store, two_townships
) -> None:
    preview = preview_import(store, BASE, name="late.csv", townships=two_townships)
    assert preview.counts["new"] == 3
    imp(store, BASE, two_townships)  # the same rows land first, from someone else
    late = commit_import(store, preview, username="late")
    row = store.batches().set_index("batch_id").loc[late]
    assert (row.n_new, row.n_unchanged) == (0, 3)
    assert len(store.events()) == 3
