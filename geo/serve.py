"""Several app processes behind nginx, for many users at once (``hexpatrol serve``).

One Python process runs a Streamlit app on one core; ``hexpatrol serve --workers N`` starts
N app processes (``python -m app_pages.launch``: ``streamlit run app.py``, started warm) on
127.0.0.1 and an nginx in front of them. nginx keeps each browser on one worker (a
Streamlit session lives in one process): the first answer sets a
``hexpatrol_worker`` cookie, and every later request and the websocket are routed by its
hash. Logins work across workers because sessions are kept in the store (see
:mod:`geo.sessions`); all workers share one cookie secret, kept in ``data_dir``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from geo.config import PROJECT_DIR, Settings
from geo.errors import HexpatrolError
from geo.privacy import deployment_secret

AFFINITY_COOKIE = "hexpatrol_worker"
NGINX_PATHS: tuple[str, ...] = ("/usr/sbin/nginx",)  # Debian's, when sbin is not on PATH
UPLOAD_LIMIT_MB = 200  # Streamlit's own default upload limit

_CONF = """\
# written by `hexpatrol serve` (geo/serve.py); rewritten at every start
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
{user}
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    client_max_body_size {upload}m;
    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
    # a browser keeps its worker: a new browser gets a random key, kept in a cookie
    map $cookie_{cookie} $affinity {{ "" $request_id; default $cookie_{cookie}; }}
    upstream hexpatrol {{
        hash $affinity consistent;
{servers}
    }}
    server {{
        listen {address}:{port};
        location / {{
            proxy_pass http://hexpatrol;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 1d;
            proxy_buffering off;
            proxy_request_buffering off;
            add_header Set-Cookie "{cookie}=$affinity; Path=/; HttpOnly; SameSite=Strict" always;
            add_header X-Hexpatrol-Worker $upstream_addr always;
        }}
    }}
}}
"""


class ServeError(HexpatrolError):
    """``hexpatrol serve`` cannot start (no nginx, a port taken, a worker that died)."""


def nginx_config(port: int, worker_ports: Sequence[int], run_dir: Path, address: str) -> str:
    """The nginx configuration for ``worker_ports`` behind ``address:port``.

    Parameters
    ----------
    port : int
        Port users open.
    worker_ports : sequence of int
        Ports of the Streamlit workers on 127.0.0.1.
    run_dir : Path
        Folder for nginx's pid, error log and temporary files.
    address : str
        Address nginx listens on (``0.0.0.0`` for the whole network).

    Returns
    -------
    str
        The configuration text.
    """
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in worker_ports)
    # as root, nginx would run its workers as "nobody", who cannot write the temp folders
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    return _CONF.format(
        run=run_dir,
        user=user,
        cookie=AFFINITY_COOKIE,
        servers=servers,
        address=address,
        port=port,
        upload=UPLOAD_LIMIT_MB,
    )


def cookie_secret(data_dir: Path) -> str:
    """The cookie secret all workers share, made once and kept in ``data_dir`` (mode 600).

    Made as every deployment secret is (:func:`geo.privacy.deployment_secret`), like the key
    of masked plate ids beside it.
    """
    return deployment_secret(data_dir, "cookie_secret")


def free_ports(n: int) -> list[int]:
    """``n`` ports free on 127.0.0.1 right now."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _worker(port: int, secret: str, log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "app_pages.launch"]  # `streamlit run app.py`, started warm
    cmd += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    cmd += ["--server.headless", "true"]
    cmd += ["--server.maxUploadSize", str(UPLOAD_LIMIT_MB)]
    with log.open("ab") as out:
        return subprocess.Popen(
            cmd,
            cwd=PROJECT_DIR,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env, "STREAMLIT_SERVER_COOKIE_SECRET": secret},
        )


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServeError(
                f"a process stopped while starting ({url}); see the logs in the run folder",
                zh=f"启动时进程退出({url}),请查看运行目录中的日志",
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise ServeError(f"{url} did not answer within {timeout:.0f} s", zh=f"{url} 未能按时启动")


def start(
    settings: Settings,
    *,
    workers: int,
    port: int,
    address: str = "127.0.0.1",
    config: Path | None = None,
) -> list[subprocess.Popen[bytes]]:
    """Start ``workers`` app processes and nginx in front; the processes, nginx last.

    Parameters
    ----------
    settings : Settings
        The deployment (its ``data_dir`` holds the run folder and the cookie secret).
    workers : int
        Number of Streamlit processes (about one per core).
    port, address : int, str
        Where users connect.
    config : Path, optional
        The hexpatrol.toml the workers read (passed on as ``$HEXPATROL_CONFIG``).

    Returns
    -------
    list of Popen
        The workers, then nginx; :func:`stop` ends them.
    """
    nginx = shutil.which("nginx") or next((p for p in NGINX_PATHS if Path(p).exists()), None)
    if nginx is None:
        raise ServeError(
            "nginx is not installed: `make serve` installs it (Debian package nginx-light)",
            zh="未安装 nginx:请运行 `make serve`(会安装 Debian 软件包 nginx-light)",
        )
    if workers < 1:
        raise ServeError("--workers must be at least 1", zh="--workers 至少为 1")
    run_dir = (settings.data_dir / "serve").resolve()
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    secret = cookie_secret(settings.data_dir)
    from geo.dataset import prepare_store  # (geopandas: loaded only to start)

    prepare_store(settings)  # once, before the workers (they would all seed an empty store)
    ports = free_ports(workers)
    env = {"HEXPATROL_CONFIG": str(Path(config).resolve())} if config else {}
    procs = [_worker(p, secret, run_dir / f"worker-{i + 1}.log", env) for i, p in enumerate(ports)]
    try:
        for p, proc in zip(ports, procs, strict=True):
            _wait_healthy(f"http://127.0.0.1:{p}", proc)
        conf = run_dir / "nginx.conf"
        conf.write_text(nginx_config(port, ports, run_dir, address), encoding="utf-8")
        cmd = [nginx, "-c", str(conf), "-p", str(run_dir), "-g", "daemon off;"]
        procs.append(subprocess.Popen(cmd, cwd=run_dir))
        _wait_healthy(f"http://127.0.0.1:{port}", procs[-1], timeout=20)
    except BaseException:
        stop(procs)
        raise
    return procs


def stop(procs: Sequence[subprocess.Popen[bytes]]) -> None:
    """End the processes of :func:`start` (nginx first, then the workers)."""
    for proc in reversed(procs):
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def serve(settings: Settings, *, config: Path | None = None, **where: int | str) -> int:
    """Run :func:`start` until Ctrl+C or SIGTERM, or until a process dies; the exit code.

    ``where`` holds :func:`start`'s ``workers``, ``port`` and ``address``.
    """
    workers, port, address = int(where["workers"]), int(where["port"]), str(where["address"])
    procs = start(settings, workers=workers, port=port, address=address, config=config)
    print(f"hexpatrol: {workers} workers behind nginx at http://{address}:{port} (Ctrl+C stops)")
    stopping = False

    def _stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        while not stopping:
            dead = [p for p in procs if p.poll() is not None]
            if dead:
                print(f"hexpatrol: a process stopped (exit {dead[0].returncode}); stopping all")
                return 1
            time.sleep(1)
        return 0
    finally:
        stop(procs)
