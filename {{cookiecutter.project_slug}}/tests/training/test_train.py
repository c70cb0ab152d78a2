"""train_and_register on a hand-made training set: what lands in MLflow and on the model version."""

import json
from pathlib import Path

import mlflow
import pytest
from mlflow import MlflowClient

from {{ cookiecutter.package_name }}.config import TableName, load_config
from {{ cookiecutter.package_name }}.contracts.model import HOLDOUT_START_TAG
from {{ cookiecutter.package_name }}.features.spec import MODEL_FEATURES
from {{ cookiecutter.package_name }}.training.lineage import training_dataset
from {{ cookiecutter.package_name }}.training.train import train_and_register

from fake_workspace import FakeWorkspace, workspace_client
from model_helpers import synthetic_training_set

LINEAGE = {
    "git_commit": "abc123",
    "training_table": "delta.`/x/training_set`",
    "training_table_version": "4",
    "feature_tables": "delta.`/x/customer_features`,delta.`/x/training_set`",
}


def test_training_registers_a_version_with_lineage_split_and_explanations(tmp_path: Path) -> None:
    config = load_config("local", home=tmp_path)

    frame = synthetic_training_set()
    table = TableName("training_set", "delta.`/x/training_set`", "/x/training_set")
    summary = train_and_register(config, frame, LINEAGE, dataset=training_dataset(frame, table, 4))

    client = MlflowClient()
    version = client.get_model_version(config.model_name, "1")
    assert summary["model_version"] == "1"
    assert summary["rows"] == {"train": 300, "validation": 300, "test": 300}
    assert summary["test_auc"] > 0.8, summary
    assert {key: version.tags[key] for key in LINEAGE} == LINEAGE
    assert version.tags["holdout_start"] == "2026-04-30T00:00:00"
    assert version.tags["validation_start"] == "2026-03-31T00:00:00"
    run = client.get_run(summary["run_id"])
    assert run.data.tags["training_table_version"] == "4"
    assert run.data.params["learning_rate"] == "0.02"
    assert {"validation_auc", "test_auc", "test_log_loss"} <= set(run.data.metrics)
    artifacts = {artifact.path for artifact in client.list_artifacts(run.info.run_id, "explain")}
    assert artifacts == {"explain/permutation_importance.csv", "explain/permutation_importance.png"}
    plots = {artifact.path for artifact in client.list_artifacts(run.info.run_id, "evaluation")}
    assert plots == {
        f"evaluation/{name}"
        for name in ("roc_curve.png", "precision_recall_curve.png", "calibration_curve.png")
    }
    # MLflow 3: the training data is the run's input (the Delta table at the version read), and the test
    # metrics belong to the logged model too, tied to that dataset.
    [training_input] = run.inputs.dataset_inputs
    source = json.loads(training_input.dataset.source)
    assert (training_input.dataset.source_type, source["path"], source["delta_table_version"]) == (
        "delta_table",
        "/x/training_set",
        4,
    )
    assert [tag.value for tag in training_input.tags if tag.key == "mlflow.data.context"] == ["training"]
    [model_output] = run.outputs.model_outputs
    model = mlflow.get_logged_model(model_output.model_id)
    linked = {metric.key: metric for metric in model.metrics}
    assert linked["test_auc"].value == run.data.metrics["test_auc"]
    assert linked["test_auc"].dataset_name == "delta.`/x/training_set`"
    importances = mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/explain/permutation_importance.csv")
    assert importances.splitlines()[0] == "feature,importance_mean,importance_std"
    assert len(importances.splitlines()) == 1 + len(MODEL_FEATURES)
    assert summary["top_feature"] in ("events_30d", "support_contacts_30d")
    loaded = mlflow.pyfunc.load_model(f"models:/{config.model_name}/1")
    assert loaded.metadata.signature is not None
    assert [spec.name for spec in loaded.metadata.signature.inputs] == list(MODEL_FEATURES)


def test_tuning_logs_one_nested_run_per_trial_and_registers_the_best(tmp_path: Path) -> None:
    config = load_config("local", home=tmp_path)

    summary = train_and_register(config, synthetic_training_set(customers=150), LINEAGE, trials=2, seed=3)

    client = MlflowClient()
    parent = client.get_run(summary["run_id"])
    children = client.search_runs(
        [parent.info.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'"
    )
    assert sorted(child.info.run_name for child in children) == ["trial-0", "trial-1"]
    best = max(children, key=lambda child: child.data.metrics["validation_auc"])
    assert parent.data.metrics["validation_auc"] == pytest.approx(best.data.metrics["validation_auc"], abs=0)
    assert parent.data.params["learning_rate"] == best.data.params["learning_rate"]
    assert summary["tuning_trials"] == 2 and summary["model_version"] == "1"


def test_on_unity_catalog_a_version_is_created_with_its_tags(
    mlflow_twin: FakeWorkspace, tmp_path: Path
) -> None:
    """A new version starts the deployment job at once, and its `validate` reads the version's tags:
    they go in the create call itself, never in a tag call afterwards."""
    config = load_config("staging", home=tmp_path, on_databricks=False)
    workspace_client(mlflow_twin).schemas.create(config.schema, config.catalog)

    summary = train_and_register(config, synthetic_training_set(customers=100), LINEAGE)

    versions = "/api/2.0/mlflow/unity-catalog/model-versions"
    [create] = mlflow_twin.calls_to("POST", f"{versions}/create")
    sent = {tag["key"]: tag["value"] for tag in (create.json or {}).get("tags", [])}
    assert {key: sent.get(key) for key in LINEAGE} == LINEAGE
    assert HOLDOUT_START_TAG in sent and "test_auc" in sent
    assert mlflow_twin.calls_to("POST", f"{versions}/set-tag") == []
    assert summary["model_version"] == "1"
