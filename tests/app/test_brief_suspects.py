"""月度通报 with checkpoint passes (AppTest): the section on suspect vehicles, no plate in it.

The app runs on the demo region with a small synthetic pass folder of its own (a twentieth
of the demo's vehicles over six weeks, so September and October, ``data/make_passes.py``)
and a store of its own.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_pages import login

ROOT = Path(__file__).resolve().parents[2]
PAGE = "app_pages/brief.py"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A config whose data directory holds a small demo pass folder; a fresh store."""
    import streamlit as st

    sys.path.insert(0, str(ROOT / "data"))
    import make_passes  # data/make_passes.py

    base = tmp_path_factory.mktemp("brief")
    make_passes.write_demo(base / "var" / "demo_passes", scale=0.05, n_days=42)
    (base / "hexpatrol.toml").write_text('data_dir = "var"\n', encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HEXPATROL_CONFIG", str(base / "hexpatrol.toml"))
        mp.setenv("HEXPATROL_DB_URL", f"sqlite:///{base}/store.sqlite")
        st.cache_data.clear()
        st.cache_resource.clear()
        yield base
        st.cache_data.clear()
        st.cache_resource.clear()


def briefing(name: str) -> AppTest:
    at = login(name)
    at.switch_page(PAGE).run()
    at.selectbox[0].set_value("2025-10").run()
    next(b for b in at.button if b.label == "生成通报").click().run()
    assert not at.exception, at.exception
    return at


def section(at: AppTest) -> str:
    texts = [str(m.value) for m in at.markdown]
    start = texts.index("**四、疑似非法营运车辆筛查情况**")
    end = texts.index("**五、下月工作建议**")
    return " ".join(texts[start + 1 : end])


def test_the_briefing_has_the_section_without_plates(deployment: Path) -> None:
    at = briefing("commander")  # a commander sees full plates on 车辆筛查, not here
    text = section(at)
    high = re.search(r"高度疑似(\d+)辆、疑似(\d+)辆、一般关注(\d+)辆", text)
    listed = re.search(r"本月列出疑似非法营运车辆(\d+)辆", text)
    assert high and listed and sum(int(g) for g in high.groups()) == int(listed.group(1)) > 0
    assert re.search(r"较上月新增\d+辆", text)
    places = next(d.value for d in at.dataframe if "卡口" in d.value.columns)
    assert 0 < len(places) <= 5 and places["过车(次)"].is_monotonic_decreasing
    assert not set(places["类型"]) & {"城区道路", "高速收费站"}
    plates = set(pd.read_csv(deployment / "var" / "demo_passes" / "truth.csv")["plate"])
    shown = text + " ".join(places.astype(str).to_numpy().ravel())
    assert not any(p in shown for p in plates)


def test_a_townships_briefing_counts_its_own(deployment: Path) -> None:
    county = int(re.search(r"列出疑似非法营运车辆(\d+)辆", section(briefing("commander")))[1])
    at = briefing("t500235121")  # 黄石镇: the HSR station's township
    text = section(at)
    assert text.startswith("根据黄石镇辖区内")
    mine = int(re.search(r"列出疑似非法营运车辆(\d+)辆", text)[1])
    assert 0 < mine < county
    places = next(d.value for d in at.dataframe if "卡口" in d.value.columns)
    assert set(places["所在乡镇"]) == {"黄石镇"}
