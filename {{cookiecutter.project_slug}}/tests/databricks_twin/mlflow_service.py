"""MLflow on the twin, as the client sees a workspace with tracking URI "databricks" and registry URI
"databricks-uc": tracking served by MLflow's own server code, the Unity Catalog model registry modelled here.

Tracking (`/api/2.0/mlflow/...`, `/api/3.0/mlflow/...`) goes through MLflow's Flask handlers to a
`SqlAlchemyStore` in `<root>/.twin/mlflow/tracking.db`, one per twin (the handlers' module-global store
is swapped in for each request). What differs on Databricks is done around them:
- an experiment is a workspace object: its name is an absolute workspace path whose parent folder must
  exist and where no folder or file may be (`WorkspaceTree.create`), its object id is the experiment id,
  and delete/restore/rename keep the tree in step (deleting the workspace path deletes the experiment).
  `/Workspace/Shared/x` and `/Shared/x` name the same experiment (stored as `/Shared/x`);
- there is no usable default experiment: runs in experiment "0" are refused;
- artifacts live at `dbfs:/databricks/mlflow-tracking/<experiment>/<run>/artifacts` and, for logged
  models, `.../<experiment>/logged_models/<model_id>/artifacts`; the client writes them through the
  Files API under `/WorkspaceInternal/Mlflow/Artifacts/<experiment>/{Runs,LoggedModels}/<id>/...`,
  which only accepts paths of an existing run or logged model of that experiment. The server never
  reads artifacts itself (e.g. `artifacts/list`, the client's fallback path): it answers 501.

The registry (`/api/2.0/mlflow/unity-catalog/...`) keeps models in memory: three-level names in an
existing catalog and schema, versions 1, 2, ... created PENDING_REGISTRATION and made READY by
finalize, files written through the Files API at `/Models/<catalog>/<schema>/<model>/<version>/...`
(the SDK artifact repository is reported as enabled) and only while the version is pending; search
takes exactly one `name = '...'` or `run_id = '...'` filter, pages, and carries no tags or aliases.

Deployment jobs (MLflow 3, docs.databricks.com/aws/en/mlflow/deployment-job): `registered-models/create`
and `/update` take `deployment_job_id` ("" unlinks) and the model reports it with its
`deployment_job_state` (DeploymentJobConnection.State in MLflow's UC proto: CONNECTED, NOT_FOUND when the
job is gone, REQUIRED_PARAMETERS_CHANGED when it lacks the `model_name`/`model_version` parameters). When
a version of a connected model becomes READY (the client's `finalize`, once its files are written, so
that the run can load it), the twin starts a run of the job with `model_name` and `model_version` as job
parameters; the version then reports `deployment_job_state` {job_id, run_id, job_state, run_state,
current_task_name}, run_state following the run: PENDING, RUNNING, SUCCEEDED, FAILED, or APPROVAL when
it failed at a task whose key starts with "approval" (the twin's reading of Databricks' approval task).

Not modelled: the legacy workspace model registry, prompts, traces stored by Databricks (v4 APIs),
presigned-URL and cloud-credential artifact access, permissions, case-insensitive UC names.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import NOT_IMPLEMENTED
from mlflow.store.tracking.dbmodels.models import SqlLoggedModel
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
from mlflow.utils.uri import append_to_uri_path

from .catalog import UnityCatalog
from .jobs import Jobs
from .server import ApiError, FakeRequest, FakeResponse
from .workspace import CURRENT_USER, EXPERIMENT, WorkspaceTree, normalize

ARTIFACT_ROOT = "dbfs:/databricks/mlflow-tracking"
WORKSPACE_ID = "1234567890123456"  # answered in x-databricks-org-id, as every Databricks response is
PAGE_SIZE = 2  # a small server page size makes callers handle next_page_token
TRACKING, UC = "/api/2.0/mlflow", "/api/2.0/mlflow/unity-catalog"
PENDING, READY = "PENDING_REGISTRATION", "READY"
DEPLOYMENT_JOB_PARAMETERS = ("model_name", "model_version")
_FILTER = re.compile(r"""\s*(name|run_id)\s*=\s*(?:'([^']*)'|"([^"]*)")\s*""")
# MLflow's handlers read their store from a module global: twins in one process take turns.
_HANDLERS_LOCK = threading.Lock()
_SWAPPED = ("_tracking_store", "get_artifact_repository", "_get_artifact_repository_for_uri")
_EMPTY_DB: dict[str, bytes] = {}  # a freshly migrated database, copied for every later twin


def _no_server_artifacts(uri: str, *args: object, **kwargs: object):
    raise MlflowException(
        f"The twin's tracking server does not read artifacts itself ({uri}): clients reach them through "
        "the Files API. MLflow takes this path only after a Files API call failed; set "
        "MLFLOW_LOGGING_LEVEL=DEBUG to see that error.",
        error_code=NOT_IMPLEMENTED,
    )


class DatabricksLayoutStore(SqlAlchemyStore):
    """The OSS store, with logged model artifacts where Databricks keeps them."""

    def create_logged_model(self, experiment_id, *args, **kwargs):
        model = super().create_logged_model(experiment_id, *args, **kwargs)
        experiment = self.get_experiment(experiment_id)
        location = append_to_uri_path(
            experiment.artifact_location, "logged_models", model.model_id, "artifacts"
        )
        with self.ManagedSessionMaker() as session:
            session.query(SqlLoggedModel).filter(SqlLoggedModel.model_id == model.model_id).update(
                {"artifact_location": location}
            )
        return self.get_logged_model(model.model_id)


def _now() -> int:
    return int(time.time() * 1000)


def _open_store(folder: Path) -> DatabricksLayoutStore:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "tracking.db"
    fresh = not db.exists()
    if fresh and "db" in _EMPTY_DB:
        db.write_bytes(_EMPTY_DB["db"])  # skips the schema migrations (seconds) after the first twin
    store = DatabricksLayoutStore(f"sqlite:///{db}", ARTIFACT_ROOT)
    if fresh and "db" not in _EMPTY_DB:
        store.delete_experiment("0")  # the OSS "Default" experiment: not one a workspace has
        _EMPTY_DB["db"] = db.read_bytes()
    return store


class MlflowService:
    def __init__(self, tree: WorkspaceTree, catalog: UnityCatalog, root: Path, jobs: Jobs) -> None:
        from flask import Flask
        from mlflow.protos.service_pb2 import MlflowService as TrackingService
        from mlflow.server.handlers import get_handler, get_service_endpoints

        self.tree, self.catalog, self.root, self.jobs = tree, catalog, root, jobs
        self.store = _open_store(root / ".twin" / "mlflow")
        self._app = Flask("databricks_twin_mlflow")
        self._app.config["PROPAGATE_EXCEPTIONS"] = True
        for path, handler, methods in get_service_endpoints(TrackingService, get_handler):
            self._app.add_url_rule(path, handler.__name__, handler, methods=methods)
        self._client = self._app.test_client()
        self.models: dict[str, dict] = {}  # full name -> model, with its "versions" by number
        catalog.namespaces["WorkspaceInternal"] = self._check_artifact_path
        catalog.namespaces["Models"] = self._check_model_version_path

    # --- routes ----------------------------------------------------------------------------------
    def routes(self) -> dict:
        routes: dict = {
            ("POST", f"{TRACKING}/experiments/create"): self._create_experiment,
            ("GET", f"{TRACKING}/experiments/get-by-name"): self._get_experiment_by_name,
            ("GET", f"{TRACKING}/experiments/get"): self._get_experiment,
            ("POST", f"{TRACKING}/experiments/delete"): self._delete_experiment,
            ("POST", f"{TRACKING}/experiments/restore"): self._restore_experiment,
            ("POST", f"{TRACKING}/experiments/update"): self._rename_experiment,
            ("POST", f"{TRACKING}/runs/create"): self._create_run,
            ("POST", "/api/2.0/workspace/delete"): self._delete_workspace_path,
            # the Unity Catalog registry
            ("POST", f"{UC}/registered-models/create"): self._create_model,
            ("GET", f"{UC}/registered-models/get"): self._get_model,
            ("PATCH", f"{UC}/registered-models/update"): self._update_model,
            ("DELETE", f"{UC}/registered-models/delete"): self._delete_model,
            ("GET", f"{UC}/registered-models/search"): self._search_models,
            ("POST", f"{UC}/registered-models/set-tag"): self._set_model_tag,
            ("DELETE", f"{UC}/registered-models/delete-tag"): self._delete_model_tag,
            ("POST", f"{UC}/registered-models/alias"): self._set_alias,
            ("GET", f"{UC}/registered-models/alias"): self._get_version_by_alias,
            ("DELETE", f"{UC}/registered-models/alias"): self._delete_alias,
            ("GET", f"{UC}/registered-models:is-databricks-sdk-models-artifact-repository-enabled"): (
                lambda request: {"is_databricks_sdk_models_artifact_repository_enabled": True}
            ),
            ("POST", f"{UC}/model-versions/create"): self._create_version,
            ("GET", f"{UC}/model-versions/get"): self._get_version,
            ("PATCH", f"{UC}/model-versions/update"): self._update_version,
            ("DELETE", f"{UC}/model-versions/delete"): self._delete_version,
            ("GET", f"{UC}/model-versions/search"): self._search_versions,
            ("POST", f"{UC}/model-versions/set-tag"): self._set_version_tag,
            ("DELETE", f"{UC}/model-versions/delete-tag"): self._delete_version_tag,
            ("POST", f"{UC}/model-versions/finalize"): self._finalize_version,
            ("GET", f"{UC}/model-versions/get-download-uri"): self._get_download_uri,
            ("POST", f"{UC}/model-versions/generate-temporary-credentials"): self._temporary_credentials,
            ("POST", f"{UC}/model-versions/emit-lineage"): self._emit_lineage,
        }
        for method in ("GET", "POST", "PATCH", "DELETE", "PUT"):
            routes[(method, UC + "{path*}")] = self._unknown_uc_endpoint
            for prefix in ("/api/2.0/mlflow", "/api/3.0/mlflow"):
                routes[(method, prefix + "{path*}")] = self._tracking
        return routes

    # --- tracking: MLflow's own handlers ---------------------------------------------------------
    def _tracking(self, request: FakeRequest, json_body: dict | None = None, query: dict | None = None):
        path = request.path
        if re.search(r"/mlflow/(registered-models|model-versions|databricks/registered-models)/", path):
            raise ApiError(
                400,
                "INVALID_PARAMETER_VALUE",
                "The twin models only the Unity Catalog model registry: use registry URI 'databricks-uc'.",
            )
        body = json.dumps(json_body).encode() if json_body is not None else request.body
        query_string = request.raw_query if query is None else urlencode(query)
        headers = {"Content-Type": request.headers.get("Content-Type", "application/json")}
        with _HANDLERS_LOCK:
            from mlflow.server import handlers

            saved = {name: getattr(handlers, name) for name in _SWAPPED}
            handlers._tracking_store = self.store
            # A handler that reads artifacts would call this twin from inside a request: refuse instead.
            handlers.get_artifact_repository = _no_server_artifacts
            handlers._get_artifact_repository_for_uri = _no_server_artifacts
            try:
                response = self._client.open(
                    path, method=request.method, query_string=query_string, data=body, headers=headers
                )
            except Exception as error:  # a handler bug: answered, not retried for minutes by the client
                raise ApiError(500, "INTERNAL_ERROR", f"{type(error).__name__}: {error}") from error
            finally:
                for name, value in saved.items():
                    setattr(handlers, name, value)
        org = {"x-databricks-org-id": WORKSPACE_ID}
        if response.mimetype == "application/json":
            return FakeResponse(response.status_code, json.loads(response.data or b"{}"), org)
        if response.status_code == 404:
            raise ApiError(404, "ENDPOINT_NOT_FOUND", f"no route for {request.method} {path}")
        return FakeResponse(response.status_code, raw=response.data, headers=org)

    def _experiment(self, experiment_id: str):
        try:
            return self.store.get_experiment(experiment_id)
        except MlflowException as error:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", error.message) from None

    def _absolute(self, name: object) -> str:
        if not isinstance(name, str) or not name.startswith("/"):
            raise ApiError(
                400,
                "INVALID_PARAMETER_VALUE",
                f"Got an invalid experiment name '{name}'. An experiment name must be an absolute path "
                f"within the Databricks workspace, e.g. '/Users/{CURRENT_USER}/my-experiment'.",
            )
        return normalize(name)

    def _link(self, path: str, response: FakeResponse, experiment_id: str | None = None) -> FakeResponse:
        """After the store answered: keep the workspace object just created, or drop it again."""
        if response.status != 200:
            self.tree.delete(path)
            return response
        experiment_id = experiment_id or response.body["experiment_id"]
        self.tree.objects[normalize(path)].object_id = int(experiment_id)  # on Databricks: the same id
        return response

    def _create_experiment(self, request: FakeRequest) -> FakeResponse:
        path = self._absolute(request.arg("name"))
        self.tree.create(path, EXPERIMENT)
        return self._link(path, self._tracking(request, {**(request.json or {}), "name": path}))

    def _get_experiment_by_name(self, request: FakeRequest) -> FakeResponse:
        name = str(request.arg("experiment_name", ""))
        query = {**request.query, "experiment_name": normalize(name) if name.startswith("/") else name}
        return self._tracking(request, query=query)

    def _refuse_default_experiment(self, experiment_id: object) -> None:
        if str(experiment_id or "0") == "0":  # the OSS store's "Default" is no Databricks experiment
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", "Node ID 0 does not exist.")

    def _get_experiment(self, request: FakeRequest) -> FakeResponse:
        self._refuse_default_experiment(request.arg("experiment_id"))
        return self._tracking(request)

    def _create_run(self, request: FakeRequest) -> FakeResponse:
        self._refuse_default_experiment(request.arg("experiment_id"))
        return self._tracking(request)

    def _delete_experiment(self, request: FakeRequest) -> FakeResponse:
        experiment = self._experiment(str(request.arg("experiment_id", "")))
        response = self._tracking(request)
        found = self.tree.get(experiment.name)
        if response.status == 200 and found is not None and str(found.object_id) == experiment.experiment_id:
            self.tree.delete(experiment.name)
        return response

    def _restore_experiment(self, request: FakeRequest) -> FakeResponse:
        experiment = self._experiment(str(request.arg("experiment_id", "")))
        self.tree.create(experiment.name, EXPERIMENT)  # the path must be free and its folder exist again
        return self._link(experiment.name, self._tracking(request), experiment.experiment_id)

    def _rename_experiment(self, request: FakeRequest) -> FakeResponse:
        experiment = self._experiment(str(request.arg("experiment_id", "")))
        path = self._absolute(request.arg("new_name"))
        self.tree.create(path, EXPERIMENT)
        response = self._tracking(request, {**(request.json or {}), "new_name": path})
        response = self._link(path, response, experiment.experiment_id)
        if response.status == 200 and self.tree.get(experiment.name) is not None:
            self.tree.delete(experiment.name)
        return response

    def _delete_workspace_path(self, request: FakeRequest) -> None:
        """Deleting a workspace path deletes the experiments at and under it, as in the workspace UI."""
        path = normalize(str(request.arg("path", "")))
        experiments = [
            obj.object_id
            for key, obj in self.tree.objects.items()
            if obj.object_type == EXPERIMENT and (key == path or key.startswith(path.rstrip("/") + "/"))
        ]
        self.tree.routes()[("POST", "/api/2.0/workspace/delete")](request)
        for experiment_id in experiments:
            self.store.delete_experiment(str(experiment_id))

    def _check_artifact_path(self, parts: list[str], write: bool) -> None:
        """`/WorkspaceInternal/Mlflow/Artifacts/<experiment>/{Runs,LoggedModels}/<id>/...`"""
        if len(parts) < 5 or parts[:2] != ["Mlflow", "Artifacts"] or parts[3] not in ("Runs", "LoggedModels"):
            raise ApiError(403, "PERMISSION_DENIED", "Only MLflow artifact paths are accessible here.")
        experiment_id, kind, owner_id = parts[2], parts[3], parts[4]
        experiment = self._experiment(experiment_id)
        if write and experiment.lifecycle_stage != "active":
            raise ApiError(403, "PERMISSION_DENIED", f"Experiment {experiment_id} is deleted.")
        try:
            if kind == "Runs":
                owner = self.store.get_run(owner_id).info.experiment_id
            else:
                owner = self.store.get_logged_model(owner_id).experiment_id
        except MlflowException as error:
            raise ApiError(404, "NOT_FOUND", error.message) from None
        if owner != experiment_id:
            raise ApiError(404, "NOT_FOUND", f"{owner_id} does not belong to experiment {experiment_id}.")

    # --- Unity Catalog registry: models ----------------------------------------------------------
    def _split(self, name: object) -> tuple[str, str, str]:
        parts = name.split(".") if isinstance(name, str) else []
        if len(parts) != 3 or not all(parts) or any("/" in part or " " in part for part in parts):
            raise ApiError(
                400,
                "INVALID_PARAMETER_VALUE",
                f"Invalid registered model name '{name}'. Please specify all three levels of the name "
                "(catalog.schema.model) of a model in Unity Catalog.",
            )
        catalog, schema, model = parts
        self.catalog.require_schema(catalog, schema)
        return catalog, schema, model

    def _model(self, name: object) -> dict:
        self._split(name)
        found = self.models.get(str(name))
        if found is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Registered model '{name}' does not exist.")
        return found

    @staticmethod
    def _tags(request: FakeRequest) -> dict[str, str]:
        return {tag["key"]: tag.get("value", "") for tag in (request.arg("tags") or [])}

    def _model_json(self, model: dict, full: bool = True) -> dict:
        body = {
            key: model[key] for key in ("name", "creation_timestamp", "last_updated_timestamp", "user_id")
        }
        if model["description"]:
            body["description"] = model["description"]
        if model["deployment_job_id"]:
            body["deployment_job_id"] = model["deployment_job_id"]
            body["deployment_job_state"] = self._connection(model["deployment_job_id"])
        if full:
            body["aliases"] = [
                {"alias": alias, "version": v} for alias, v in sorted(model["aliases"].items())
            ]
            body["tags"] = [{"key": key, "value": value} for key, value in sorted(model["tags"].items())]
        return body

    def _create_model(self, request: FakeRequest) -> dict:
        name = str(request.arg("name"))
        self._split(name)
        if name in self.models:
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Registered model '{name}' already exists.")
        now = _now()
        self.models[name] = {
            "name": name,
            "creation_timestamp": now,
            "last_updated_timestamp": now,
            "user_id": CURRENT_USER,
            "description": str(request.arg("description") or ""),
            "tags": self._tags(request),
            "aliases": {},
            "versions": {},
            "next_version": 1,
            "id": str(uuid.uuid4()),
            "deployment_job_id": self._job_id(request),
        }
        return {"registered_model": self._model_json(self.models[name])}

    def _get_model(self, request: FakeRequest) -> dict:
        return {"registered_model": self._model_json(self._model(request.arg("name")))}

    def _update_model(self, request: FakeRequest) -> dict:
        model = self._model(request.arg("name"))
        if request.arg("description") is not None:
            model["description"] = str(request.arg("description"))
        if request.arg("deployment_job_id") is not None:
            model["deployment_job_id"] = self._job_id(request)
        new_name = request.arg("new_name")
        if new_name and new_name != model["name"]:
            self._split(new_name)
            if new_name in self.models:
                raise ApiError(
                    400, "RESOURCE_ALREADY_EXISTS", f"Registered model '{new_name}' already exists."
                )
            old_files, new_files = self._files(model["name"]), self._files(str(new_name))
            if old_files.exists():
                new_files.parent.mkdir(parents=True, exist_ok=True)
                old_files.rename(new_files)
            del self.models[model["name"]]
            model["name"] = str(new_name)
            for version in model["versions"].values():
                version["name"] = model["name"]
            self.models[model["name"]] = model
        model["last_updated_timestamp"] = _now()
        return {"registered_model": self._model_json(model)}

    # --- deployment jobs --------------------------------------------------------------------------
    @staticmethod
    def _job_id(request: FakeRequest) -> str:
        job_id = str(request.arg("deployment_job_id") or "")
        if job_id and not job_id.isdigit():
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid deployment_job_id '{job_id}'.")
        return job_id

    def _connection(self, job_id: str) -> str:
        job = self.jobs.jobs.get(int(job_id))
        if job is None:
            return "NOT_FOUND"
        defined = {entry.get("name") for entry in job["settings"].get("parameters", [])}
        return "CONNECTED" if defined >= set(DEPLOYMENT_JOB_PARAMETERS) else "REQUIRED_PARAMETERS_CHANGED"

    def _start_deployment(self, model: dict, version: dict) -> None:
        """A new READY version of a model with a connected deployment job: run the job for it."""
        job_id = model["deployment_job_id"]
        if not job_id:
            return
        version["deployment_job"] = {"job_id": job_id, "run_id": ""}
        if self._connection(job_id) == "CONNECTED":
            parameters = {"model_name": model["name"], "model_version": version["version"]}
            version["deployment_job"]["run_id"] = str(self.jobs.start_run(int(job_id), parameters))

    def _deployment_state(self, version: dict) -> dict | None:
        linked = version.get("deployment_job")
        if linked is None:
            return None
        state = {"job_id": linked["job_id"], "job_state": self._connection(linked["job_id"])}
        run = self.jobs.runs.get(int(linked["run_id"])) if linked["run_id"] else None
        if run is None:
            return {**state, "run_state": "NO_VALID_DEPLOYMENT_JOB_FOUND"}
        running = [t["task_key"] for t in run["tasks"] if t["state"]["life_cycle_state"] == "RUNNING"]
        failed = [t["task_key"] for t in run["tasks"] if t["state"].get("result_state") == "FAILED"]
        run_state = {"QUEUED": "PENDING", "PENDING": "PENDING", "RUNNING": "RUNNING"}.get(
            run["state"]["life_cycle_state"]
        ) or ("SUCCEEDED" if run["state"].get("result_state") == "SUCCESS" else "FAILED")
        if run_state == "FAILED" and any(key.lower().startswith("approval") for key in failed):
            run_state = "APPROVAL"
        current = (running or failed or [""])[0]
        return {**state, "run_id": linked["run_id"], "run_state": run_state, "current_task_name": current}

    def _delete_model(self, request: FakeRequest) -> None:
        model = self._model(request.arg("name"))
        shutil.rmtree(self._files(model["name"]), ignore_errors=True)
        del self.models[model["name"]]

    def _search_models(self, request: FakeRequest) -> dict:
        models = [self._model_json(self.models[name], full=False) for name in sorted(self.models)]
        return self._page(request, models, "registered_models")

    def _set_model_tag(self, request: FakeRequest) -> None:
        model = self._model(request.arg("name"))
        model["tags"][str(request.arg("key"))] = str(request.arg("value") or "")

    def _delete_model_tag(self, request: FakeRequest) -> None:
        self._model(request.arg("name"))["tags"].pop(str(request.arg("key")), None)

    def _set_alias(self, request: FakeRequest) -> None:
        version = self._version(request.arg("name"), request.arg("version"))
        self.models[version["name"]]["aliases"][str(request.arg("alias"))] = version["version"]

    def _get_version_by_alias(self, request: FakeRequest) -> dict:
        model, alias = self._model(request.arg("name")), str(request.arg("alias"))
        if alias not in model["aliases"]:
            raise ApiError(
                404, "RESOURCE_DOES_NOT_EXIST", f"Alias '{alias}' does not exist for model '{model['name']}'."
            )
        return {"model_version": self._version_json(self._version(model["name"], model["aliases"][alias]))}

    def _delete_alias(self, request: FakeRequest) -> None:
        model, alias = self._model(request.arg("name")), str(request.arg("alias"))
        if model["aliases"].pop(alias, None) is None:
            raise ApiError(
                404, "RESOURCE_DOES_NOT_EXIST", f"Alias '{alias}' does not exist for model '{model['name']}'."
            )

    # --- Unity Catalog registry: versions --------------------------------------------------------
    def _version(self, name: object, version: object) -> dict:
        model = self._model(name)
        number = int(version) if str(version).isdigit() else None
        if number is None:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Invalid model version '{version}'.")
        found = model["versions"].get(number)
        if found is None:
            message = f"Model version {number} of registered model '{name}' does not exist."
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", message)
        return found

    def _version_json(self, version: dict, full: bool = True) -> dict:
        keys = [
            "name", "version", "creation_timestamp", "last_updated_timestamp", "user_id", "description",
            "source", "run_id", "run_experiment_id", "run_tracking_server_id", "status", "storage_location",
            "model_id",
        ]  # fmt: skip
        body = {key: version[key] for key in keys if version.get(key) not in (None, "")}
        deployment = self._deployment_state(version)
        if deployment is not None:
            body["deployment_job_state"] = deployment
        if full:
            model = self.models[version["name"]]
            aliases = sorted(alias for alias, v in model["aliases"].items() if v == version["version"])
            body["aliases"] = [{"alias": alias, "version": version["version"]} for alias in aliases]
            body["tags"] = [{"key": key, "value": value} for key, value in sorted(version["tags"].items())]
        return body

    def _create_version(self, request: FakeRequest) -> dict:
        model = self._model(request.arg("name"))
        source = request.arg("source")
        if not source:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'source'.")
        run_id, model_id = str(request.arg("run_id") or ""), str(request.arg("model_id") or "")
        run_experiment_id = ""
        if run_id:
            try:
                run_experiment_id = self.store.get_run(run_id).info.experiment_id
            except MlflowException:
                run_experiment_id = ""  # a run of another workspace: kept as given
        number, now = model["next_version"], _now()
        model["next_version"] += 1
        model["versions"][number] = {
            "name": model["name"],
            "version": str(number),
            "creation_timestamp": now,
            "last_updated_timestamp": now,
            "user_id": CURRENT_USER,
            "description": str(request.arg("description") or ""),
            "source": str(source),
            "run_id": run_id,
            "run_experiment_id": run_experiment_id,
            "run_tracking_server_id": str(request.arg("run_tracking_server_id") or ""),
            "status": PENDING,
            "storage_location": f"s3://twin-metastore/models/{model['id']}/versions/{uuid.uuid4()}",
            "model_id": model_id,
            "tags": self._tags(request),
        }
        model["last_updated_timestamp"] = now
        return {"model_version": self._version_json(model["versions"][number])}

    def _get_version(self, request: FakeRequest) -> dict:
        return {
            "model_version": self._version_json(self._version(request.arg("name"), request.arg("version")))
        }

    def _update_version(self, request: FakeRequest) -> dict:
        version = self._version(request.arg("name"), request.arg("version"))
        if request.arg("description") is not None:
            version["description"] = str(request.arg("description"))
        version["last_updated_timestamp"] = _now()
        return {"model_version": self._version_json(version)}

    def _delete_version(self, request: FakeRequest) -> None:
        version = self._version(request.arg("name"), request.arg("version"))
        model = self.models[version["name"]]
        del model["versions"][int(version["version"])]
        model["aliases"] = {alias: v for alias, v in model["aliases"].items() if v != version["version"]}
        shutil.rmtree(self._files(model["name"]) / version["version"], ignore_errors=True)

    def _search_versions(self, request: FakeRequest) -> dict:
        text = str(request.arg("filter") or "")
        matched = _FILTER.fullmatch(text)
        if matched is None:
            raise ApiError(
                400,
                "INVALID_PARAMETER_VALUE",
                f"Unsupported filter '{text}': search model versions in Unity Catalog supports exactly one "
                "filter, name = '<catalog.schema.model>' or run_id = '<run id>'.",
            )
        key, value = matched.group(1), matched.group(2) if matched.group(2) is not None else matched.group(3)
        versions = [
            self._version_json(version, full=False)
            for name in sorted(self.models)
            for _, version in sorted(self.models[name]["versions"].items(), reverse=True)
            if version[key] == value
        ]
        return self._page(request, versions, "model_versions")

    def _set_version_tag(self, request: FakeRequest) -> None:
        version = self._version(request.arg("name"), request.arg("version"))
        version["tags"][str(request.arg("key"))] = str(request.arg("value") or "")

    def _delete_version_tag(self, request: FakeRequest) -> None:
        self._version(request.arg("name"), request.arg("version"))["tags"].pop(str(request.arg("key")), None)

    def _finalize_version(self, request: FakeRequest) -> dict:
        version = self._version(request.arg("name"), request.arg("version"))
        if version["status"] != PENDING:
            message = f"Model version {version['version']} of '{version['name']}' is {version['status']}."
            raise ApiError(400, "INVALID_STATE", message)
        version["status"], version["last_updated_timestamp"] = READY, _now()
        self._start_deployment(self.models[version["name"]], version)
        return {"model_version": self._version_json(version)}

    def _get_download_uri(self, request: FakeRequest) -> dict:
        return {
            "artifact_uri": self._version(request.arg("name"), request.arg("version"))["storage_location"]
        }

    def _temporary_credentials(self, request: FakeRequest) -> dict:
        version = self._version(request.arg("name"), request.arg("version"))
        if request.arg("operation") == "MODEL_VERSION_OPERATION_READ_WRITE" and version["status"] != PENDING:
            raise ApiError(
                403, "PERMISSION_DENIED", f"Model version {version['version']} is no longer writable."
            )
        # Default storage: the client then asks for presigned URLs (/api/2.0/fs/create-*-url), which the
        # twin does not serve; with the SDK repository enabled the client never comes here.
        return {"credentials": {"expiration_time": _now() + 3_600_000, "storage_mode": "DEFAULT_STORAGE"}}

    def _emit_lineage(self, request: FakeRequest) -> None:
        self._version(request.arg("name"), request.arg("version"))

    def _unknown_uc_endpoint(self, request: FakeRequest) -> None:
        raise ApiError(404, "ENDPOINT_NOT_FOUND", f"no route for {request.method} {request.path}")

    def _page(self, request: FakeRequest, items: list[dict], key: str) -> dict:
        token = str(request.arg("page_token") or "0")
        max_results = str(request.arg("max_results") or PAGE_SIZE)
        if not (token.isdigit() and max_results.isdigit() and int(max_results) > 0):
            message = f"Invalid page_token {token!r} or max_results {max_results!r}."
            raise ApiError(400, "INVALID_PARAMETER_VALUE", message)
        start, size = int(token), min(int(max_results), PAGE_SIZE)
        body: dict = {key: items[start : start + size]}
        if start + size < len(items):
            body["next_page_token"] = str(start + size)
        return body

    # --- model version files ---------------------------------------------------------------------
    def _files(self, name: str) -> Path:
        return self.catalog.root.joinpath(".twin-files", "Models", *name.split("."))

    def _check_model_version_path(self, parts: list[str], write: bool) -> None:
        """`/Models/<catalog>/<schema>/<model>/<version>/...`: readable once the version exists,
        writable only while it is PENDING_REGISTRATION."""
        if len(parts) < 4:
            raise ApiError(404, "NOT_FOUND", f"/Models/{'/'.join(parts)} is not a model version path.")
        try:
            version = self._version(".".join(parts[:3]), parts[3])
        except ApiError as error:
            raise ApiError(404, "NOT_FOUND", error.message) from None
        if write and version["status"] != PENDING:
            message = f"Model version {version['version']} of '{version['name']}' is {version['status']}: "
            raise ApiError(403, "PERMISSION_DENIED", message + "its files can no longer change.")
