"""Finding and running the deployed jobs: one lookup (name, `project` and `target` tags) for every caller.

Waiting for the training job waits for the gate too: the training run only registers a version, and
the registry then starts the deployment job for it. The version is the one tagged with the training
run's id; its `deployment_job_state` (Unity Catalog registry) names the deployment job run.
"""

from __future__ import annotations

import time
from datetime import timedelta

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.jobs import Run

from ..config import PROJECT_SLUG, load_config
from ..contracts.model import JOB_RUN_ID_TAG
from ..errors import LifecycleError, WorkspaceError
from ..workspace import call
from .jobs import (
    DEPLOYMENT_JOB_KEY,
    DEV,
    DEV_USER_TAG,
    TARGET_SETTINGS,
    developer_name,
    is_target_job,
    job_name,
)
from .registry_api import CONNECTED, get_version, version_numbers

POLL_SECONDS = 2.0

TRAINING_JOB_KEY = "training"


def list_jobs(client: WorkspaceClient, name: str | None = None) -> list[dict]:
    """Every job in the workspace (every page), or those named `name`, as Jobs API dicts."""
    what = f"looking up job {name}" if name else "listing jobs"
    return call(client, what, lambda: [job.as_dict() for job in client.jobs.list(name=name, limit=100)])


def tags_of(job: dict) -> dict[str, str]:
    return job.get("settings", {}).get("tags") or {}


def developer_of(client: WorkspaceClient, target: str) -> str | None:
    """In dev, whose copies of the jobs the caller deploys and runs: the caller's own; else None."""
    if target != DEV:
        return None
    me = call(client, "reading the current user", client.current_user.me)
    return developer_name(me.user_name or "")


def find_job(client: WorkspaceClient, job_key: str, target: str) -> dict:
    """This project's deployed job `job_key` for `target`, as listed (exactly one must exist)."""
    developer = developer_of(client, target)
    name = job_name(job_key, target, developer)
    ours = [job for job in list_jobs(client, name) if is_target_job(tags_of(job), target, developer)]
    if len(ours) != 1:
        owner = f", {DEV_USER_TAG}={developer}" if developer else ""
        raise WorkspaceError(
            f"expected one job named {name!r} tagged project={PROJECT_SLUG}, target={target}{owner} on "
            f"{client.config.host}, found {len(ours)}: deploy first (deploy-jobs --target {target}, or "
            f"databricks bundle deploy --target {target})"
        )
    return ours[0]


def start_job(
    client: WorkspaceClient,
    job_key: str,
    target: str,
    idempotency_token: str | None = None,
    job_parameters: dict[str, str] | None = None,
) -> dict:
    """Start a deployed job; a repeated `idempotency_token` returns the run it started before."""
    job = find_job(client, job_key, target)
    job_id, name = job["job_id"], job["settings"]["name"]
    started = call(
        client,
        f"starting job {job_key}",
        client.jobs.run_now,
        job_id,
        idempotency_token=idempotency_token,
        job_parameters=job_parameters,
    )
    return {"job": name, "job_id": job_id, "run_id": started.run_id}


def run_job(
    client: WorkspaceClient,
    job_key: str,
    target: str,
    wait_minutes: float | None = None,
    job_parameters: dict[str, str] | None = None,
) -> dict:
    """Start a deployed job; with `wait_minutes`, wait for it and fail unless every task succeeded.

    For the training job, waiting also covers the gate: the deployment job run the registry started for
    the version this training run registered (see wait_for_deployment).
    """
    summary = start_job(client, job_key, target, job_parameters=job_parameters)
    if wait_minutes is None:
        return summary
    summary.update(wait_for_run(client, summary["run_id"], summary["job"], wait_minutes))
    if job_key == TRAINING_JOB_KEY:
        summary["deployment"] = wait_for_deployment(client, target, summary["run_id"], wait_minutes)
    return summary


def wait_for_run(client: WorkspaceClient, run_id: int, job: str, wait_minutes: float) -> dict:
    """Wait for a run to end; its result and tasks, or a LifecycleError naming the tasks that failed."""
    run = call(
        client,
        f"waiting for run {run_id}",
        client.jobs.wait_get_run_job_terminated_or_skipped,
        run_id,
        timeout=timedelta(minutes=wait_minutes),
    )
    result = run.state.result_state.value if run.state and run.state.result_state else None
    if result != "SUCCESS":
        raise LifecycleError(
            f"run {run_id} of {job} ended {result}: {failed_tasks(run)} ({run.run_page_url})"
        )
    return {"result_state": result, "tasks": task_results(run), "run_page_url": run.run_page_url}


def failed_tasks(run: Run) -> str:
    """The tasks of a finished run that did not succeed, with their state and message; "" if none."""
    return "; ".join(
        f"{task.task_key}: {task.state.result_state.value} {task.state.state_message or ''}".strip()
        for task in run.tasks or []
        if task.state and task.state.result_state and task.state.result_state.value != "SUCCESS"
    )


def task_results(run: Run) -> dict[str, str | None]:
    """task key -> result state (SUCCESS, FAILED, UPSTREAM_FAILED, ...) of a finished run."""
    return {
        task.task_key: task.state.result_state.value if task.state and task.state.result_state else None
        for task in run.tasks or []
        if task.task_key
    }


def wait_for_deployment(
    client: WorkspaceClient, target: str, training_run_id: int, wait_minutes: float
) -> dict:
    """Wait for the deployment job run of the version training run `training_run_id` registered."""
    model = load_config(target, on_databricks=True).model_name
    version = _registered_by(client, model, str(training_run_id))
    deadline = time.monotonic() + wait_minutes * 60
    state = _deployment_state(client, model, version, deadline)
    if state is None and not TARGET_SETTINGS[target].link_model:
        return {"model_version": version, "run_id": None, "note": f"{model} is not linked in {target}"}
    if state is None:
        raise WorkspaceError(
            f"version {version} of {model} started no deployment job run: the model is not linked to "
            f"its deployment job (run deploy-jobs --target {target}, or post-deploy --target {target} after "
            "a bundle deploy)"
        )
    run_id, job = int(state["run_id"]), job_name(DEPLOYMENT_JOB_KEY, target, developer_of(client, target))
    minutes_left = max(deadline - time.monotonic(), 1.0) / 60
    return {"model_version": version, "run_id": run_id, **wait_for_run(client, run_id, job, minutes_left)}


def _registered_by(client: WorkspaceClient, model: str, training_run_id: str) -> str:
    for number in version_numbers(client, model):  # newest first: the one sought is near the top
        if get_version(client, model, number)["tags"].get(JOB_RUN_ID_TAG) == training_run_id:
            return str(number)
    raise LifecycleError(f"training run {training_run_id} registered no version of {model}")


def _deployment_state(client: WorkspaceClient, model: str, version: str, deadline: float) -> dict | None:
    """The version's deployment job state once it names a run; None when the model has no connected
    deployment job. The registry may start the run a moment after the version is created."""
    while True:
        state = get_version(client, model, version).get("deployment_job_state") or {}
        if state.get("job_state") != CONNECTED:
            return None
        if state.get("run_id"):
            return state
        if time.monotonic() > deadline:
            raise WorkspaceError(f"no deployment job run started for version {version} of {model} in time")
        time.sleep(POLL_SECONDS)
