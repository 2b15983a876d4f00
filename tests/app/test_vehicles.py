"""车辆筛查 in the running app (AppTest): each role's list, masking, scope, audit, blacklist.

The app runs on the demo region with a small synthetic pass folder of its own (a tenth of
the demo's vehicles over two weeks, ``data/make_passes.py``) and a store of its own.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.store import Store
from tests.app.test_pages import login, metric_values

ROOT = Path(__file__).resolve().parents[2]
PAGE = "app_pages/vehicles.py"
TOWNSHIP = "500235105"  # 龙角镇
GRADES = {"高度疑似", "疑似", "一般关注"}
PLATE = re.compile(r"^[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}$")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Store]]:
    """A config whose data directory holds a small demo pass folder; a fresh store."""
    import streamlit as st

    sys.path.insert(0, str(ROOT / "data"))
    import make_passes  # data/make_passes.py

    base = tmp_path_factory.mktemp("vehicles")
    make_passes.write_demo(base / "var" / "demo_passes", scale=0.1, n_days=14)
    (base / "hexpatrol.toml").write_text('data_dir = "var"\n', encoding="utf-8")
    url = f"sqlite:///{base}/store.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HEXPATROL_CONFIG", str(base / "hexpatrol.toml"))
        mp.setenv("HEXPATROL_DB_URL", url)
        st.cache_data.clear()
        st.cache_resource.clear()
        yield base, Store(url)
        st.cache_data.clear()
        st.cache_resource.clear()


def open_page(name: str) -> AppTest:
    at = login(name)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def the_list(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "等级" in d.value.columns)


def truth(base: Path) -> set[str]:
    return set(pd.read_csv(base / "var" / "demo_passes" / "truth.csv")["plate"])


def test_commander_sees_the_graded_list_with_plates(deployment) -> None:
    base, store = deployment
    at = open_page("commander")
    assert at.title[0].value == "车辆筛查"
    listed = int(metric_values(at)["列入名单车辆"].replace(",", ""))
    table = the_list(at)
    assert len(table) == listed > 0
    assert list(table.columns[:5]) == ["序号", "车牌", "等级", "得分", "主要依据"]
    assert not any(re.search(r"[A-Za-z]{3,}", c) for c in table.columns)  # no English header
    assert set(table["等级"]) <= GRADES
    assert table["车牌"].map(lambda p: bool(PLATE.match(p))).all()
    assert set(table["车牌"]) <= truth(base)
    assert table["主要依据"].str.len().gt(0).all()
    log = store.audit_log()
    mine = log[log["username"] == "commander"]
    assert {"screen", "vehicle_view"} <= set(mine["action"])
    viewed = mine.loc[mine["action"] == "vehicle_view", "detail"].iloc[0]
    assert table["车牌"].iloc[0] in viewed  # the first vehicle is shown and its view audited


def test_vehicle_view_and_grade_filter(deployment) -> None:
    at = open_page("commander")
    labels = [m.label for m in at.metric]
    assert {"过车次数", "经过卡口", "出车天数"} <= set(labels)
    assert any(s.value == "每日分时段过车次数" for s in at.subheader)
    before = the_list(at)
    last = before["等级"].iloc[-1]  # the lowest grade listed
    codes = {"高度疑似": "high", "疑似": "medium", "一般关注": "low"}
    grades = next(m for m in at.multiselect if m.label == "等级")
    grades.set_value([codes[last]]).run()
    assert not at.exception
    after = the_list(at)
    assert set(after["等级"]) == {last} and len(after) == (before["等级"] == last).sum()


def test_commander_adds_a_vehicle_to_the_blacklist(deployment) -> None:
    _, store = deployment
    at = open_page("commander")
    plate = the_list(at)["车牌"].iloc[0]
    at.text_input(key="vh_note").set_value("夜间往返高铁站")
    next(b for b in at.button if b.label == "加入黑名单").click().run()
    assert not at.exception
    assert any("已加入黑名单" in s.value for s in at.success)
    at.switch_page("app_pages/blacklist.py").run()
    assert not at.exception
    vehicles = at.dataframe[0].value
    row = vehicles[vehicles["车牌"] == plate]
    assert len(row) == 1 and row["备注"].tolist() == ["夜间往返高铁站"]  # one row a vehicle
    assert row["来源"].iloc[0] in ("过车筛查", "案件线索、过车筛查")  # also on the rules' list
    assert "blacklist_add" in set(store.audit_log()["action"])


def test_analyst_sees_masked_plates_with_ids(deployment) -> None:
    base, store = deployment
    at = open_page("analyst")
    table = the_list(at)
    assert len(table) and table["车牌"].str.match(r"^.[A-Z]·.\*+ \(V[0-9a-f]{8}\)$").all()
    text = "\n".join(d.value.to_string() for d in at.dataframe)
    text += "\n".join(str(s.value) for s in at.selectbox)
    assert not any(p in text for p in truth(base))
    assert not any(b.label == "加入黑名单" for b in at.button)
    log = store.audit_log()
    assert "vehicle_view" in set(log.loc[log["username"] == "analyst", "action"])


def test_township_sees_only_vehicles_at_its_checkpoints(deployment) -> None:
    base, _ = deployment
    at = open_page(f"t{TOWNSHIP}")
    table = the_list(at)
    assert len(table) > 0
    assert table["经过乡镇"].str.contains("龙角镇").all()
    assert not table["经过乡镇"].str.contains(r"\d").any()  # names, not codes
    assert table["车牌"].str.contains(r"\*").all()
    assert not any(p in table.to_string() for p in truth(base))
    county = the_list(open_page("analyst"))
    assert len(table) < len(county)
    checkpoints = next(d.value for d in at.dataframe if "卡口" in d.value.columns)
    assert checkpoints["卡口"].str.startswith("龙角镇").all()  # only its own checkpoints


def test_english_headers(deployment) -> None:
    at = open_page("commander")
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Grade" in d.value.columns)
    assert {"Plate", "Reasons"} <= set(table.columns)
    assert set(table["Grade"]) <= {"Highly suspected", "Suspected", "Watch"}


def test_without_passes_the_page_says_how_to_add_them(deployment, tmp_path, monkeypatch) -> None:
    import streamlit as st

    (tmp_path / "hexpatrol.toml").write_text('data_dir = "empty"\n', encoding="utf-8")
    monkeypatch.setenv("HEXPATROL_CONFIG", str(tmp_path / "hexpatrol.toml"))
    st.cache_resource.clear()
    try:
        at = open_page("commander")
        assert any("未找到过车数据" in i.value and "checkpoints.csv" in i.value for i in at.info)
    finally:
        st.cache_resource.clear()


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_map_and_planner_offer_suspect_activity(deployment) -> None:
    at = login("commander")
    at.switch_page("app_pages/map.py").run()
    assert not at.exception, at.exception
    assert any("嫌疑车辆活动图层" in c and "全部时段" in c for c in _captions(at))
    at.switch_page("app_pages/patrol.py").run()
    assert not at.exception, at.exception
    weight = next(s for s in at.slider if s.label == "嫌疑车辆活动权重")
    assert weight.value == 0.0  # off by default


def test_without_passes_the_map_and_planner_go_on(deployment, tmp_path, monkeypatch) -> None:
    import streamlit as st

    (tmp_path / "hexpatrol.toml").write_text('data_dir = "empty"\n', encoding="utf-8")
    monkeypatch.setenv("HEXPATROL_CONFIG", str(tmp_path / "hexpatrol.toml"))
    st.cache_resource.clear()
    try:
        at = login("commander")
        at.switch_page("app_pages/map.py").run()
        assert not at.exception, at.exception
        assert not any("嫌疑车辆" in c for c in _captions(at))  # no layer, no word
        assert [m.value for m in at.metric][0] != ""  # the map page itself is all there
        at.switch_page("app_pages/patrol.py").run()
        assert not at.exception, at.exception
        assert not any(s.label == "嫌疑车辆活动权重" for s in at.slider)
    finally:
        st.cache_resource.clear()
