"""Every word a user sees is in their language (issue 14), checked in the real browser.

Each role logs in, opens every page it may open and the states that matter (an import
preview with a rejected row, the undo dialog, a plan, a briefing), and the test collects what
is on the screen: the page's text (icons left out: they are glyphs), input placeholders and
the map's own text. In Chinese mode a Latin word outside a short allow-list fails the test;
in English mode a Chinese character that is not a name from the data fails it. Tables are
drawn on a canvas (no DOM text): their headers and values are checked in AppTest
(tests/app/test_pages.py, test_roles.py).
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import pytest

from geo.config import Settings
from geo.dataset import load_dataset
from tests.app.test_browser import CHROMIUM, FLAGS, ROOT, _offline_page, app_url  # noqa: F401

pytestmark = pytest.mark.browser

#: words that may stay Latin in Chinese mode: names of formats, methods, units and programs,
#: the language switch, and the demo's documented account names
ALLOWED = {
    "H3", "Gi", "PAI", "PEI", "Excel", "Word", "PDF", "CSV", "XLSX", "XLSM", "TXT", "TSV",
    "JSON", "GEOJSON", "GeoJSON", "MBTiles", "WGS", "GCJ", "BD", "GPS", "km", "m", "MB",
    "Leaflet", "English", "commander", "analyst", "z", "OpenStreetMap",
}
_TOKEN = re.compile(r"[A-Za-z0-9_.\-@/:*·]+")
_VISIBLE_TEXT = """(drop) => {
  if (!document.body) return '';
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('[data-testid=stIconMaterial], noscript, script, style' + drop)
      .forEach((e) => e.remove());
  copy.style.position = 'absolute'; copy.style.left = '-99999px';
  document.body.appendChild(copy);
  const text = copy.innerText; copy.remove();
  const holders = [...document.querySelectorAll('[placeholder]')]
      .map((e) => e.getAttribute('placeholder'));
  return [text, ...holders].join('\\n');
}"""
#: the briefing's preview: an official document, Chinese in either language (its words are
#: checked in Chinese mode; in English mode the page says so above it)
DOCUMENT = ".st-key-brief_document"


def latin_words(text: str) -> set[str]:
    """Latin words (tokens of letters only: ids, plates and file names are data, not words)."""
    return {
        tok
        for tok in _TOKEN.findall(text)
        if re.fullmatch(r"[A-Za-z]{2,}", tok) and tok not in ALLOWED
    }


def screen_text(page, drop: str = "") -> str:
    """What the user can read: the page, placeholders, and every frame (the maps).

    ``drop`` is a CSS selector of parts left out (with a leading comma), e.g. ``, .x``.
    """
    texts = [page.evaluate(_VISIBLE_TEXT, drop)]
    for frame in page.frames[1:]:
        try:
            texts.append(frame.evaluate(_VISIBLE_TEXT, ""))
        except Exception:  # a frame replaced while the app reruns
            pass
    return "\n".join(texts)


def settle(page, extra: float = 2.0, timeout: float = 120) -> None:
    """Wait until the app has drawn and stopped running, then a little more.

    Drawn: no placeholder (skeleton) left and the page's title shown; stopped: no
    status widget and no spinner, three times in a row (a run starts a moment after a click
    or a page load).
    """
    time.sleep(1)
    busy = (
        "() => !!document.querySelector("
        "'[data-testid=stStatusWidget], [data-testid=stSkeleton], [data-testid=stSpinner]')"
        " || !document.querySelector('[data-testid=stMain] h1')"  # every page has a title
        " || !window.__hexpatrolWords"  # the page's script that words Streamlit's own texts
    )
    deadline = time.time() + timeout
    calm = 0
    while time.time() < deadline and calm < 3:
        calm = 0 if page.evaluate(busy) else calm + 1
        time.sleep(0.5)
    time.sleep(extra)


def login(page, name: str, labels=("用户名", "密码", "登录", "退出登录")) -> None:
    """Fill the login form (``labels`` in the form's language)."""
    user, password, submit, logout = labels
    page.get_by_label(user, exact=True).fill(name, timeout=90_000)
    page.get_by_label(password, exact=True).fill("hexpatrol-demo")
    page.get_by_role("button", name=submit).click()
    page.get_by_role("button", name=logout).wait_for(timeout=120_000)


def ledger_with_a_bad_row() -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["案件编号", "查处时间", "经度", "纬度", "车牌号"])
    writer.writerow(["W1", "2025-10-01 20:15", "108.90", "30.93", "渝F12345"])
    writer.writerow(["W2", "25-10-01", "108.90", "30.93", "渝F12346"])
    return buf.getvalue().encode("utf-8")


def visit_all(page, base: str, role: str, shots: Path, drop: str = "") -> dict[str, str]:
    """Each page and state of ``role`` → the text on the screen there (without ``drop``)."""
    seen: dict[str, str] = {"map": ""}
    pages = ["", "patrol", "briefing", "blacklist", "vehicles", "evaluate", "import", "batches"]
    if role == "commander":
        pages += ["key-areas", "audit"]
    for path in pages:
        page.goto(f"{base}/{path}")
        settle(page, 4)
        page.locator("[data-testid=stMain] h1").first.wait_for(timeout=120_000)  # drawn
        name = path or "map"
        if path == "patrol":
            page.get_by_role("button", name=re.compile("生成巡逻方案|Make the plan")).click()
            settle(page, 3)
        if path == "briefing":
            for _attempt in range(2):  # a click before the page was ready is lost: click again
                page.get_by_role("button", name=re.compile("生成通报|Make the briefing")).click()
                settle(page, 3, timeout=240)
                try:  # the preview is the document itself: Chinese headings in any mode
                    page.get_by_text("一、总体情况").first.wait_for(timeout=120_000)
                    break
                except Exception:  # noqa: BLE001 - the assertion after the walk says what is missing
                    pass
        if path == "import":
            page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
                {"name": "台账.csv", "mimeType": "text/csv", "buffer": ledger_with_a_bad_row()}
            )
            settle(page, 3)
        if path == "batches" and role == "commander":
            page.get_by_role("button", name=re.compile("撤销该批次|Undo this batch")).click()
            settle(page, 2)
            try:  # a busy machine opens the dialog after the page settled
                page.get_by_role("dialog").wait_for(timeout=60_000)
            except Exception:  # noqa: BLE001 - the assertion below says what was missing
                pass
        seen[name] = screen_text(page, drop)
        page.screenshot(path=str(shots / f"{role}_{name}.png"), full_page=True)
    return seen


@pytest.mark.parametrize("role", ["commander", "analyst", "t500235105"])
def test_no_latin_word_in_chinese_mode(app_url: str, role: str, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = _offline_page(browser, blocked, 1300)
            page.goto(app_url)
            page.get_by_label("用户名", exact=True).wait_for(timeout=90_000)
            settle(page, 1)
            login_words = latin_words(screen_text(page))
            login(page, role)
            seen = visit_all(page, app_url, role, tmp_path)
        finally:
            browser.close()
    found = {name: sorted(latin_words(text)) for name, text in seen.items()}
    assert not login_words, login_words
    assert not {k: v for k, v in found.items() if v}, found
    # the preview was shown (its reasons are in a table drawn on a canvas, not in the text)
    assert "问题行及原因" in seen["import"] and "下载问题行" in seen["import"]
    assert re.search("[四五]、下月工作建议", seen["briefing"])  # the preview was read as well
    if role == "commander":
        assert "确认撤销" in seen["batches"]  # the undo dialog was open


def data_names() -> set[str]:
    """Names from the data that stay Chinese in English mode (places, key areas, routes)."""
    ds = load_dataset(Settings())
    names = set(ds.townships["name"]) | set(ds.key_areas["name"]) | set(ds.routes["name"])
    for layer in (ds.base_layers or {}).values():  # roads, rivers, villages of the base map
        if "name" in layer.columns:
            names |= set(layer["name"].dropna().astype(str))
    # the base map's own attribution (from its tile set) is data as well
    for meta in (ROOT / "static" / "tiles").glob("*/tileset.json"):
        names.add(str(json.loads(meta.read_text(encoding="utf-8")).get("attribution", "")))
    # plus the name of the file the test uploads (a user's file name is data too)
    return {n for n in names if isinstance(n, str)} | {"中文", "渝", "台账"}


def test_no_chinese_left_in_english_mode(app_url: str, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = _offline_page(browser, blocked, 1300)
            page.goto(app_url)
            page.get_by_text("English").click()
            settle(page, 1)
            login(page, "analyst", labels=("User name", "Password", "Log in", "Log out"))
            seen = visit_all(page, app_url, "analyst", tmp_path, drop=f", {DOCUMENT}")
        finally:
            browser.close()
    assert "official document in Chinese" in seen["briefing"]  # said above the preview
    allowed = data_names()
    leftover = {}
    for name, text in seen.items():
        for name_ in sorted(allowed, key=len, reverse=True):
            text = text.replace(name_, "")
        chinese = re.findall(r"[\u4e00-\u9fff]+", text)
        if chinese:
            leftover[name] = sorted(set(chinese))[:20]
    assert not leftover, leftover
