"""Finding and running the deployed jobs: one lookup (name, `project` and `target` tags) for every caller."""

from __future__ import annotations

from datetime import timedelta

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.jobs import Run

from ..config import PROJECT_SLUG
from ..errors import LifecycleError, WorkspaceError
from ..workspace import call
from .jobs import DEV, DEV_USER_TAG, developer_name, is_target_job, job_name


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
            f"{client.config.host}, found {len(ours)}: run deploy-jobs --target {target} first"
        )
    return ours[0]


def start_job(
    client: WorkspaceClient, job_key: str, target: str, idempotency_token: str | None = None
) -> dict:
    """Start a deployed job; a repeated `idempotency_token` returns the run it started before."""
    job = find_job(client, job_key, target)
    job_id, name = job["job_id"], job["settings"]["name"]
    started = call(
        client, f"starting job {job_key}", client.jobs.run_now, job_id, idempotency_token=idempotency_token
    )
    return {"job": name, "job_id": job_id, "run_id": started.run_id}


def run_job(client: WorkspaceClient, job_key: str, target: str, wait_minutes: float | None = None) -> dict:
    """Start a deployed job; with `wait_minutes`, wait for it and fail unless every task succeeded."""
    summary = start_job(client, job_key, target)
    if wait_minutes is None:
        return summary
    run = call(
        client,
        f"waiting for run {summary['run_id']}",
        client.jobs.wait_get_run_job_terminated_or_skipped,
        summary["run_id"],
        timeout=timedelta(minutes=wait_minutes),
    )
    tasks = task_results(run)
    result = run.state.result_state.value if run.state and run.state.result_state else None
    summary.update(result_state=result, tasks=tasks, run_page_url=run.run_page_url)
    if result != "SUCCESS":
        failed = "; ".join(
            f"{task.task_key}: {task.state.result_state.value} {task.state.state_message or ''}".strip()
            for task in run.tasks or []
            if task.state and task.state.result_state and task.state.result_state.value != "SUCCESS"
        )
        raise LifecycleError(
            f"run {summary['run_id']} of {summary['job']} ended {result}: {failed} ({run.run_page_url})"
        )
    return summary


def task_results(run: Run) -> dict[str, str | None]:
    """task key -> result state (SUCCESS, FAILED, UPSTREAM_FAILED, ...) of a finished run."""
    return {
        task.task_key: task.state.result_state.value if task.state and task.state.result_state else None
        for task in run.tasks or []
        if task.task_key
    }
