"""The twin's serverless compute: a local Spark Connect server with Delta Lake, in a process of its own.

Run as a script: `python connect_server.py PORT WAREHOUSE_DIR`. It prints `READY` once clients can
connect and serves until its stdin closes. Job tasks of a serverless job reach it through
`SPARK_REMOTE=sc://localhost:PORT`, as code on serverless reaches the platform's Spark: the process
that runs the job has a Spark Connect client and nothing else.

The Python workers the server starts (foreachBatch functions run in them) get the serverless limits
too: their interpreter is a wrapper that installs serverless_limits.py at start-up (sitecustomize).
They also see the job's libraries, as a serverless environment's workers do: `add_library(folder)`
puts a folder (an installed wheel) on the path of every worker started after it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

READY = "READY"
START_TIMEOUT_SECONDS = 180


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(port: int, warehouse: str) -> None:
    from delta import configure_spark_with_delta_pip
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master("local[2]").appName("twin-serverless")
    settings = {
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.shuffle.partitions": "4",
        "spark.databricks.delta.snapshotPartitions": "4",
        "spark.sql.warehouse.dir": warehouse,
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.executorEnv.OMP_NUM_THREADS": "1",
        "spark.plugins": "org.apache.spark.sql.connect.SparkConnectPlugin",
        "spark.connect.grpc.binding.address": "localhost",
        "spark.connect.grpc.binding.port": str(port),
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = configure_spark_with_delta_pip(builder).getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    print(READY, flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin (or dies)


SITECUSTOMIZE = """import sys
from pathlib import Path

sys.path.insert(0, {harness!r})
import serverless_limits
sys.path.pop(0)
serverless_limits.install()
libraries = Path({libraries!r})
if libraries.is_file():
    sys.path[1:1] = libraries.read_text().split()
"""


def limited_python(folder: Path) -> Path:
    """An interpreter wrapper that starts with the serverless limits installed and the job libraries
    listed in `folder/libraries.txt` on its path."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SITECUSTOMIZE.format(harness=str(Path(__file__).parent), libraries=str(folder / "libraries.txt"))
    (folder / "sitecustomize.py").write_text(text)
    wrapper = folder / "python"
    wrapper.write_text(
        f'#!/bin/sh\nPYTHONPATH="{folder}' + "${PYTHONPATH:+:$PYTHONPATH}" + f'" exec {sys.executable} "$@"\n'
    )
    wrapper.chmod(0o755)
    return wrapper


class ConnectServer:
    """A started server process; `remote` is the SPARK_REMOTE value for its clients."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.token = str(uuid.uuid4())
        workdir.mkdir(parents=True, exist_ok=True)
        self.log = workdir / "connect-server.log"
        self.libraries = workdir / "limited-python" / "libraries.txt"
        workers = str(limited_python(self.libraries.parent))
        self.env = {
            **env,
            "SPARK_CONNECT_AUTHENTICATE_TOKEN": self.token,
            "PYSPARK_PYTHON": workers,
            "PYSPARK_DRIVER_PYTHON": sys.executable,
        }
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, __file__, str(self.port), str(workdir / "spark-warehouse")],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env=self.env,
                cwd=workdir,
                start_new_session=True,
            )
        self._wait_ready()

    def add_library(self, folder: Path) -> None:
        """Make an installed library importable in the workers started from now on (newest first)."""
        listed = self.libraries.read_text().split() if self.libraries.is_file() else []
        self.libraries.write_text("\n".join([str(folder), *[path for path in listed if path != str(folder)]]))

    @property
    def remote(self) -> str:
        return f"sc://localhost:{self.port}"

    def client_env(self) -> dict[str, str]:
        return {"SPARK_REMOTE": self.remote, "SPARK_CONNECT_AUTHENTICATE_TOKEN": self.token}

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if line.strip() == READY:
                return
            if not line and self.process.poll() is not None:
                break
        self.stop()
        raise RuntimeError(
            f"the local Spark Connect server did not start; see {self.log}:\n{self.log.read_text()[-3000:]}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()


if __name__ == "__main__":
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    serve(int(sys.argv[1]), sys.argv[2])
