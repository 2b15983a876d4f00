"""A county's own MBTiles, imported with `hexpatrol basemap import`, is served by the app."""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.cli import main
from geo.tiles import remove_tileset
from tests.app.test_browser import CHROMIUM, FLAGS, _login, _map_frame, _offline_page, run_app
from tests.geo.test_tiles import make_mbtiles

pytestmark = pytest.mark.browser
MAGENTA = (255, 0, 255)


@pytest.fixture(scope="module")
def tiled_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The app with a freshly imported, all-magenta tile set as its base map."""
    tmp = tmp_path_factory.mktemp("basemap")
    name = f"pytest-{uuid.uuid4().hex[:8]}"
    make_mbtiles(tmp / "county.mbtiles", range(8, 11), color="#ff00ff")
    assert main(["basemap", "import", str(tmp / "county.mbtiles"), "--name", name]) == 0
    config = tmp / "hexpatrol.toml"
    config.write_text(f'tiles = "local"\nbasemap = "{name}"\n', encoding="utf-8")
    try:
        for url in run_app(tmp_path_factory, env={"HEXPATROL_CONFIG": str(config)}):
            yield url, name
    finally:
        remove_tileset(name)


def test_tiles_come_from_the_app(tiled_app: tuple[str, str]) -> None:
    from PIL import Image
    from playwright.sync_api import sync_playwright

    url, name = tiled_app
    blocked: list[str] = []
    tile_responses: list[tuple[str, int, str]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = _offline_page(browser, blocked, 1100)
            page.on(
                "response",
                lambda r: (
                    tile_responses.append((r.url, r.status, r.headers.get("content-type", "")))
                    if "/app/static/tiles/" in r.url
                    else None
                ),
            )
            page.goto(url)
            # the first start imports the demo ledgers into the new store: allow for it
            page.get_by_label("用户名", exact=True).wait_for(timeout=240_000)
            _login(page, "commander")
            frame = _map_frame(page, timeout=180)
            time.sleep(4)
            loaded = frame.eval_on_selector_all(
                "img.leaflet-tile-loaded", "els => els.map(e => e.src)"
            )
            shot = page.screenshot(full_page=False)
        finally:
            browser.close()
    assert loaded and all(src.startswith(f"{url}/app/static/tiles/{name}/") for src in loaded)
    assert tile_responses and all(
        status == 200 and ctype.startswith("image/png") for _, status, ctype in tile_responses
    )
    import numpy as np

    pixels = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"))
    assert (pixels == MAGENTA).all(axis=2).sum() > 5000  # the test tiles are on screen
    assert blocked == []
    assert not Path(name).exists()
