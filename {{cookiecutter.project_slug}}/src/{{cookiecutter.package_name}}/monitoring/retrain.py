"""The retraining trigger: decide from the alerts, then retrain locally or start the training job.

Locally the train -> validate -> promote commands run in this process, looked up by name among the
CLI's registered commands. On Databricks the deployed training job (which has those tasks) is started
with `jobs.run_now`, found by the name the deployer gives it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..commands import Command, Context
from ..errors import GateRejectedError, LifecycleError
from ..progress import logger, step
from .assess import MetricResult

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

TRAINING_CHAIN = ("train", "validate", "promote")
TRAINING_JOB_KEY = "training"
# Fail fast when the workspace is unreachable: with its defaults the SDK retries for about five minutes
# (at construction, and again on each call). A refused connection is retried until the retry timeout.
SDK_HTTP_TIMEOUT_SECONDS = 15
SDK_RETRY_TIMEOUT_SECONDS = 20
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
        args = parser.parse_args([name, "--env", context.config.env])
        try:
            with step(f"retrain {name}") as facts:
                facts.update(by_name[name].run(context, args))
        except GateRejectedError as rejection:
            logger.warning("monitor: the retrained model was rejected by the gate: %s", rejection)
            return {"mode": "local", "steps": steps, "outcome": "rejected", "reason": str(rejection)}
        steps[name] = facts
    return {"mode": "local", "steps": steps, "outcome": "promoted"}


def workspace_client(
    host: str | None = None,
    token: str | None = None,
    http_timeout_seconds: float = SDK_HTTP_TIMEOUT_SECONDS,
    retry_timeout_seconds: float = SDK_RETRY_TIMEOUT_SECONDS,
) -> WorkspaceClient:
    """A client with short timeouts; without host/token the SDK's unified auth decides (env, runtime)."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config as SdkConfig

    settings: dict = {
        "http_timeout_seconds": http_timeout_seconds,
        "retry_timeout_seconds": retry_timeout_seconds,
    }
    if host is not None:
        settings["host"] = host
    if token is not None:
        settings["token"] = token
    return WorkspaceClient(config=SdkConfig(**settings))


def run_training_job(client: WorkspaceClient, name: str, idempotency_token: str | None = None) -> dict:
    """Start the job called `name`; the token makes a repeated trigger return the same run."""
    from databricks.sdk.errors import DatabricksError

    try:
        jobs = list(client.jobs.list(name=name))
        if not jobs:
            raise LifecycleError(f"no Databricks job named {name!r}: deploy the jobs first (deploy-jobs)")
        if len(jobs) > 1:
            ids = sorted(job.job_id for job in jobs)
            raise LifecycleError(f"{len(jobs)} jobs are named {name!r} (ids {ids}): delete the extra ones")
        job_id = jobs[0].job_id
        run = client.jobs.run_now(job_id=job_id, idempotency_token=idempotency_token)
    except (DatabricksError, TimeoutError, OSError) as error:
        raise LifecycleError(
            f"could not start the training job {name!r} on {client.config.host}: {error}"
        ) from error
    logger.info("monitor: started training job %s (id %s), run %s", name, job_id, run.run_id)
    return {"mode": "databricks", "job_name": name, "job_id": job_id, "run_id": run.run_id}


def trigger_retraining(context: Context, idempotency_token: str | None = None) -> dict:
    """Retrain the way this environment does it: the local chain, or the deployed training job."""
    if context.config.on_databricks:
        from ..deployment.jobs import job_name

        return run_training_job(
            workspace_client(), job_name(TRAINING_JOB_KEY, context.config.env), idempotency_token
        )
    from .. import cli

    return run_local_chain(context, cli.REGISTERED, cli.build_parser())
