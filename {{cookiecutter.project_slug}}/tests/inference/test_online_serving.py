"""Online serving: `mlflow models serve` of the @champion on 127.0.0.1, predictions over REST.

The server runs in its own process group (start_new_session=True) and the whole group is stopped,
even when the test fails.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from mlflow import MlflowClient

from {{ cookiecutter.package_name }}.config import load_config
from {{ cookiecutter.package_name }}.training.model import to_model_input
from {{ cookiecutter.package_name }}.training.train import train_and_register

from model_helpers import synthetic_training_set

pytestmark = pytest.mark.integration
READY_WITHIN_SECONDS = 180


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status


def _stop(server: subprocess.Popen) -> None:
    """Stop the server's whole process group: SIGTERM, then SIGKILL if it lingers."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=15)


def _wait_until_ready(server: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the model server exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if _get(url) == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    pytest.fail(f"the model server was not ready within {READY_WITHIN_SECONDS} s:\n{log.read_text()[-3000:]}")


def test_the_champion_answers_over_rest(tmp_path: Path) -> None:
    config = load_config("local", home=tmp_path)
    lineage = {
        "git_commit": "test",
        "training_table": "t",
        "training_table_version": "0",
        "feature_tables": "t",
    }
    train_and_register(config, synthetic_training_set(customers=200), lineage)
    MlflowClient().set_registered_model_alias(config.model_name, "champion", "1")
    rows = to_model_input(synthetic_training_set(customers=4, seed=11).head(4))

    port = _free_port()
    log = tmp_path / "server.log"
    # mlflow starts `uvicorn` by name: put this interpreter's scripts first on PATH.
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "MLFLOW_TRACKING_URI": config.tracking_uri,
        "MLFLOW_REGISTRY_URI": config.registry_uri,
    }
    command = [
        sys.executable, "-m", "mlflow", "models", "serve",
        "-m", f"models:/{config.model_name}@champion",
        "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port), "--workers", "1",
    ]  # fmt: skip
    with log.open("w") as output:
        server = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_until_ready(server, f"http://127.0.0.1:{port}/ping", log)
        payload = {"dataframe_split": json.loads(rows.to_json(orient="split", index=False))}
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/invocations",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            predictions = np.array(json.loads(response.read())["predictions"])
    finally:
        _stop(server)

    import mlflow

    local = mlflow.pyfunc.load_model(f"models:/{config.model_name}@champion").predict(rows)
    assert predictions.shape == (4, 2)
    assert np.allclose(predictions, local, rtol=0, atol=1e-12)
    assert np.allclose(predictions.sum(axis=1), 1.0)
    assert server.returncode is not None
