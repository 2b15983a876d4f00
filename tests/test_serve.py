"""`hexpatrol serve`: two app processes behind a real nginx on 127.0.0.1, logged in through it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.serve import AFFINITY_COOKIE, free_ports, nginx_config
from tests.app.test_browser import CHROMIUM, FLAGS, _login

ROOT = Path(__file__).resolve().parents[1]
NGINX = "/usr/sbin/nginx"


def test_config_lists_every_worker_and_routes_by_the_cookie(tmp_path: Path) -> None:
    conf = nginx_config(8501, [9001, 9002, 9003], tmp_path, "0.0.0.0")
    assert conf.count("server 127.0.0.1:") == 3 and "listen 0.0.0.0:8501;" in conf
    assert f"map $cookie_{AFFINITY_COOKIE} $affinity" in conf and "hash $affinity" in conf
    assert "Upgrade $http_upgrade" in conf  # Streamlit's websocket
    if Path(NGINX).exists():
        (tmp_path / "client_body").mkdir()
        path = tmp_path / "nginx.conf"
        path.write_text(conf)
        check = subprocess.run(
            [NGINX, "-t", "-c", str(path), "-p", str(tmp_path)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr


def worker_of(url: str, affinity: str) -> str:
    """The worker (its 127.0.0.1:port) nginx sends a browser with ``affinity`` to."""
    req = urllib.request.Request(
        f"{url}/_stcore/health", headers={"Cookie": f"{AFFINITY_COOKIE}={affinity}"}
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.headers["X-Hexpatrol-Worker"]


@pytest.fixture(scope="module")
def proxy_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(NGINX).exists():
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: `make test` installs nginx-light")
        pytest.skip("nginx not installed (make system-serve-deps)")
    folder = tmp_path_factory.mktemp("serve")
    config = folder / "hexpatrol.toml"
    config.write_text(f'data_dir = "{folder / "var"}"\n', encoding="utf-8")
    (port,) = free_ports(1)
    log = (folder / "serve.log").open("wb")
    cmd = [sys.executable, "-m", "geo.cli", "serve", "--workers", "2", "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--config", str(config)], cwd=ROOT, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while time.time() < deadline and proc.poll() is None:
            try:
                worker_of(url, "probe")
                break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail(f"serve did not start: {(folder / 'serve.log').read_text()[-2000:]}")
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        log.close()
    assert proc.returncode == 0
    left = subprocess.run(["pgrep", "-f", str(folder)], capture_output=True, text=True)
    assert not left.stdout.strip(), f"processes left running: {left.stdout}"


def test_browsers_stick_to_one_worker_and_spread_over_both(proxy_url: str) -> None:
    seen = {f"browser-{i}": worker_of(proxy_url, f"browser-{i}") for i in range(12)}
    assert len(set(seen.values())) == 2, seen  # both workers get browsers
    assert all(worker_of(proxy_url, k) == v for k, v in seen.items())  # and keep them


def test_login_through_the_proxy_holds_on_the_other_worker(proxy_url: str) -> None:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed")
    workers = {worker_of(proxy_url, f"b{i}"): f"b{i}" for i in range(12)}
    assert len(workers) == 2
    first, second = workers.values()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            one = browser.new_context(viewport={"width": 1300, "height": 900})
            one.add_cookies([{"name": AFFINITY_COOKIE, "value": first, "url": proxy_url}])
            page = one.new_page()
            page.goto(proxy_url)
            _login(page, "commander")  # websocket and login through nginx
            page.get_by_role("button", name="退出登录").wait_for(timeout=120_000)
            session = [c for c in one.cookies() if c["name"] == "hexpatrol_session"]
            assert session, one.cookies()
            other = browser.new_context(viewport={"width": 1300, "height": 900})
            other.add_cookies(
                [{"name": AFFINITY_COOKIE, "value": second, "url": proxy_url}]
                + [{"name": c["name"], "value": c["value"], "url": proxy_url} for c in session]
            )
            page2 = other.new_page()
            page2.goto(f"{proxy_url}/patrol")  # the other process knows the session
            page2.get_by_role("button", name="退出登录").wait_for(timeout=120_000)
            assert page2.get_by_text("commander").count() >= 1
        finally:
            browser.close()


def test_serve_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.cli import main

    monkeypatch.setenv("PATH", str(tmp_path))  # no nginx on the PATH
    monkeypatch.setattr("geo.serve.NGINX_PATHS", ())
    assert shutil.which("nginx") is None
    assert main(["serve", "--workers", "2", "--port", "9"]) == 2
    assert "nginx-light" in capsys.readouterr().err
