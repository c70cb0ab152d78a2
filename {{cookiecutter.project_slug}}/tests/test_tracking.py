"""MLflow set-up: the local sqlite-backed MLflow of the lakehouse home, and a workspace's MLflow."""

from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LogisticRegression

from {{ cookiecutter.package_name }}.config import (
    EXPERIMENTS_FOLDER,
    LOCAL_MLFLOW_UI,
    WORKSPACE_HOSTS,
    load_config,
)
from {{ cookiecutter.package_name }}.deployment.deployer import deploy
from {{ cookiecutter.package_name }}.tracking import configure_mlflow, run_url

from databricks_twin.workspace import DIRECTORY, EXPERIMENT
from fake_workspace import FakeWorkspace, workspace_client


def test_log_register_alias_and_load_a_model(tmp_path: Path) -> None:
    config = load_config("local", home=tmp_path)
    features = pd.DataFrame({"x1": np.arange(20, dtype=float), "x2": np.arange(20, dtype=float) % 3})
    labels = (features["x1"] > 9).astype(int)
    model = LogisticRegression().fit(features, labels)

    experiment_id = configure_mlflow(config)
    with mlflow.start_run(experiment_id=experiment_id) as run:
        mlflow.log_param("C", 1.0)
        mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(features, model.predict(features)),
            input_example=features.head(3),
            pip_requirements=["scikit-learn", "pandas"],
            registered_model_name=config.model_name,
        )

    client = MlflowClient()
    (version,) = [v.version for v in client.search_model_versions(f"name = '{config.model_name}'")]
    client.set_registered_model_alias(config.model_name, "champion", version)
    loaded = mlflow.pyfunc.load_model(f"models:/{config.model_name}@champion")

    assert list(loaded.predict(features.head(12))) == [0] * 10 + [1] * 2
    assert client.get_run(run.info.run_id).data.params == {"C": "1.0"}
    assert Path(config.tracking_uri.removeprefix("sqlite:///")).is_file()
    artifact_root = Path(config.mlflow_artifact_root)
    assert any(artifact_root.rglob("MLmodel")), "artifacts must land under the lakehouse home"


def test_configure_mlflow_reuses_the_experiment(tmp_path: Path) -> None:
    config = load_config("local", home=tmp_path)

    assert configure_mlflow(config) == configure_mlflow(config)


def test_after_a_deployment_each_environment_creates_its_experiment(
    mlflow_twin: FakeWorkspace, tmp_path: Path
) -> None:
    wheel = tmp_path / "p-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"a wheel")
    deploy(workspace_client(mlflow_twin), "staging", wheel, echo=lambda line: None)
    deploy(workspace_client(mlflow_twin), "prod", wheel, echo=lambda line: None)

    for env in ("staging", "prod"):
        config = load_config(env, home=tmp_path, on_databricks=False)
        experiment_id = configure_mlflow(config)

        found = mlflow_twin.tree.get(config.experiment_name)
        assert (found.object_type, str(found.object_id)) == (EXPERIMENT, experiment_id)
    assert mlflow_twin.tree.get(EXPERIMENTS_FOLDER).object_type == DIRECTORY


def test_in_a_new_workspace_the_experiment_gets_its_folder(
    mlflow_twin: FakeWorkspace, tmp_path: Path
) -> None:
    config = load_config("dev", home=tmp_path, on_databricks=False)

    experiment_id = configure_mlflow(config)

    assert configure_mlflow(config) == experiment_id
    assert mlflow_twin.tree.get(config.experiment_name).object_type == EXPERIMENT


# --- links a person opens ---------------------------------------------------------------------------
def test_a_local_run_links_to_the_local_mlflow_ui(tmp_path: Path) -> None:
    config = load_config("local", home=tmp_path)

    assert run_url(config, "3", "abc") == f"{LOCAL_MLFLOW_UI}/#/experiments/3/runs/abc"


def test_a_workspace_run_links_to_its_page_in_the_workspace(tmp_path: Path) -> None:
    config = load_config("staging", home=tmp_path, on_databricks=False)

    assert (
        run_url(config, "7", "abc") == f"{WORKSPACE_HOSTS['staging'].rstrip('/')}/ml/experiments/7/runs/abc"
    )


def test_without_a_configured_host_the_link_uses_the_clients(
    mlflow_twin: FakeWorkspace, tmp_path: Path
) -> None:
    """dev names no host: the workspace the developer's Databricks auth points at."""
    config = load_config("dev", home=tmp_path, on_databricks=False)

    assert run_url(config, "7", "abc") == f"{mlflow_twin.url}/ml/experiments/7/runs/abc"
