"""数据导入 › 过车数据 in the real app (headless Chromium): checkpoint list, preview, commit, undo.

The app runs with a data directory of its own (the pass folder starts empty) and its own
store; the files are the small synthetic tables of tests/geo/screen_data.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.store import Store
from tests.app.test_browser import CHROMIUM, FLAGS, ROOT, _login, _offline_page, run_app
from tests.app.test_words import settle
from tests.geo import screen_data


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    base = tmp_path_factory.mktemp("passimport")
    config = base / "hexpatrol.toml"
    config.write_text('data_dir = "var"\n[screening]\npasses_retention_days = 0\n', "utf-8")
    env = {"HEXPATROL_CONFIG": str(config), "HEXPATROL_DB_URL": f"sqlite:///{base}/s.sqlite"}
    for url in run_app(tmp_path_factory, env):
        yield url, base


def _upload(page, label: str, name: str, data: bytes) -> None:
    box = page.locator("[data-testid=stFileUploader]").filter(has_text=label)
    box.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data}
    )
    settle(page, 3)


def test_passes_preview_commit_undo(deployment, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    url, base = deployment
    shots = ROOT / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = _offline_page(browser, blocked, 1300)
            page.goto(f"{url}/import")
            _login(page, "commander")
            page.get_by_text("过车数据", exact=True).click()
            settle(page, 2)
            assert page.get_by_text("还没有卡口清单").count() == 1
            page.screenshot(path=str(shots / "passes_no_checkpoints.png"), full_page=True)
            cps = screen_data.CHECKPOINTS.to_csv(index=False).encode("utf-8")
            _upload(page, "上传卡口清单", "卡口.csv", cps)
            page.get_by_role("button", name="确认使用该卡口清单").click()
            settle(page, 3)
            assert page.get_by_text("已保存卡口清单:5 个卡口").count() == 1
            day = screen_data.passes().to_csv(index=False).encode("utf-8")
            _upload(page, "上传过车文件", "过车_20251018.csv", day)
            page.get_by_role("button", name="确认导入过车数据").wait_for(timeout=60_000)
            page.get_by_text("新增过车", exact=True).wait_for(timeout=60_000)
            settle(page, 2)  # a busy machine draws the figures after the button
            text = page.locator("[data-testid=stMain]").inner_text()
            assert "新增过车\n\n28" in text or re.search(r"新增过车\s+28", text), text[:2000]
            assert "渝F55555" not in text  # the rejected rows: a table (canvas), plates masked
            assert page.locator("[data-testid=stDataFrame]").count() == 1
            page.screenshot(path=str(shots / "passes_preview.png"), full_page=True)
            page.get_by_role("button", name="确认导入过车数据").click()
            page.get_by_text(re.compile("已导入批次 P")).wait_for(timeout=60_000)
            settle(page, 2)
            page.screenshot(path=str(shots / "passes_committed.png"), full_page=True)
            files = list((base / "var" / "screening" / "passes").glob("*.parquet"))
            assert len(files) == 1
            page.get_by_role("button", name="撤销该过车批次").click()
            page.get_by_text("此操作不可恢复").wait_for(timeout=30_000)
            page.screenshot(path=str(shots / "passes_undo_dialog.png"), full_page=False)
            page.get_by_role("button", name="确认撤销").click()
            page.get_by_text(re.compile("已撤销过车批次 P.*删除 28 条")).wait_for(timeout=60_000)
            assert list((base / "var" / "screening" / "passes").glob("*.parquet")) == []
        finally:
            browser.close()
    assert blocked == []
    store = Store(f"sqlite:///{base}/s.sqlite")
    actions = store.audit_log()["action"].tolist()
    assert {"checkpoints_import", "passes_import", "passes_undo"} <= set(actions)


@pytest.mark.parametrize(("name", "allowed"), [("analyst", True), ("t500235105", False)])
def test_who_sees_the_pass_import(name: str, allowed: bool) -> None:
    from tests.app.test_pages import login

    at = login(name)
    at.switch_page("app_pages/imports.py").run()
    assert not at.exception, at.exception
    kinds = [r for r in at.radio if r.key == "import_kind"]
    assert bool(kinds) is allowed
    if allowed:
        kinds[0].set_value("passes").run()
        assert not at.exception, at.exception
        assert any("卡口清单" in str(w.value) for w in [*at.warning, *at.caption])
