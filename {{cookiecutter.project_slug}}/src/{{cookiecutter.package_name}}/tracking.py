"""MLflow set-up: sqlite tracking and registry locally; Databricks tracking and UC registry there."""

from __future__ import annotations

from pathlib import Path

import mlflow

from .config import LOCAL_MLFLOW_UI, Config
from .errors import LifecycleError
from .progress import logger


def configure_mlflow(config: Config) -> str:
    """Point MLflow at this environment's tracking server and registry; return the experiment id.

    In a workspace an experiment is a workspace object and needs its folder: it is created when absent
    (deploy-jobs creates it too), so a first run in a new workspace does not fail on it.
    """
    if config.mlflow_artifact_root is not None:
        Path(config.mlflow_artifact_root).mkdir(parents=True, exist_ok=True)
        Path(config.tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(config.tracking_uri)
    mlflow.set_registry_uri(config.registry_uri)
    experiment = mlflow.get_experiment_by_name(config.experiment_name)
    experiment_id = experiment.experiment_id if experiment is not None else _create_experiment(config)
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def _create_experiment(config: Config) -> str:
    if config.uses_workspace:
        # Only here: the Databricks SDK takes about a second to import (it loads every service's
        # module); every MLflow command of the local environment would pay it for nothing.
        from .workspace import call, workspace_client

        folder = config.experiment_name.rsplit("/", 1)[0]
        client = workspace_client()
        call(client, f"creating the experiments folder {folder}", client.workspace.mkdirs, folder)
        return mlflow.create_experiment(config.experiment_name)
    artifact_location = Path(config.mlflow_artifact_root or ".", config.experiment_name).as_uri()
    return mlflow.create_experiment(config.experiment_name, artifact_location=artifact_location)


def run_url(config: Config, experiment_id: str, run_id: str) -> str:
    """Where a person opens an MLflow run: its page in the workspace, or in the local MLflow UI
    (`mlflow ui`, at LOCAL_MLFLOW_UI). Without a resolvable workspace host, the run's id."""
    if not config.uses_workspace:
        return f"{LOCAL_MLFLOW_UI}/#/experiments/{experiment_id}/runs/{run_id}"
    host = config.workspace_host
    if not host:
        from .workspace import workspace_client

        try:
            host = workspace_client().config.host
        except (LifecycleError, ValueError) as error:
            logger.debug("no workspace host for the run link: %s", error)
            return f"MLflow run {run_id} (experiment {experiment_id})"
    return f"{host.rstrip('/')}/ml/experiments/{experiment_id}/runs/{run_id}"
