"""The retraining trigger: decide from the alerts, then retrain locally or start the training job.

Locally the train -> validate -> promote commands run in this process, looked up by name among the
CLI's registered commands. In workspace environments the deployed training job of the same target
(which has those tasks) is started with `jobs.run_now`, found by its name and project/target tags,
with an idempotency token per target and window so a rerun of the same monitoring window starts no
second training run.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

from ..commands import Command, Context
from ..errors import GateRejectedError, LifecycleError
from ..progress import logger, step
from .assess import MetricResult

TRAINING_CHAIN = ("train", "validate", "promote")
TRAINING_JOB_KEY = "training"
SHOWN_REASONS = 5


@dataclass(frozen=True)
class RetrainDecision:
    retrain: bool
    reason: str


def decide_retraining(results: list[MetricResult]) -> RetrainDecision:
    """Retrain when any metric alerts (a drifted feature or prediction, or quality below its limit)."""
    alerting = [f"{r.feature} {r.metric}" for r in results if r.status == "alert"]
    if not alerting:
        return RetrainDecision(False, "no alerts")
    shown = ", ".join(alerting[:SHOWN_REASONS])
    more = f" and {len(alerting) - SHOWN_REASONS} more" if len(alerting) > SHOWN_REASONS else ""
    return RetrainDecision(True, f"{len(alerting)} alert(s): {shown}{more}")


def run_local_chain(
    context: Context,
    registered: Sequence[Command],
    parser: argparse.ArgumentParser,
    chain: Sequence[str] = TRAINING_CHAIN,
) -> dict:
    """Run the chain's commands in order with their defaults; a gate rejection ends it without error.

    When validate rejects the new version, promote is not run and the champion stays as it was.
    """
    by_name = {command.name: command for command in registered}
    missing = [name for name in chain if name not in by_name]
    if missing:
        raise LifecycleError(f"cannot retrain: command(s) {missing} are not registered in the CLI")
    steps: dict[str, dict] = {}
    for name in chain:
        # validate and promote act on the version this chain's train registered.
        version = steps.get("train", {}).get("model_version")
        handoff = (
            ["--version", str(version)] if version is not None and name in ("validate", "promote") else []
        )
        args = parser.parse_args([name, "--env", context.config.env, *handoff])
        try:
            with step(f"retrain {name}") as facts:
                facts.update(by_name[name].run(context, args))
        except GateRejectedError as rejection:
            logger.warning("monitor: the retrained model was rejected by the gate: %s", rejection)
            return {"mode": "local", "steps": steps, "outcome": "rejected", "reason": str(rejection)}
        steps[name] = facts
    return {"mode": "local", "steps": steps, "outcome": "promoted"}


def trigger_retraining(context: Context, window_label: str) -> dict:
    """Retrain the way this environment does it: the local chain, or the deployed training job."""
    config = context.config
    if config.uses_workspace:
        from ..deployment.runs import start_job
        from ..workspace import workspace_client

        token = f"retrain-{config.env}-{window_label}"
        started = start_job(workspace_client(), TRAINING_JOB_KEY, config.env, idempotency_token=token)
        logger.info(
            "monitor: started training job %s (id %s), run %s",
            started["job"],
            started["job_id"],
            started["run_id"],
        )
        return {"mode": "databricks", **started}
    from .. import cli

    return run_local_chain(context, cli.REGISTERED, cli.build_parser())
