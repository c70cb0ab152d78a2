"""MLflow set-up: sqlite tracking and registry locally; Databricks tracking and UC registry there."""

from __future__ import annotations

from pathlib import Path

from .config import Config


def configure_mlflow(config: Config) -> str:
    """Point MLflow at this environment's tracking server and registry; return the experiment id."""
    import mlflow

    if config.mlflow_artifact_root is not None:
        Path(config.mlflow_artifact_root).mkdir(parents=True, exist_ok=True)
        Path(config.tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(config.tracking_uri)
    mlflow.set_registry_uri(config.registry_uri)
    experiment = mlflow.get_experiment_by_name(config.experiment_name)
    if experiment is not None:
        experiment_id = experiment.experiment_id
    else:
        artifact_location = (
            Path(config.mlflow_artifact_root, config.experiment_name).as_uri()
            if config.mlflow_artifact_root
            else None
        )
        experiment_id = mlflow.create_experiment(config.experiment_name, artifact_location=artifact_location)
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id
