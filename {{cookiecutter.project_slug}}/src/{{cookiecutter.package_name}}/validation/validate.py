"""The validate job as a pipeline: candidate version, its holdout, the gate, the record, the alias.

Which version and what happens on a rejection: see commands.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion

from ..commands import Context
from ..contracts.model import CHALLENGER, CHAMPION, GATE_PASSED, GATE_REJECTED, GATE_STATUS_TAG
from ..errors import GateRejectedError, LifecycleError
from ..features.spec import LABEL_COLUMN
from ..progress import logger
from ..tracking import configure_mlflow
from ..training.metrics import classification_metrics
from ..training.model import positive_probability, to_model_input
from ..training.registry import (
    existing_version,
    latest_version,
    version_by_alias,
    version_registered_by,
    version_uri,
)
from .gate import GateResult, evaluate_gate
from .holdout import load_holdout


def validate(context: Context, version: str | None, job_run_id: str | None, report_only: bool) -> dict:
    """Judge the version on its holdout, record the result; on pass (and not `report_only`) @challenger.

    A rejection raises GateRejectedError (unless `report_only`) after the result is recorded.
    """
    config = context.config
    configure_mlflow(config)
    client = MlflowClient()
    name = config.model_name
    candidate_version = _candidate(client, name, version, job_run_id)
    holdout = load_holdout(context.spark, config, candidate_version)
    candidate = _holdout_metrics(version_uri(name, str(candidate_version.version)), holdout)
    champion_version = version_by_alias(client, name, CHAMPION)
    champion = None
    if champion_version is not None:
        champion = _holdout_metrics(version_uri(name, str(champion_version.version)), holdout)
    result = evaluate_gate(
        str(candidate_version.version),
        candidate,
        config.gate,
        str(champion_version.version) if champion_version else None,
        champion,
    )
    run_id = _record(client, name, result, candidate, champion)
    logger.info("%s", result.summary())
    summary = _summary(name, result, candidate, champion, len(holdout), run_id)
    if report_only:
        return {**summary, "alias_set": None}
    if not result.passed:
        failures = "; ".join(check.message for check in result.failures)
        raise GateRejectedError(
            f"model version {result.candidate_version} of {name} rejected by the gate: {failures}. "
            f"Aliases unchanged (@{CHAMPION} stays on version {result.champion_version or 'none'})."
        )
    client.set_registered_model_alias(name, CHALLENGER, result.candidate_version)
    return {**summary, "alias_set": CHALLENGER}


def _candidate(client: MlflowClient, name: str, version: str | None, job_run_id: str | None) -> ModelVersion:
    """The version to judge, with its tags (see commands.py)."""
    if version is not None:
        return existing_version(client, name, version)
    if job_run_id is not None:
        return version_registered_by(client, name, job_run_id)
    found = latest_version(client, name)
    if found is None:
        raise LifecycleError(f"model {name} has no versions: run `train` first")
    return found


def _holdout_metrics(model_uri: str, holdout: pd.DataFrame) -> dict[str, float]:
    model = mlflow.pyfunc.load_model(model_uri)
    return classification_metrics(holdout[LABEL_COLUMN], positive_probability(model, to_model_input(holdout)))


def _record(
    client: MlflowClient, name: str, result: GateResult, candidate: dict, champion: dict | None
) -> str:
    """Log the gate as an MLflow run and write it onto the model version; return the run id."""
    status = GATE_PASSED if result.passed else GATE_REJECTED
    with mlflow.start_run(run_name=f"validate-v{result.candidate_version}") as run:
        mlflow.set_tags(
            {"model_name": name, "model_version": result.candidate_version, GATE_STATUS_TAG: status}
        )
        mlflow.log_metrics({f"candidate_{key}": value for key, value in candidate.items()})
        if champion is not None:
            mlflow.log_metrics({f"champion_{key}": value for key, value in champion.items()})
        mlflow.log_dict(result.as_dict(), "gate/result.json")
    tags = {
        GATE_STATUS_TAG: status,
        "gate_checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "gate_run_id": run.info.run_id,
        "gate_champion_version": result.champion_version or "none",
        "holdout_auc": f"{candidate['auc']:.6f}",
        "holdout_log_loss": f"{candidate['log_loss']:.6f}",
    }
    for key, value in tags.items():
        client.set_model_version_tag(name, result.candidate_version, key, value)
    client.update_model_version(name, result.candidate_version, description=result.summary())
    return run.info.run_id


def _summary(
    name: str, result: GateResult, candidate: dict, champion: dict | None, holdout_rows: int, run_id: str
) -> dict:
    """The command's summary, without `alias_set` (what happens next decides it)."""
    summary = {
        "model_name": name,
        "model_version": result.candidate_version,
        "champion_version": result.champion_version,
        "passed": result.passed,
        "holdout_auc": round(candidate["auc"], 4),
        "holdout_log_loss": round(candidate["log_loss"], 4),
        "holdout_rows": holdout_rows,
        "gate_run_id": run_id,
        "checks": {check.name: check.passed for check in result.checks},
    }
    if champion is not None:
        summary["champion_holdout_auc"] = round(champion["auc"], 4)
    return summary
