"""The approval step of the deployment job, both sides of it.

`check-approval` (the job's `approval` task, on targets whose TargetSettings.require_approval is set):
passes when the model version carries the approval tag (contracts/model.py) with the value "approved"
(any case), else fails at once. It does not wait: as with Databricks' approval task for deployment
jobs, the run ends FAILED at `approval` (promote not run), and once a reviewer has approved it is
repaired, which re-runs `approval` and then `promote` in the same run. Where no approval is required
(every other environment, the local chain) the step is skipped.

`approve` (a reviewer, from a laptop or CI): does what the Approve button of a model version page does
on Databricks: sets the approval tag on the version, then repairs the version's deployment job run if it
ended failed, and optionally waits for the repaired run.
"""

from __future__ import annotations

from datetime import timedelta

from databricks.sdk import WorkspaceClient
from mlflow import MlflowClient

from ..commands import Context
from ..config import load_config
from ..contracts.model import APPROVAL_TAG, APPROVED, CHALLENGER
from ..errors import LifecycleError, NothingToDo, WorkspaceError
from ..tracking import configure_mlflow
from ..training.registry import existing_version, version_by_alias
from ..workspace import call
from .jobs import TARGET_SETTINGS
from .registry_api import get_version, set_version_tag
from .runs import failed_tasks, task_results


def approval_required(env: str) -> bool:
    settings = TARGET_SETTINGS.get(env)
    return settings is not None and settings.require_approval


def check_approval(context: Context, version: str | None) -> dict:
    """Pass when the version (default: the @challenger) is approved; fail naming how to approve it."""
    config = context.config
    if not approval_required(config.env):
        raise NothingToDo(
            f"environment {config.env} requires no approval (TARGET_SETTINGS in deployment/jobs.py)"
        )
    configure_mlflow(config)
    client = MlflowClient()
    name = config.model_name
    candidate = (
        existing_version(client, name, version) if version else version_by_alias(client, name, CHALLENGER)
    )
    if candidate is None:
        raise LifecycleError(f"nothing to approve: {name} has no @{CHALLENGER}; run `validate` first")
    value = candidate.tags.get(APPROVAL_TAG)
    if (value or "").strip().lower() != APPROVED:
        raise LifecycleError(
            f"version {candidate.version} of {name} is not approved (tag {APPROVAL_TAG}={value!r}): "
            f"a reviewer approves it with `approve --target {config.env} --version {candidate.version}` "
            "(or the Approve button of the model version page), which repairs this run"
        )
    return {"model_name": name, "model_version": str(candidate.version), "approved": True}


def approve(client: WorkspaceClient, target: str, version: str, wait_minutes: float | None) -> dict:
    """Tag the version approved, then repair its failed deployment job run (see the module docstring)."""
    name = load_config(target, on_databricks=True).model_name
    get_version(client, name, version)  # a missing version fails here, before any write
    set_version_tag(client, name, version, APPROVAL_TAG, APPROVED)
    state = get_version(client, name, version).get("deployment_job_state") or {}
    summary: dict = {"model_name": name, "model_version": version, APPROVAL_TAG: APPROVED}
    run_id = state.get("run_id")
    if not run_id:
        return {**summary, "repaired_run_id": None}
    run = call(client, f"reading run {run_id}", client.jobs.get_run, int(run_id))
    if run.state is None or run.state.result_state is None or run.state.result_state.value == "SUCCESS":
        return {**summary, "repaired_run_id": None, "run_id": int(run_id)}
    call(client, f"repairing run {run_id}", client.jobs.repair_run, int(run_id), rerun_all_failed_tasks=True)
    summary["repaired_run_id"] = int(run_id)
    if wait_minutes is None:
        return summary
    finished = call(
        client,
        f"waiting for run {run_id}",
        client.jobs.wait_get_run_job_terminated_or_skipped,
        int(run_id),
        timeout=timedelta(minutes=wait_minutes),
    )
    summary["tasks"] = task_results(finished)
    if failed_tasks(finished):
        raise WorkspaceError(f"repaired run {run_id} of version {version} failed: {failed_tasks(finished)}")
    return summary
