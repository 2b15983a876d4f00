"""Start the app as one plain ``streamlit run`` and sample its CPU and memory while it works."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psutil

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class App:
    """A running ``streamlit run app.py`` started by the benchmark."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    started: float  # time.perf_counter() when the process was started
    ready_s: float = 0.0  # seconds until /_stcore/health answered

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's output (for error messages)."""
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def start_app(workdir: Path, *, timeout: float = 120.0) -> App:
    """Start the app on the demo data with a throwaway store in ``workdir``; wait until ready.

    Like ``tests/app/test_browser.py``: 127.0.0.1, a free port, headless, the demo settings
    (``$HEXPATROL_CONFIG`` unset) and a new SQLite store, so the demo accounts exist.
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "HEXPATROL_CONFIG"}
    env["HEXPATROL_DB_URL"] = f"sqlite:///{workdir / 'store.sqlite'}"
    log = workdir / "streamlit.log"
    command = [
        sys.executable,
        "-m",
        "app_pages.launch",  # as `make run` and `hexpatrol serve` start it
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    app = App(f"http://127.0.0.1:{port}", process, log, started)
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{app.log_tail()}")
        try:
            with urllib.request.urlopen(f"{app.url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    app.ready_s = time.perf_counter() - started
                    return app
        except OSError:
            time.sleep(0.3)
    stop_app(app)
    raise RuntimeError(f"streamlit did not answer within {timeout:.0f} s:\n{app.log_tail()}")


def stop_app(app: App) -> None:
    """Stop the app (and with it any child it started)."""
    app.process.terminate()
    try:
        app.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        app.process.kill()
        app.process.wait()


def listening_pid(url: str) -> int | None:
    """The process listening on ``url``'s port on this machine, or None (remote, no rights)."""
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        connections = psutil.net_connections(kind="tcp")
    except psutil.AccessDenied:
        return None
    for conn in connections:
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
            return conn.pid
    return None


@dataclass
class Sampler:
    """Peak resident memory and mean CPU of some processes and all their children.

    CPU is the CPU time the process trees used while sampling, over the wall time (100% =
    one core busy); a child that starts and ends between two samples is missed.
    """

    pids: list[int]
    interval: float = 0.5
    peak_rss: int = 0
    samples: int = 0
    _cpu_first: dict[int, float] = field(default_factory=dict)
    _cpu_last: dict[int, float] = field(default_factory=dict)
    _wall: tuple[float, float] = (0.0, 0.0)
    _machine: list[float] = field(default_factory=list)  # busy CPU seconds, first and last

    def _tree(self) -> list[psutil.Process]:
        """The watched processes and their descendants alive now."""
        found: list[psutil.Process] = []
        for pid in self.pids:
            try:
                root = psutil.Process(pid)
                found += [root, *root.children(recursive=True)]
            except psutil.Error:
                continue
        return found

    def sample(self) -> None:
        """Take one sample of memory and CPU time."""
        rss = 0
        for proc in self._tree():
            try:
                with proc.oneshot():
                    rss += proc.memory_info().rss
                    times = proc.cpu_times()
            except psutil.Error:
                continue
            cpu = times.user + times.system
            first_round = not self._wall[0]
            self._cpu_first.setdefault(proc.pid, cpu if first_round else 0.0)
            self._cpu_last[proc.pid] = cpu
        self.peak_rss = max(self.peak_rss, rss)
        machine = psutil.cpu_times()
        busy = machine.user + machine.system + machine.nice + machine.irq + machine.softirq
        self._machine = [self._machine[0] if self._machine else busy, busy]
        self.samples += 1
        now = time.perf_counter()
        self._wall = (self._wall[0] or now, now)

    async def run(self, stop: asyncio.Event) -> None:
        """Sample every ``interval`` seconds until ``stop`` is set (and once more then)."""
        while not stop.is_set():
            self.sample()
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
            except TimeoutError:
                pass
        self.sample()

    def result(self) -> dict[str, float]:
        """Peak RSS (MB), mean CPU of the processes and of the whole machine (100% = a core)."""
        used = sum(self._cpu_last[p] - self._cpu_first.get(p, 0.0) for p in self._cpu_last)
        wall = self._wall[1] - self._wall[0]
        machine = self._machine[-1] - self._machine[0] if self._machine else 0.0
        return {
            "peak_rss_mb": round(self.peak_rss / 2**20, 1),
            "mean_cpu_percent": round(100 * used / wall, 1) if wall > 0 else float("nan"),
            "machine_cpu_percent": round(100 * machine / wall, 1) if wall > 0 else float("nan"),
            "samples": self.samples,
        }
