"""Serverless conformance: the lifecycle over a Spark Connect server, with serverless compute's limits
enforced in the process that runs the commands (databricks_twin/serverless_limits.py).

Each command runs in a fresh process as a job task on serverless would: a Spark Connect client and
nothing else, caching and most Spark settings refused, foreachBatch running on the server side.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import PACKAGE_NAME, load_config
from {{ cookiecutter.package_name }}.tables import read_table

from databricks_twin.connect_server import ConnectServer
from databricks_twin.jobs import LAUNCHER

pytestmark = pytest.mark.integration
ROWS = "20000"


@pytest.fixture(scope="module")
def serverless(tmp_path_factory: pytest.TempPathFactory):
    """A local Spark Connect server standing in for serverless compute, and a home for the lifecycle."""
    home = tmp_path_factory.mktemp("serverless-home")
    host_env = {
        key: value for key, value in os.environ.items() if not key.startswith(("SPARK_REMOTE", "DATABRICKS_"))
    }
    # The server's workers (foreachBatch runs there) import the package from where this process does.
    paths = [str(Path(path).resolve()) for path in host_env.get("PYTHONPATH", "").split(os.pathsep) if path]
    host_env["PYTHONPATH"] = os.pathsep.join(paths)
    server = ConnectServer(tmp_path_factory.mktemp("serverless-compute"), host_env)
    env = {
        **host_env,
        **server.client_env(),
        "LAKEHOUSE_HOME": str(home),
        "DATABRICKS_CONFIG_FILE": os.devnull,
    }
    yield home, env
    server.stop()


def _run(env: dict[str, str], *parameters: str, limits: bool = True) -> tuple[int, dict, str]:
    """Run one CLI command under the serverless limits; (exit code, its JSON summary, its output)."""
    spec = {"module": PACKAGE_NAME, "parameters": [*parameters, "--json"], "serverless": limits}
    result = subprocess.run(
        [sys.executable, str(LAUNCHER), json.dumps(spec)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    summary = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    return result.returncode, summary, result.stdout[-3000:] + result.stderr[-6000:]


def test_the_lifecycle_runs_within_serverless_limits(serverless, spark) -> None:
    home, env = serverless

    code, lifecycle, output = _run(env, "run-all", "--serverless", "--rows", ROWS)

    assert code == 0, output
    steps = lifecycle["steps"]
    assert list(steps) == [
        "generate-data",
        "ingest",
        "features",
        "train",
        "validate",
        "promote",
        "score",
        "monitor",
    ]
    assert steps["ingest"]["events_rows_in"] == int(ROWS)
    assert steps["ingest"]["events_rows_in"] == (
        steps["ingest"]["events_accepted"]
        + steps["ingest"]["events_quarantined"]
        + steps["ingest"]["events_duplicates"]
    )
    assert steps["validate"]["model_version"] == steps["train"]["model_version"]
    assert steps["promote"]["baseline_snapshot"] is True
    assert steps["score"]["scored_rows"] > 0
    assert steps["monitor"]["metrics"] > 0
    config = load_config("local", home=home)
    assert read_table(spark, config.table("predictions")).count() == steps["score"]["scored_rows"]


def test_streaming_scoring_counts_its_micro_batches_where_they_run(serverless) -> None:
    _, env = serverless

    code, summary, output = _run(env, "score", "--stream", "--serverless")

    assert code == 0, output
    # foreachBatch runs on the server under Spark Connect: state kept on the driver would stay empty.
    assert summary["micro_batches"] >= 1


def test_code_that_breaks_the_limits_fails_and_is_caught(serverless) -> None:
    _, env = serverless
    assert _run(env, "generate-data", "--rows", "2000", "--seed", "43", "--start", "2026-05-01")[0] == 0

    # Without --serverless, ingest caches each micro-batch (on the server side, in foreachBatch) and
    # scoring sets an Arrow batch size: serverless compute refuses both.
    ingest_code, _, ingest_output = _run(env, "ingest")
    score_code, _, score_output = _run(env, "score")
    retry_code, retry, retry_output = _run(env, "ingest", "--serverless")

    assert ingest_code == 1 and "NOT_SUPPORTED_WITH_SERVERLESS" in ingest_output, ingest_output
    assert score_code == 1 and "is not available on serverless compute" in score_output, score_output
    # Nothing of the refused batch was committed: the retry ingests all of it, once.
    assert retry_code == 0, retry_output
    assert retry["events_rows_in"] == 2000
