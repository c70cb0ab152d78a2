"""The retraining trigger: decide from the alerts, then retrain locally or start the training job.

Locally the train -> validate -> promote commands run in this process (`commands.run_steps`, over
the commands the CLI registered in the context). In workspace environments the deployed training job
of the same target is started with `jobs.run_now` (it trains and registers; the registry then runs
the deployment job, validate -> promote, for the new version), found by its name and project/target
tags, with an idempotency token per target and window so a rerun of the same monitoring window starts
no second training run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..commands import Context, run_steps
from ..deployment.runs import start_job
from ..errors import GateRejectedError
from ..progress import logger
from ..workspace import workspace_client
from .assess import MetricResult, alerts

TRAINING_CHAIN = ("train", "validate", "promote")
TRAINING_JOB_KEY = "training"
SHOWN_REASONS = 5


@dataclass(frozen=True)
class RetrainDecision:
    retrain: bool
    reason: str


def decide_retraining(results: list[MetricResult]) -> RetrainDecision:
    """Retrain when any metric alerts (a drifted feature or prediction, or quality below its limit)."""
    alerting = [f"{r.feature} {r.metric}" for r in alerts(results)]
    if not alerting:
        return RetrainDecision(False, "no alerts")
    shown = ", ".join(alerting[:SHOWN_REASONS])
    more = f" and {len(alerting) - SHOWN_REASONS} more" if len(alerting) > SHOWN_REASONS else ""
    return RetrainDecision(True, f"{len(alerting)} alert(s): {shown}{more}")


def run_local_chain(context: Context, chain: Sequence[str] = TRAINING_CHAIN) -> dict:
    """Run the chain's commands in order with their defaults; a gate rejection ends it without error.

    When validate rejects the new version, promote is not run and the champion stays as it was.
    """
    steps: dict[str, dict] = {}
    try:
        run_steps(context, chain, prefix="retrain ", steps=steps)
    except GateRejectedError as rejection:
        logger.warning("monitor: the retrained model was rejected by the gate: %s", rejection)
        return {"mode": "local", "steps": steps, "outcome": "rejected", "reason": str(rejection)}
    return {"mode": "local", "steps": steps, "outcome": "promoted"}


def trigger_retraining(context: Context, window_label: str) -> dict:
    """Retrain the way this environment does it: the local chain, or the deployed training job."""
    config = context.config
    if config.uses_workspace:
        token = f"retrain-{config.env}-{window_label}"
        started = start_job(workspace_client(), TRAINING_JOB_KEY, config.env, idempotency_token=token)
        logger.info(
            "monitor: started training job %s (id %s), run %s",
            started["job"],
            started["job_id"],
            started["run_id"],
        )
        return {"mode": "databricks", **started}
    return run_local_chain(context)
