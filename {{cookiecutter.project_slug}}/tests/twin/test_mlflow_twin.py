"""The real MLflow client, pointed at the twin as at a workspace (tracking "databricks", registry
"databricks-uc"), meets Databricks' rules: experiments are workspace objects, models live in Unity
Catalog schemas, versions are READY only once their files are written, search results carry no tags."""

import io
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from databricks.sdk.errors import NotFound, PermissionDenied, ResourceAlreadyExists
from mlflow.exceptions import MlflowException, RestException
from mlflow.models import infer_signature
from mlflow.server import handlers as mlflow_handlers
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LogisticRegression

from {{ cookiecutter.package_name }}.config import CATALOGS
from {{ cookiecutter.package_name }}.contracts.model import BASELINE_TABLE_TAG

from fake_workspace import FakeWorkspace, workspace_client

CATALOG, SCHEMA = CATALOGS["staging"], "churn"
MODEL = f"{CATALOG}.{SCHEMA}.m"
FEATURES = pd.DataFrame({"x1": np.arange(10, dtype=float), "x2": np.arange(10, dtype=float) % 3})
LABELS = (FEATURES["x1"] > 4).astype(int)


@pytest.fixture
def twin(mlflow_twin: FakeWorkspace) -> FakeWorkspace:
    workspace_client(mlflow_twin).schemas.create(name=SCHEMA, catalog_name=CATALOG)
    return mlflow_twin


def _experiment(twin: FakeWorkspace, path: str = "/Shared/churn/training") -> str:
    workspace_client(twin).workspace.mkdirs(path.rsplit("/", 1)[0])
    return MlflowClient().create_experiment(path)


def _log_model(experiment_id: str, registered_model_name: str | None = MODEL):
    model = LogisticRegression().fit(FEATURES, LABELS)
    with mlflow.start_run(experiment_id=experiment_id):
        return mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(FEATURES, model.predict(FEATURES)),
            pip_requirements=["scikit-learn"],
            registered_model_name=registered_model_name,
        )


# --- experiments are workspace objects -------------------------------------------------------------
def test_an_experiment_needs_its_parent_folder(twin: FakeWorkspace) -> None:
    client, workspace = MlflowClient(), workspace_client(twin).workspace

    with pytest.raises(RestException, match="RESOURCE_DOES_NOT_EXIST"):
        client.create_experiment("/Shared/churn/training")
    with pytest.raises(RestException, match="must be an absolute path"):
        client.create_experiment("training")
    workspace.mkdirs("/Shared/churn")
    experiment_id = client.create_experiment("/Workspace/Shared/churn/training")

    assert client.get_experiment_by_name("/Shared/churn/training").experiment_id == experiment_id
    assert client.get_experiment_by_name("/Workspace/Shared/churn/training").experiment_id == experiment_id
    assert workspace.get_status("/Shared/churn/training").resource_id == experiment_id


def test_experiments_and_folders_share_one_namespace(twin: FakeWorkspace) -> None:
    client, workspace = MlflowClient(), workspace_client(twin).workspace
    workspace.mkdirs("/Shared/churn/folder")
    experiment_id = client.create_experiment("/Shared/churn/training")

    with pytest.raises(RestException, match="RESOURCE_ALREADY_EXISTS"):
        client.create_experiment("/Shared/churn/folder")
    with pytest.raises(ResourceAlreadyExists):
        workspace.mkdirs("/Shared/churn/training")
    client.delete_experiment(experiment_id)
    workspace.mkdirs("/Shared/churn/training")  # the path is free again

    assert client.get_experiment(experiment_id).lifecycle_stage == "deleted"


def test_rename_restore_and_folder_delete_keep_experiment_and_workspace_in_step(twin: FakeWorkspace) -> None:
    client, workspace = MlflowClient(), workspace_client(twin).workspace
    experiment_id = _experiment(twin, "/Shared/churn/training")

    client.rename_experiment(experiment_id, "/Shared/churn/renamed")
    with pytest.raises(NotFound):
        workspace.get_status("/Shared/churn/training")
    client.delete_experiment(experiment_id)
    client.restore_experiment(experiment_id)
    restored = workspace.get_status("/Shared/churn/renamed").resource_id
    workspace.delete("/Shared/churn", recursive=True)

    assert restored == experiment_id
    assert client.get_experiment(experiment_id).lifecycle_stage == "deleted"


def test_a_run_logs_params_metrics_and_artifacts(twin: FakeWorkspace) -> None:
    experiment_id = _experiment(twin)
    with mlflow.start_run(experiment_id=experiment_id) as run:
        mlflow.log_param("C", 0.5)
        mlflow.log_metric("auc", 0.75)
        mlflow.log_text("feature importances", "explain/notes.txt")
    run_id = run.info.run_id

    logged = MlflowClient().get_run(run_id)
    stored = f"/WorkspaceInternal/Mlflow/Artifacts/{experiment_id}/Runs/{run_id}/artifacts/explain/notes.txt"

    assert (logged.data.params, logged.data.metrics) == ({"C": "0.5"}, {"auc": 0.75})
    assert logged.info.artifact_uri == f"dbfs:/databricks/mlflow-tracking/{experiment_id}/{run_id}/artifacts"
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/explain/notes.txt") == "feature importances"
    assert twin.catalog.local_path(stored).read_text() == "feature importances"


def test_there_is_no_default_experiment(twin: FakeWorkspace) -> None:
    with pytest.raises(RestException, match="experiment ID 'None'"), mlflow.start_run():
        pass  # off Databricks no context provides an experiment: the client sends "None"
    with pytest.raises(RestException, match="RESOURCE_DOES_NOT_EXIST"), mlflow.start_run(experiment_id="0"):
        pass


def test_each_twin_has_its_own_tracking_store(twin: FakeWorkspace, tmp_path: Path) -> None:
    with FakeWorkspace(tmp_path / "other", catalogs=(CATALOG,)).with_mlflow() as other:
        api = workspace_client(other).api_client
        api.do("POST", "/api/2.0/workspace/mkdirs", body={"path": "/Shared/elsewhere"})
        api.do("POST", "/api/2.0/mlflow/experiments/create", body={"name": "/Shared/elsewhere/x"})

        assert other.mlflow.store.get_experiment_by_name("/Shared/elsewhere/x") is not None
        assert MlflowClient().get_experiment_by_name("/Shared/elsewhere/x") is None
    assert mlflow_handlers._tracking_store is None  # nothing left in MLflow's module global


# --- the Unity Catalog model registry ---------------------------------------------------------------
def test_log_model_registers_a_ready_version_with_its_files_in_unity_catalog(twin: FakeWorkspace) -> None:
    experiment_id = _experiment(twin)
    info = _log_model(experiment_id)
    files = workspace_client(twin).files

    version = MlflowClient().get_model_version(MODEL, "1")
    names = {entry.name for entry in files.list_directory_contents(f"/Models/{CATALOG}/{SCHEMA}/m/1")}

    assert (version.version, version.status, version.model_id) == ("1", "READY", info.model_id)
    assert {"MLmodel", "model.pkl", "requirements.txt"} <= names
    assert info.artifact_path == (
        f"dbfs:/databricks/mlflow-tracking/{experiment_id}/logged_models/{info.model_id}/artifacts"
    )
    with pytest.raises(PermissionDenied):  # a READY version's files are final
        files.upload(f"/Models/{CATALOG}/{SCHEMA}/m/1/MLmodel", io.BytesIO(b"changed"), overwrite=True)


def test_registering_into_a_missing_schema_fails(twin: FakeWorkspace) -> None:
    experiment_id = _experiment(twin)

    with pytest.raises(MlflowException, match=rf"Schema '{CATALOG}\.nope' does not exist"):
        _log_model(experiment_id, registered_model_name=f"{CATALOG}.nope.m")
    with pytest.raises(MlflowException, match=r"specify all three levels.*legacy Workspace Model Registry"):
        MlflowClient().create_registered_model("m")


def test_search_results_carry_no_tags_but_get_does(twin: FakeWorkspace) -> None:
    _log_model(_experiment(twin))
    client = MlflowClient()
    client.set_model_version_tag(MODEL, "1", "validation_status", "approved")

    (found,) = client.search_model_versions(f"name = '{MODEL}'")
    raw = workspace_client(twin).api_client.do(
        "GET", "/api/2.0/mlflow/unity-catalog/model-versions/search", query={"filter": f"name = '{MODEL}'"}
    )

    assert found.version == "1"
    (listed,) = raw["model_versions"]  # what the endpoint itself answers
    assert (listed["version"], "tags" in listed, "aliases" in listed) == ("1", False, False)
    # The client's ModelVersionSearch makes `tags` a method that raises: code must call get_model_version.
    with pytest.raises(TypeError):
        _ = "validation_status" in found.tags
    with pytest.raises(Exception, match="do not have tags"):
        found.tags()
    assert client.get_model_version(MODEL, "1").tags == {"validation_status": "approved"}
    with pytest.raises(RestException, match="INVALID_PARAMETER_VALUE"):
        client.search_model_versions(f"name = '{MODEL}' and tags.validation_status = 'approved'")


def test_a_version_tag_is_deleted_through_unity_catalogs_delete_tag(twin: FakeWorkspace) -> None:
    """What `monitor` does to a champion whose baseline snapshot is gone (monitor.py: _baseline)."""
    _log_model(_experiment(twin))
    client = MlflowClient()
    client.set_model_version_tag(MODEL, "1", BASELINE_TABLE_TAG, f"{CATALOG}.{SCHEMA}.champion_baselines")
    client.set_model_version_tag(MODEL, "1", "kept", "yes")

    client.delete_model_version_tag(MODEL, "1", BASELINE_TABLE_TAG)

    assert client.get_model_version(MODEL, "1").tags == {"kept": "yes"}


def test_aliases_point_at_versions_and_load_the_model(twin: FakeWorkspace) -> None:
    _log_model(_experiment(twin))
    client = MlflowClient()

    with pytest.raises(RestException, match="RESOURCE_DOES_NOT_EXIST"):
        client.set_registered_model_alias(MODEL, "champion", "7")
    client.set_registered_model_alias(MODEL, "champion", "1")
    champion = client.get_model_version_by_alias(MODEL, "champion")
    predictions = mlflow.pyfunc.load_model(f"models:/{MODEL}@champion").predict(FEATURES)
    client.delete_registered_model_alias(MODEL, "champion")

    assert (champion.version, champion.aliases) == ("1", ["champion"])
    assert list(predictions) == list(LABELS)
    assert client.get_registered_model(MODEL).aliases == {}
    with pytest.raises(RestException, match="RESOURCE_DOES_NOT_EXIST"):
        client.get_model_version_by_alias(MODEL, "champion")


def test_a_second_registration_is_version_2_and_search_pages(twin: FakeWorkspace) -> None:
    first = _log_model(_experiment(twin))
    second = mlflow.register_model(first.model_uri, MODEL)  # the same logged model, registered again
    client = MlflowClient()
    client.set_registered_model_alias(MODEL, "champion", "1")

    page = client.search_model_versions(f"name = '{MODEL}'", max_results=1)
    rest = client.search_model_versions(f"name = '{MODEL}'", max_results=1, page_token=page.token)
    by_run = client.search_model_versions(f"run_id = '{first.run_id}'")
    client.delete_model_version(MODEL, "1")

    assert (first.registered_model_version, second.version, second.status) == ("1", "2", "READY")
    assert [v.version for v in [*page, *rest]] == ["2", "1"] and not rest.token
    assert [v.version for v in by_run] == ["2", "1"]
    assert client.search_model_versions("run_id = 'another-run'") == []
    assert client.get_registered_model(MODEL).aliases == {}  # deleting a version drops its aliases
