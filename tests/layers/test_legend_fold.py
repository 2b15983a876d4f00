"""A map's legend opens folded on a small map (it hid the map) and open on a large one."""

from __future__ import annotations

import pytest

from layers.legend import FOLD_BELOW_PX
from layers.situation import situation_map
from tests.layers.test_injection import CHROMIUM, assets_server  # noqa: F401 - the fixture
from tests.layers.test_layers import small_map_parts as small_map_parts  # the fixture


@pytest.mark.browser
def test_the_legend_folds_on_a_small_map(small_map_parts, assets_server) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    base, root = assets_server
    townships, cells, key_areas, _ = small_map_parts
    m = situation_map(townships=townships, cells=cells, key_areas=key_areas)
    (root / "legend.html").write_text(m.get_root().render(), encoding="utf-8")
    width, height = FOLD_BELOW_PX
    opened = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for name, size in {
                "large": (width + 300, height + 100),
                "low": (width + 300, height - 60),
                "narrow": (width - 100, height + 100),
            }.items():
                page = browser.new_page(viewport={"width": size[0], "height": size[1]})
                page.route(
                    "**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort()
                )
                page.goto(f"{base}/legend.html")
                page.locator(".hexpatrol-legend details").wait_for(state="attached")
                opened[name] = page.evaluate(
                    "() => document.querySelector('.hexpatrol-legend details').open"
                )
                page.close()
        finally:
            browser.close()
    assert opened == {"large": True, "low": False, "narrow": False}
