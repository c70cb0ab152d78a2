"""The local Databricks twin: a real HTTP server on 127.0.0.1 that the real databricks-sdk and MLflow
clients talk to, modelled on how a workspace behaves where it matters to this project.

What it models (package `databricks_twin/`):
- workspace objects in one namespace: folders, files and MLflow experiments (`workspace.py`);
- Unity Catalog schemas and volumes, and the Files API on volume paths (`catalog.py`): volume files
  are real files under `<root>/Volumes/...`, where job tasks (LAKEHOUSE_HOME=<root> and
  LAKEHOUSE_EMULATE_WORKSPACE=1, see `task_environment`) read them;
- secret scopes (`secret_scopes.py`); job permissions in the real response shape (owner and the
  inherited admins entry included); Model Serving endpoints with their background rollout (`serving.py`);
- jobs whose runs execute (`jobs.py`): each task in a fresh process through the wheel launcher
  (`launcher.py`), exit code = task state, downstream tasks UPSTREAM_FAILED; serverless tasks under the
  serverless limits (`serverless_limits.py`) against a local Spark Connect server (`connect_server.py`);
- MLflow tracking and the Unity Catalog model registry, when `with_mlflow()` is called
  (`mlflow_service.py`).

What it does not model (these still need a real workspace): authentication and grants (every call is
allowed), cluster start-up and library dependency resolution (tasks run in this machine's Python, with
the wheel installed without its dependencies), Auto Loader (off Databricks the code uses Spark's file
source), Unity Catalog table names (tables are path-based Delta folders), retry intervals, schedules.

Using it: the `fake_workspace` fixture gives a started twin; `FakeWorkspace.url` is the host for
`WorkspaceClient` (see `workspace_client`). State is inspectable (`jobs`, `runs`, `permissions`,
`workspace_files`, `tree`, `catalog`, `secrets`), every request is logged in `calls` (`writes()` keeps the
non-GET/HEAD ones), and `fail(method, path, status, times=N)` injects errors. Extra routes for other
APIs: `add_route(method, path, handler)`, state for them in `state`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from databricks_twin.catalog import UnityCatalog
from databricks_twin.connect_server import ConnectServer
from databricks_twin.data_quality import DataQuality
from databricks_twin.jobs import Jobs
from databricks_twin.secret_scopes import Secrets
from databricks_twin.server import ApiError, Call, FakeRequest, FakeResponse, Server
from databricks_twin.serving import ServingEndpoints
from databricks_twin.workspace import CURRENT_USER, FILE, WorkspaceTree

__all__ = [
    "CURRENT_USER",
    "ApiError",
    "Call",
    "FakeRequest",
    "FakeResponse",
    "FakeWorkspace",
    "workspace_client",
]

WORKSPACE_ID = "1234567890123456"
FAKE_TOKEN = "dapi-fake-token"  # a test token for a server on loopback
DEFAULT_CATALOGS = ("main",)


class FakeWorkspace(Server):
    def __init__(
        self,
        root: Path | None = None,
        catalogs: tuple[str, ...] = DEFAULT_CATALOGS,
        page_size: int = 2,
        serverless_spark: bool = True,
    ):
        """`serverless_spark=False`: serverless tasks get no Spark Connect server (for tests whose tasks
        never use Spark; one that does fails, as no classic Spark is allowed there either)."""
        super().__init__()
        self.serverless_spark = serverless_spark
        self._own_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="twin-")) if root is None else root
        self.root.mkdir(parents=True, exist_ok=True)
        # A small page size makes every listing exercise the SDK's paging.
        self.page_size = page_size
        self.state: dict = {}
        self.tree = WorkspaceTree()
        self.catalog = UnityCatalog(self.root, catalogs)
        self.secrets = Secrets()
        self.serving = ServingEndpoints(self.catalog)
        self.data_quality = DataQuality(self.catalog)
        self.jobs_api = Jobs(self.catalog, self.root, self._task_env)
        self.mlflow = None
        self._connect: ConnectServer | None = None
        self._connect_lock = threading.Lock()
        routes = {
            ("GET", "/.well-known/databricks-config"): self._host_metadata,
            **self.tree.routes(),
            **self.catalog.routes(),
            **self.secrets.routes(),
            **self.serving.routes(),
            **self.data_quality.routes(),
            **self.jobs_api.routes(page_size),
        }
        for (method, path), handler in routes.items():
            self.add_route(method, path, handler)

    def start(self) -> FakeWorkspace:
        super().start()
        self.jobs_api.host = self.catalog.host = self.url
        return self

    def stop(self) -> None:
        self.jobs_api.stop()
        if self._connect is not None:
            self._connect.stop()
            self._connect = None
        super().stop()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def with_mlflow(self) -> FakeWorkspace:
        """Serve MLflow tracking and the Unity Catalog model registry too (imports MLflow's server)."""
        from databricks_twin.mlflow_service import MlflowService

        if self.mlflow is None:
            self.mlflow = MlflowService(self.tree, self.catalog, self.root, self.jobs_api)
            for (method, path), handler in self.mlflow.routes().items():
                self.add_route(method, path, handler)
        return self

    # --- shortcuts to the state of the APIs ----------------------------------------------------
    @property
    def jobs(self) -> dict[int, dict]:
        return self.jobs_api.jobs

    @property
    def runs(self) -> dict[int, dict]:
        return self.jobs_api.runs

    @property
    def permissions(self) -> dict[str, list[dict]]:
        return self.jobs_api.permissions

    @property
    def workspace_files(self) -> dict[str, bytes]:
        return {obj.path: obj.content for obj in self.tree.objects.values() if obj.object_type == FILE}

    def volume_path(self, path: str) -> Path:
        """The local file behind a `/Volumes/...` path."""
        return self.catalog.local_path(path)

    def wait_for_runs(self, timeout: float = 900) -> None:
        self.jobs_api.wait_idle(timeout)

    # --- what a task process sees ----------------------------------------------------------------
    def task_environment(self) -> dict[str, str]:
        """The Databricks auth and local state a process needs to act as a job of this workspace: its
        tasks run off Databricks, so their workspace environment's tables and volumes are emulated
        under LAKEHOUSE_HOME, which is the twin's storage (config.py)."""
        from {{ cookiecutter.package_name }}.config import EMULATE_WORKSPACE_VARIABLE

        return {
            "DATABRICKS_HOST": self.url,
            "DATABRICKS_TOKEN": FAKE_TOKEN,
            "DATABRICKS_AUTH_TYPE": "pat",
            EMULATE_WORKSPACE_VARIABLE: "1",
            "LAKEHOUSE_HOME": str(self.root),
            "PYSPARK_PYTHON": sys.executable,
            "SPARK_LOCAL_IP": "127.0.0.1",
        }

    def connect_server(self) -> ConnectServer:
        """The twin's serverless compute, started on first use and shared by all serverless tasks."""
        with self._connect_lock:  # not the request lock: start-up takes seconds
            if self._connect is None:
                own = ("SPARK_REMOTE", "SPARK_CONNECT", "DATABRICKS_", "LAKEHOUSE_HOME", "MLFLOW_")
                env = {key: value for key, value in os.environ.items() if not key.startswith(own)}
                # Serverless compute runs inside the workspace: its workers reach it with the
                # runtime's MLflow defaults (MLflow's Spark UDF downloads the model there).
                env.update(
                    self.task_environment(),
                    MLFLOW_TRACKING_URI="databricks",
                    MLFLOW_REGISTRY_URI="databricks-uc",
                )
                self._connect = ConnectServer(self.root / ".twin" / "serverless", env)
            return self._connect

    def _task_env(self, serverless: bool, library: Path) -> dict[str, str]:
        env = self.task_environment()
        if serverless and self.serverless_spark:  # the job's environment is the compute's environment too
            server = self.connect_server()
            server.add_library(library)
            env.update(server.client_env())
        return env

    def _host_metadata(self, request: FakeRequest) -> dict:
        return {"oidc_endpoint": f"{self.url}/oidc", "workspace_id": WORKSPACE_ID}


def workspace_client(
    workspace: FakeWorkspace,
    retry_timeout_seconds: int = 10,
    http_timeout_seconds: float = 5,
    token: str = FAKE_TOKEN,
):
    """A real `databricks.sdk.WorkspaceClient` on the twin: token auth, short timeouts. A token other
    than FAKE_TOKEN is another user's when it is in `workspace.tree.token_users`."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    return WorkspaceClient(
        config=Config(
            host=workspace.url,
            token=token,
            auth_type="pat",
            retry_timeout_seconds=retry_timeout_seconds,
            http_timeout_seconds=http_timeout_seconds,
        )
    )


def isolate_from_real_databricks(monkeypatch: pytest.MonkeyPatch) -> None:
    """DATABRICKS_* variables and config files of the caller's shell must not leak into the SDK."""
    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "ARM_", "AZURE_", "SPARK_REMOTE")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", os.devnull)


def project_catalogs() -> tuple[str, ...]:
    from {{ cookiecutter.package_name }}.config import CATALOGS

    return tuple(sorted(set(CATALOGS.values())))


@pytest.fixture
def fake_workspace(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeWorkspace]:
    """A started twin with the project's catalogs and the Unity Catalog model registry (deploy-jobs
    links the model to its deployment job); its jobs' tasks run without Spark (see `staging` in
    tests/twin/test_staging_sequence.py for tasks that run the lifecycle)."""
    isolate_from_real_databricks(monkeypatch)
    twin = FakeWorkspace(tmp_path / "twin", catalogs=project_catalogs(), serverless_spark=False)
    with twin.with_mlflow() as workspace:
        yield workspace


@pytest.fixture
def mlflow_twin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeWorkspace]:
    """A started twin that serves MLflow too, with this process's Databricks auth and MLflow pointed at
    it as at a workspace (tracking "databricks", registry "databricks-uc"); everything restored after."""
    import mlflow
    from mlflow.tracking import fluent
    from mlflow.tracking._model_registry import utils as registry_utils
    from mlflow.tracking._tracking_service import utils as tracking_utils

    isolate_from_real_databricks(monkeypatch)
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")  # a twin error fails now, not after minutes
    # MLflow keeps its URIs and active experiment in module globals and mirrors them into the
    # environment: both are restored after the test.
    monkeypatch.setattr(tracking_utils, "_tracking_uri", tracking_utils._tracking_uri)
    monkeypatch.setattr(registry_utils, "_registry_uri", registry_utils._registry_uri)
    monkeypatch.setattr(fluent, "_active_experiment_id", None)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "databricks")
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", "databricks-uc")
    monkeypatch.delenv("MLFLOW_EXPERIMENT_ID", raising=False)
    with FakeWorkspace(tmp_path / "twin", catalogs=project_catalogs()).with_mlflow() as workspace:
        monkeypatch.setenv("DATABRICKS_HOST", workspace.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", FAKE_TOKEN)
        monkeypatch.setenv("DATABRICKS_AUTH_TYPE", "pat")
        mlflow.set_tracking_uri("databricks")
        mlflow.set_registry_uri("databricks-uc")
        try:
            yield workspace
        finally:
            while mlflow.active_run() is not None:
                mlflow.end_run("FAILED")
