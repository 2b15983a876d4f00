"""Drive the real app in headless Chromium with every non-local request blocked."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = (
    "http://localhost",
    "http://127.0.0.1",
    "ws://localhost",
    "ws://127.0.0.1",
    "data:",
    "blob:",
    "about:",
)

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from run_app(tmp_path_factory)


def run_app(
    tmp_path_factory: pytest.TempPathFactory, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Start the app on a free port (optionally with more environment); yield its URL."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian chromium is missing: `make test` installs it")
        pytest.skip("chromium not installed (run `make test`)")
    port = _free_port()
    folder = tmp_path_factory.mktemp("streamlit")
    log_path = folder / "streamlit.log"
    # its own store: other tests of this process change theirs (batches undone, users added)
    env = {"HEXPATROL_DB_URL": f"sqlite:///{folder / 'store.sqlite'}", **(env or {})}
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [  # as `make run` starts it: the store prepared and the pages' code loaded first
            sys.executable,
            "-m",
            "app_pages.launch",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **env},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180  # the launcher prepares the store before it listens
        while time.time() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"the app did not start within 180 s: {log_path.read_text()[-2000:]}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _map_frame(page, minimum: int = 1, timeout: float = 90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for f in page.frames:
            try:
                if f.locator("path.leaflet-interactive").count() >= minimum:
                    return f
            except Exception:  # frame detached while the app reruns
                pass
        time.sleep(1)
    raise AssertionError(f"no Leaflet paths drawn within {timeout} s")


def _settled(page, read, tries: int = 6):
    """``read(frame)`` on the map's frame, again if the app replaced the frame meanwhile."""
    for attempt in range(tries):
        try:
            return read(_map_frame(page))
        except Exception:  # the frame was detached by a rerun: take the new one
            if attempt == tries - 1:
                raise
            time.sleep(3)
    raise AssertionError("unreachable")


def _pick(page, label: str, values: list[str]) -> None:
    box = page.get_by_role("combobox", name=label)
    for value in values:
        box.click()
        page.keyboard.type(value)
        time.sleep(0.5)
        page.keyboard.press("Enter")
        time.sleep(1.5)
    page.keyboard.press("Escape")


def _offline_page(browser, blocked: list[str], height: int):
    """A page whose every non-local request is recorded in ``blocked`` and aborted."""
    ctx = browser.new_context(viewport={"width": 1400, "height": height}, locale="zh-CN")

    def route(r):  # the machine has no internet: prove the app needs none
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    return ctx.new_page()


def _login(page, name: str, password: str = "hexpatrol-demo") -> None:
    """Fill the login form of a freshly opened app page."""
    page.get_by_label("用户名", exact=True).wait_for(timeout=120_000)  # busy machines start slowly
    page.get_by_label("用户名", exact=True).fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="退出登录").wait_for(timeout=60_000)


def _open(page, label: str) -> None:
    """Go to a page through the sidebar (a full reload would start a new, logged-out session)."""
    page.get_by_role("link", name=label).click()


def test_map_draws_offline(app_url: str) -> None:
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    failed: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = _offline_page(browser, blocked, 1250)
            page.on(
                "response", lambda resp: failed.append(resp.url) if resp.status >= 400 else None
            )
            page.goto(app_url)
            _login(page, "commander")
            frame = _map_frame(page)
            time.sleep(2)  # let the last layers settle
            paths = frame.locator("path.leaflet-interactive").count()
            badges = frame.locator(".hexpatrol-ka").count()
            labels = frame.locator(".hexpatrol-township-label").count()
            legend = frame.locator(".hexpatrol-legend").inner_text()
            hot_county = frame.locator('path[fill="#b2182b"]').count()
            tiles = frame.eval_on_selector_all(
                "img.leaflet-tile-loaded", "els => els.map(e => [e.src, e.naturalWidth])"
            )
            scale = frame.locator(".leaflet-control-scale").inner_text()
            attribution = frame.locator(".leaflet-control-attribution").inner_html()

            # the county town and the HSR district, as a commander would zoom in
            _pick(page, "乡镇/街道(空=全县)", ["双江街道", "青龙街道", "黄石镇", "人和街道"])
            time.sleep(6)

            def counts(frame):
                return (
                    frame.locator(".hexpatrol-township-label").count(),
                    frame.locator('path[fill="#b2182b"]').count(),
                    frame.get_by_text("云阳站(高铁)").count(),
                    frame.get_by_text("巴阳场镇集市").count(),  # a market outside the four
                )

            town_labels, hot_town, hsr_badge, elsewhere = _settled(page, counts)
            out = ROOT / "docs" / "screenshot.png"
            out.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(out), full_page=False)
        finally:
            browser.close()
    assert paths > 500  # hexagons + 42 townships + routes + key-area circles + base layers
    # the demo's base map: tiles imported from an MBTiles, served by the app itself
    assert tiles and all(
        src.startswith(f"{app_url}/app/static/tiles/demo/") and width == 256 for src, width in tiles
    )
    assert "km" in scale and "mi" not in scale  # metric only
    assert "<svg" not in attribution and "示意底图" in attribution  # no flag
    assert badges >= 20 and labels == 42
    assert "Gi*" in legend and "热点(99%置信)" in legend
    assert hot_county > 0 and hot_town > 0 and town_labels == 4 and hsr_badge >= 1
    assert elsewhere == 0
    assert blocked == [], f"the app tried to reach the internet: {blocked[:5]}"
    assert failed == [], f"local requests failed: {failed[:5]}"
    assert out.stat().st_size > 50_000


def test_patrol_page_draws_posts(app_url: str) -> None:
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = _offline_page(browser, blocked, 1750)
            page.goto(app_url)
            _login(page, "commander")
            _open(page, "巡逻建议")
            page.get_by_role("button", name="生成巡逻方案").click()
            deadline, frame = time.time() + 90, None
            while time.time() < deadline and frame is None:
                for f in page.frames:
                    try:
                        if f.locator(".hexpatrol-post").count():
                            frame = f
                            break
                    except Exception:
                        pass
                time.sleep(1)
            assert frame is not None, "no patrol posts drawn within 90 s"
            time.sleep(2)
            posts = frame.locator(".hexpatrol-post").count()
            page.screenshot(path=str(ROOT / "docs" / "patrol.png"), full_page=False)
            # the workbook is made when the button is pressed (deferred), then downloaded
            with page.expect_download(timeout=120_000) as got:
                page.get_by_role("button", name="下载 Excel").click()
            workbook = Path(got.value.path()).read_bytes()
        finally:
            browser.close()
    assert posts >= 9  # 3 fixed + 6 mobile, and the rotation's other posts, all numbered
    assert blocked == []
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    assert book.sheetnames[0] == "分组安排" and "地图" in book.sheetnames


def test_briefing_pdf_is_made_when_asked_for(app_url: str) -> None:
    """The briefing's PDF is written by LibreOffice when its button is pressed, not before."""
    from playwright.sync_api import sync_playwright

    if not shutil.which("soffice") and not shutil.which("libreoffice"):
        pytest.skip("LibreOffice is not installed (make test installs it)")
    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = _offline_page(browser, blocked, 1200)
            page.goto(app_url)
            _login(page, "analyst")
            _open(page, "月度通报")
            page.get_by_role("button", name="生成通报").click()
            button = page.get_by_role("button", name="下载 PDF")
            button.wait_for(timeout=180_000)
            with page.expect_download(timeout=180_000) as got:
                button.click()
            pdf = Path(got.value.path()).read_bytes()
            name = got.value.suggested_filename
        finally:
            browser.close()
    assert pdf.startswith(b"%PDF") and name.startswith("briefing_") and name.endswith(".pdf")
    assert blocked == []


def test_login_scope_and_logout(app_url: str) -> None:
    """A township account sees its own township only, then logs out to the login form."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = _offline_page(browser, blocked, 1100)
            page.goto(f"{app_url}/patrol")  # a page's address before login: the login form
            page.get_by_label("密码", exact=True).wait_for(timeout=60_000)
            assert page.get_by_role("button", name="生成巡逻方案").count() == 0
            page.get_by_label("用户名", exact=True).fill("t500235105")
            page.get_by_label("密码", exact=True).fill("wrong password")
            page.get_by_role("button", name="登录", exact=True).click()
            page.get_by_text("登录失败").wait_for(timeout=30_000)
            _login(page, "t500235105")
            # the address asked for before the login opens after it
            page.get_by_role("button", name="生成巡逻方案").wait_for(timeout=60_000)
            _open(page, "态势地图")
            frame = _map_frame(page)
            time.sleep(3)
            labels = frame.locator(".hexpatrol-township-label").all_inner_texts()
            sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
            page.screenshot(path=str(ROOT / "docs" / "township.png"), full_page=False)
            page.get_by_role("button", name="退出登录").click()
            page.get_by_label("密码", exact=True).wait_for(timeout=60_000)
            page.get_by_role("button", name="退出登录").wait_for(state="detached", timeout=30_000)
            time.sleep(2)
            after = page.get_by_role("button", name="退出登录").count()
            after_map = sum(f.locator("path.leaflet-interactive").count() for f in page.frames)
        finally:
            browser.close()
    assert labels == ["龙角镇"]  # its own township only, no neighbour drawn
    assert "审计日志" not in sidebar and "龙角镇(乡镇)" in sidebar
    assert after == 0 and after_map == 0
    assert blocked == []


def _leaflet_view(frame) -> tuple[float, float, float]:
    return tuple(
        frame.evaluate(
            "() => { const k = Object.keys(window).find(k => k.startsWith('map_'));"
            " const m = window[k]; const c = m.getCenter(); return [m.getZoom(), c.lat, c.lng]; }"
        )
    )


def test_cluster_layer_and_hotspot_list(app_url: str) -> None:
    """Ticking the clustered events keeps the map; choosing a hotspot zooms the map there."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = _offline_page(browser, blocked, 1250)
            page.goto(app_url)
            _login(page, "commander")
            _map_frame(page)
            page.get_by_text("显示事件点(聚合)").click()
            deadline, clusters, frame = time.time() + 90, 0, None
            while time.time() < deadline and not clusters:
                for f in page.frames:
                    try:
                        clusters = f.locator(".marker-cluster").count()
                    except Exception:
                        clusters = 0
                    if clusters:
                        frame = f
                        break
                time.sleep(1)
            assert frame is not None, "the clustered event layer drew nothing"
            frame.page.on("pageerror", lambda exc: errors.append(str(exc)))
            paths_with_clusters = frame.locator("path.leaflet-interactive").count()
            zoom_before = _leaflet_view(frame)[0]
            first = page.get_by_text("1. ", exact=False).first
            place = first.inner_text()
            first.click()
            deadline, view = time.time() + 60, (zoom_before, 0.0, 0.0)
            while time.time() < deadline and view[0] < 13.5:
                time.sleep(1)
                try:
                    view = _leaflet_view(_map_frame(page, timeout=30))
                except Exception:
                    pass
            time.sleep(2)
            page.screenshot(path=str(ROOT / "docs" / "hotspots.png"), full_page=False)
        finally:
            browser.close()
    assert clusters > 0 and paths_with_clusters > 100
    assert " · " in place and ("米" in place or "公里" in place)  # a place, not a hexagon id
    assert zoom_before < 12 and view[0] >= 13.5  # zoomed in on the chosen hotspot
    assert 30.5 < view[1] < 31.5 and 108.3 < view[2] < 109.3
    assert errors == [] and blocked == []


def test_enter_applies_a_typed_date(app_url: str) -> None:
    """A date typed into the sidebar's range applies on Enter, without leaving the field."""
    from playwright.sync_api import sync_playwright

    from tests.app.test_words import settle

    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = _offline_page(browser, blocked, 1000)
            page.goto(app_url)
            _login(page, "commander")
            events = page.locator("[data-testid=stMetric]", has_text="事件数").first
            events.wait_for(timeout=120_000)
            settle(page)  # the whole map page drawn and at rest, not a metric of a passing run
            before = events.inner_text()
            page.get_by_role("spinbutton", name="year, 日期范围 start date").click()
            page.keyboard.type("2025")  # the data start in 2024: a shorter range
            time.sleep(2)
            assert events.inner_text() == before  # typing alone applies nothing yet
            page.keyboard.press("Enter")
            deadline = time.time() + 60
            while time.time() < deadline and events.inner_text() == before:
                time.sleep(0.5)
            after = events.inner_text()
        finally:
            browser.close()
    assert after != before, "Enter did not apply the typed date"
    assert int(after.split()[-1].replace(",", "")) < int(before.split()[-1].replace(",", ""))
    assert not blocked
