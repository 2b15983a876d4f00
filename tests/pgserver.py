"""A throwaway PostgreSQL cluster for the store tests.

It uses Debian's server binaries (``/usr/lib/postgresql/<version>/bin``, package
``postgresql``; ``make test`` installs it when missing), lives in a temporary directory,
listens only on 127.0.0.1 on a free port and is built for speed, not durability
(``fsync=off``). As root, the cluster is owned and run by Debian's unprivileged ``postgres``
user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import psycopg

SUPERUSER = "hexpatrol"
DATABASE = "hexpatrol"
_BIN_GLOB = "/usr/lib/postgresql/*/bin"
_RUN_AS = "postgres"  # Debian's unprivileged server user, used when we are root


class PostgresNotFound(RuntimeError):
    """No PostgreSQL server binaries (initdb, pg_ctl) on this machine."""


class PostgresStartError(RuntimeError):
    """The throwaway cluster could not be initialised or started."""


def find_bindir() -> Path:
    """The bin directory of the highest installed PostgreSQL version."""
    found: list[tuple[tuple[int, ...], Path]] = []
    for d in glob.glob(_BIN_GLOB):
        path = Path(d)
        version = path.parent.name
        if not re.fullmatch(r"\d+(\.\d+)*", version):
            continue
        if all(os.access(path / tool, os.X_OK) for tool in ("initdb", "pg_ctl")):
            found.append((tuple(int(p) for p in version.split(".")), path))
    if not found:
        raise PostgresNotFound(
            f"no PostgreSQL server binaries (initdb, pg_ctl) under {_BIN_GLOB}: install "
            "Debian's `postgresql` package (`make test` does, via `make system-test-deps`)"
        )
    return max(found)[1]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """A temporary PostgreSQL cluster; use as a context manager or call start()/stop()."""

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir if bindir is not None else find_bindir()
        self.port: int | None = None
        self.base: Path | None = None
        self._run_as: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self._run_as = pwd.getpwnam(_RUN_AS)
            except KeyError as e:
                raise PostgresStartError(
                    f"running as root, but there is no unprivileged `{_RUN_AS}` user to run "
                    "PostgreSQL (Debian's `postgresql` package creates it)"
                ) from e

    @property
    def datadir(self) -> Path:
        assert self.base is not None
        return self.base / "data"

    @property
    def logfile(self) -> Path:
        assert self.base is not None
        return self.base / "server.log"

    @property
    def url(self) -> str:
        """SQLAlchemy base URL without a database name (append one)."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/"

    def _run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, Any] = {}
        if self._run_as is not None:
            kwargs.update(user=self._run_as.pw_uid, group=self._run_as.pw_gid, extra_groups=[])
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        if self._run_as is not None:
            env["HOME"] = str(self.base)
        return subprocess.run(
            [str(a) for a in args],
            cwd=self.base,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            **kwargs,
        )

    def _check(self, proc: subprocess.CompletedProcess[str], what: str) -> None:
        if proc.returncode != 0:
            log = self.logfile.read_text(errors="replace") if self.logfile.exists() else ""
            raise PostgresStartError(
                f"{what} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n{log}"
            )

    def start(self) -> str:
        """Initialise and start the cluster, create the database; return the base URL."""
        # /tmp rather than $TMPDIR: the postgres user must be able to reach the directory,
        # and the unix socket path inside it must stay short (107 bytes at most).
        parent = "/tmp" if self._run_as is not None and os.path.isdir("/tmp") else None
        self.base = Path(tempfile.mkdtemp(prefix="hexpatrol-pg-", dir=parent))
        atexit.register(self.stop)
        try:
            if self._run_as is not None:
                os.chown(self.base, self._run_as.pw_uid, self._run_as.pw_gid)
            self._check(
                self._run(
                    self.bindir / "initdb",
                    "-D",
                    self.datadir,
                    "-A",
                    "trust",
                    "-U",
                    SUPERUSER,
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync",
                ),
                "initdb",
            )
            with open(self.datadir / "postgresql.conf", "a", encoding="utf-8") as conf:
                conf.write(
                    "\n# hexpatrol test cluster\n"
                    "listen_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{self.base}'\n"
                    "fsync = off\n"
                    "synchronous_commit = off\n"
                    "full_page_writes = off\n"
                )
            self._start_on_free_port()
            with psycopg.connect(
                host="127.0.0.1",
                port=self.port,
                user=SUPERUSER,
                dbname="postgres",
                autocommit=True,
            ) as conn:
                conn.execute(f'CREATE DATABASE "{DATABASE}"')
        except BaseException:
            self.stop()
            raise
        return self.url

    def _start_on_free_port(self, tries: int = 3) -> None:
        # The port is free when chosen but could be taken before the server binds it.
        for attempt in range(tries):
            self.port = _free_port()
            proc = self._run(
                self.bindir / "pg_ctl",
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                self.datadir,
                "-l",
                self.logfile,
                "-o",
                f"-p {self.port}",
            )
            if proc.returncode == 0:
                return
            if attempt == tries - 1:
                self._check(proc, "pg_ctl start")

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory; safe to call twice."""
        if self.base is None:
            return
        if (self.datadir / "postmaster.pid").exists():
            pg_ctl = self.bindir / "pg_ctl"
            proc = self._run(pg_ctl, "stop", "-w", "-m", "fast", "-D", self.datadir)
            if proc.returncode != 0:  # last resort: nothing may outlive the test session
                self._run(pg_ctl, "stop", "-w", "-m", "immediate", "-D", self.datadir)
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None
        atexit.unregister(self.stop)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
