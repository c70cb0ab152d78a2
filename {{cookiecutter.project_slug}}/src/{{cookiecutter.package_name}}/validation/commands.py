"""`validate`: judge a model version on its holdout; on pass it becomes @challenger.

Which version: `--version`, else the one the same job run's `train` registered (`--job-run-id`, how the
deployed training job calls it, so a concurrent run can never swap the candidate), else the newest.

Enforcing by default: a rejected version exits with code 3 and no alias moves. The result is recorded
on the version (tags and description) and as an MLflow run either way.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..arguments import databricks_id
from ..commands import Command, Context
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

if TYPE_CHECKING:
    from mlflow.entities.model_registry import ModelVersion


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--version", type=databricks_id, help="model version to validate (default: the newest)"
    )
    parser.add_argument(
        "--job-run-id",
        type=databricks_id,
        help="validate the version `train` registered in this Databricks job run",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="record the result but move no alias and always exit 0 (not for pipelines)",
    )


def _candidate(client, name: str, version: str | None, job_run_id: str | None) -> ModelVersion:
    """The version to judge, with its tags (see the module docstring)."""
    if version is not None:
        return existing_version(client, name, version)
    if job_run_id is not None:
        return version_registered_by(client, name, job_run_id)
    found = latest_version(client, name)
    if found is None:
        raise LifecycleError(f"model {name} has no versions: run `train` first")
    return found


def _holdout_metrics(model_uri: str, holdout) -> dict[str, float]:
    import mlflow

    model = mlflow.pyfunc.load_model(model_uri)
    return classification_metrics(holdout[LABEL_COLUMN], positive_probability(model, to_model_input(holdout)))


def _record(client, name: str, result: GateResult, candidate: dict, champion: dict | None) -> str:
    """Log the gate as an MLflow run and write it onto the model version; return the run id."""
    import mlflow

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


def _run(context: Context, args: argparse.Namespace) -> dict:
    from mlflow import MlflowClient

    config = context.config
    configure_mlflow(config)
    client = MlflowClient()
    name = config.model_name
    candidate_version = _candidate(client, name, args.version, args.job_run_id)
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
    summary = {
        "model_name": name,
        "model_version": result.candidate_version,
        "champion_version": result.champion_version,
        "passed": result.passed,
        "holdout_auc": round(candidate["auc"], 4),
        "holdout_log_loss": round(candidate["log_loss"], 4),
        "holdout_rows": len(holdout),
        "gate_run_id": run_id,
        "checks": {check.name: check.passed for check in result.checks},
    }
    if champion is not None:
        summary["champion_holdout_auc"] = round(champion["auc"], 4)
    if args.report_only:
        return {**summary, "alias_set": None}
    if not result.passed:
        failures = "; ".join(check.message for check in result.failures)
        raise GateRejectedError(
            f"model version {result.candidate_version} of {name} rejected by the gate: {failures}. "
            f"Aliases unchanged (@{CHAMPION} stays on version {result.champion_version or 'none'})."
        )
    client.set_registered_model_alias(name, CHALLENGER, result.candidate_version)
    return {**summary, "alias_set": CHALLENGER}


COMMANDS = [
    Command(
        name="validate",
        help="judge a model version on its holdout (thresholds and champion); pass -> @challenger",
        run=_run,
        add_arguments=_add_arguments,
    )
]
