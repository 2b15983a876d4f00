"""嫌疑车辆活动 on the situation map and the planner's weight, in the real app (Chromium).

The app runs on the demo region with a small synthetic pass folder of its own (a tenth of
the demo's vehicles over two weeks, as tests/app/test_vehicles.py) and a store of its own.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator

import pytest

from tests.app.test_browser import (
    CHROMIUM,
    FLAGS,
    ROOT,
    _login,
    _map_frame,
    _offline_page,
    _open,
    _pick,
    run_app,
)

pytestmark = pytest.mark.browser
#: the 嫌疑车辆活动 hexagons' outline (layers.style.SUSPECT_EDGE)
SUSPECT = 'path[stroke="#3f007d"]'


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    sys.path.insert(0, str(ROOT / "data"))
    import make_passes  # data/make_passes.py

    base = tmp_path_factory.mktemp("suspects")
    make_passes.write_demo(base / "var" / "demo_passes", scale=0.1, n_days=14)
    (base / "hexpatrol.toml").write_text('data_dir = "var"\n', encoding="utf-8")
    yield from run_app(tmp_path_factory, {"HEXPATROL_CONFIG": str(base / "hexpatrol.toml")})


def _count(frame, selector: str) -> int:
    try:
        return int(frame.locator(selector).count())
    except Exception:  # frame detached while the app reruns
        return 0


def _caption(page) -> str:
    texts = page.locator("[data-testid=stCaptionContainer]").all_inner_texts()
    return next((x for x in texts if "嫌疑车辆活动图层" in x), "")


def _night_map(page) -> tuple[int, str, str]:
    """Choose 夜间; the suspect hexagons drawn, the legend and the caption."""
    _map_frame(page, timeout=180)
    _pick(page, "时段(需同时满足)", ["夜间"])
    deadline, caption = time.time() + 120, ""
    while time.time() < deadline and "夜间" not in caption:
        time.sleep(1)
        caption = _caption(page)
    time.sleep(4)  # the map redrawn for the new period
    frame = _map_frame(page)
    return frame.locator(SUSPECT).count(), frame.locator(".hexpatrol-legend").inner_text(), caption


def test_map_layer_and_planner_weight(app_url: str) -> None:
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = _offline_page(browser, blocked, 1250)
            page.goto(app_url)
            _login(page, "commander")
            drawn, legend, caption = _night_map(page)
            control = _map_frame(page).locator(".leaflet-control-layers").text_content() or ""
            page.screenshot(path=str(ROOT / "docs" / "suspects_map.png"), full_page=False)
            _open(page, "巡逻建议")
            slider = page.get_by_role("slider", name="嫌疑车辆活动权重")
            slider.wait_for(timeout=60_000)
            slider.focus()
            for _ in range(10):  # 0.05 a step: 0.5
                page.keyboard.press("ArrowRight")
            page.get_by_role("button", name="生成巡逻方案").click()
            note = page.get_by_text("风险中混入嫌疑车辆活动")
            note.wait_for(timeout=180_000)
            said = note.inner_text()
            page.set_viewport_size({"width": 1400, "height": 1900})  # the plan's map too
            deadline, on_plan = time.time() + 120, 0
            while time.time() < deadline and not on_plan:
                time.sleep(1)
                frames = [f for f in page.frames if _count(f, ".hexpatrol-post")]
                on_plan = sum(_count(f, SUSPECT) for f in frames)
            time.sleep(3)
            page.screenshot(path=str(ROOT / "docs" / "patrol_suspects.png"), full_page=False)
        finally:
            browser.close()
    n = int(re.search(r"共 (\d+) 个六边形", caption).group(1))
    assert drawn == n > 0  # one outlined hexagon per cell with suspect passes at night
    assert "嫌疑车辆活动(按等级加权的过车次数)" in legend
    assert "嫌疑车辆活动" in control  # a layer of its own in the layer control
    assert "权重 0.5" in said
    assert on_plan > 0  # the plan's map shows the activity the weight blended in
    assert blocked == []


def test_township_sees_its_own_cells_only(app_url: str) -> None:
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = _offline_page(browser, blocked, 1100)
            page.goto(app_url)
            _login(page, "commander")
            county, _, _ = _night_map(page)
            page.get_by_role("button", name="退出登录").click()
            _login(page, "t500235105")  # 龙角镇
            drawn, _, caption = _night_map(page)
            labels = _map_frame(page).locator(".hexpatrol-township-label").all_inner_texts()
        finally:
            browser.close()
    assert labels == ["龙角镇"]
    assert 0 < drawn < county and f"共 {drawn} 个六边形" in caption
    assert blocked == []
