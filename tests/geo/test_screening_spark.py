"""One definition, two engines: DuckDB and Spark give the same features, counts and ranks.

Spark runs in local mode (one session for the module) and once on a standalone master and
worker that the test starts on 127.0.0.1 (both ship in the pyspark package), driven through
the command line like a user would. Marked ``spark``: deselect with ``-m 'not spark'``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from geo.screening import screen
from geo.screening.engines import DuckDBEngine, SparkEngine, _start_spark
from geo.screening.features import compute_features
from geo.screening.inputs import PassGroup, read_checkpoints
from tests.geo import screen_data as data

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "data"))


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = _start_spark("local[2]", ())
    yield session
    session.stop()


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Nine days of the synthetic county at 3% of its vehicles, as daily Parquet files."""
    import make_passes  # data/make_passes.py

    out = tmp_path_factory.mktemp("sim")
    make_passes.write_demo(out, scale=0.03, n_days=9)
    return out


def week_on(engine: Any) -> Any:
    cps = read_checkpoints(data.CHECKPOINTS)
    group = PassGroup("frame", ("(frame)",), frame=data.passes())
    try:
        return compute_features(
            engine,
            cps,
            [group],
            ["渝FW0001"],
            date_from=data.WEEK[0],
            date_to=data.WEEK[1],
            now=data.NOW,
        )
    finally:
        engine.close()


def test_literal_week_identical(spark: Any) -> None:
    duck = week_on(DuckDBEngine())
    sp = week_on(SparkEngine(session=spark))
    assert sp.engine == "spark"
    pd.testing.assert_frame_equal(duck.features, sp.features, check_exact=True)
    assert duck.counts == sp.counts
    pd.testing.assert_frame_equal(duck.rejects, sp.rejects)


def test_simulated_county_identical(spark: Any, sim: Path) -> None:
    kw: dict[str, Any] = dict(
        whitelist=sim / "whitelist.csv",
        known="data/demo/cases.csv",
        now=pd.Timestamp("2025-11-01").to_pydatetime(),
    )
    duck = screen(sim / "checkpoints.csv", str(sim / "passes" / "*.parquet"), **kw)
    sp = screen(
        sim / "checkpoints.csv",
        str(sim / "passes" / "*.parquet"),
        engine="spark",
        spark_session=spark,
        **kw,
    )
    assert len(duck.features) > 150
    pd.testing.assert_frame_equal(duck.features, sp.features, check_exact=True)
    assert duck.counts == sp.counts
    cols = ["rank", "plate", "score", "grade", "score_rules", "score_model"]
    pd.testing.assert_frame_equal(duck.suspects[cols], sp.suspects[cols], check_exact=True)
    assert duck.scorer == sp.scorer


# ---------------------------------------------------------------- standalone cluster


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spark_class() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent / "bin" / "spark-class"


def daemon(cls: str, args: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start a Spark daemon class (Master or Worker) in its own process group."""
    env = {
        **os.environ,
        "SPARK_HOME": str(spark_class().parents[1]),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(log.parent),
    }
    with open(log, "w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [str(spark_class()), f"org.apache.spark.deploy.{cls}", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(*procs: subprocess.Popen[bytes]) -> None:
    """Stop daemons and everything they started (their process groups)."""
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Spark master and one worker on 127.0.0.1, stopped (with their children) afterwards."""
    logs = tmp_path_factory.mktemp("spark-logs")
    port = free_port()
    url = f"spark://127.0.0.1:{port}"
    master = daemon(
        "master.Master",
        ["--host", "127.0.0.1", "--port", str(port), "--webui-port", str(free_port())],
        logs / "master.log",
    )
    worker = daemon(
        "worker.Worker",
        [
            url,
            "--host",
            "127.0.0.1",
            "--cores",
            "2",
            "--memory",
            "1g",
            "--webui-port",
            str(free_port()),
            "--work-dir",
            str(logs / "work"),
        ],
        logs / "worker.log",
    )
    try:
        deadline = time.monotonic() + 180
        while "Registering worker" not in (logs / "master.log").read_text(errors="replace"):
            if time.monotonic() > deadline or master.poll() is not None:
                text = (logs / "master.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"Spark master/worker did not start:\n{text}")
            time.sleep(1)
        yield url
    finally:
        stop(worker, master)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", "screen", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_standalone_master_gives_the_same_list(standalone: str, sim: Path, tmp_path: Path) -> None:
    gbk = tmp_path / "gbk"
    gbk.mkdir()
    for f in sorted((sim / "passes").glob("*.parquet"))[-4:]:  # GBK CSV, as counties export
        pd.read_parquet(f).to_csv(gbk / f"{f.stem}.csv", index=False, encoding="gb18030")
    config = tmp_path / "hexpatrol.toml"  # small data: few shuffle partitions on the cluster
    config.write_text(
        '[screening.spark_conf]\n"spark.sql.shuffle.partitions" = "4"\n'
        '"spark.executor.memory" = "1g"\n',
        encoding="utf-8",
    )
    common = [
        "--checkpoints",
        str(sim / "checkpoints.csv"),
        "--passes",
        str(gbk / "*.csv"),
        "--whitelist",
        str(sim / "whitelist.csv"),
        "--known",
        "data/demo/cases.csv",
        "--config",
        str(config),
    ]
    duck = cli(*common, "--out", str(tmp_path / "duck.csv"))
    assert duck.returncode == 0, duck.stderr[-3000:]
    sp = cli(
        *common,
        "--engine",
        "spark",
        "--spark-master",
        standalone,
        "--out",
        str(tmp_path / "spark.csv"),
    )
    assert sp.returncode == 0, sp.stderr[-3000:]
    assert "on spark" in sp.stdout
    a = pd.read_csv(tmp_path / "duck.csv", encoding="utf-8-sig")
    b = pd.read_csv(tmp_path / "spark.csv", encoding="utf-8-sig")
    assert len(a) > 100
    pd.testing.assert_frame_equal(a, b)
    assert duck.stdout.splitlines()[0] == sp.stdout.splitlines()[0]  # the same pass account
