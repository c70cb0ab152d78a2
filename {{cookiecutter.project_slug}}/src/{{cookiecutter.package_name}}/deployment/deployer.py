"""Deploy the jobs of `jobs.py` to a Databricks workspace with databricks-sdk: plan, print, apply.

- The wheel goes to workspace files under a folder named after its SHA-256: a new wheel never
  overwrites the one running jobs use, and an unchanged wheel is not uploaded again.
- A job is matched by name and by the `project` tag. A job with one of our names but without our tag
  stops the deploy before any write (a job somebody else made is never taken over).
- Jobs the project no longer defines, i.e. tagged with this project, this target and `managed_by` but
  with a name jobs.py does not produce, are deleted: a leftover scheduled job would keep writing to the
  target's tables. The plan lists them, they are deleted last, and `--dry-run` deletes nothing.
- A job is unchanged when the `spec_hash` tag matches the spec and every field the spec sets has the
  same value in the workspace (fields the workspace adds by default are ignored); the viewer group
  must also hold at least CAN_VIEW. Otherwise it is reset to the spec. Unchanged jobs get no write.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import PROJECT_SLUG, load_config
from ..errors import ConfigError, LifecycleError
from ..progress import logger
from .jobs import MANAGED_BY, all_job_settings, job_name, job_permissions

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

WHEEL_ROOT = "/Workspace/Shared/{project}/{target}/wheels"
PROBE_TIMEOUT_SECONDS = 5
SPEC_HASH_TAG = "spec_hash"
# Permission levels that include viewing a job.
VIEW_OR_MORE = {"CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE", "IS_OWNER"}


class DeployError(LifecycleError):
    """The workspace refused or could not be reached; the message says which call and why."""


@dataclass(frozen=True)
class WheelUpload:
    local_path: Path
    remote_path: str
    present: bool  # already in the workspace (same content: the folder is the content hash)


@dataclass(frozen=True)
class JobChange:
    action: str  # create | update | unchanged | delete
    name: str
    job_id: int | None = None
    settings: dict | None = None
    reasons: tuple[str, ...] = ()  # for update: the changed top-level fields, and/or "permissions"

    @property
    def resets_settings(self) -> bool:
        return self.action == "update" and self.reasons != ("permissions",)

    @property
    def grants_permissions(self) -> bool:
        return self.action == "update" and "permissions" in self.reasons


@dataclass(frozen=True)
class Plan:
    target: str
    host: str
    wheel: WheelUpload
    changes: tuple[JobChange, ...]
    permissions: list[dict] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        actions = ("create", "update", "unchanged", "delete")
        return {action: sum(change.action == action for change in self.changes) for action in actions}

    @property
    def has_writes(self) -> bool:
        return not self.wheel.present or any(change.action != "unchanged" for change in self.changes)

    def render(self) -> str:
        wheel_action = "present" if self.wheel.present else "upload"
        lines = [
            f"Deployment plan for target {self.target} on {self.host}",
            f"  {wheel_action:<10} wheel {self.wheel.remote_path}",
        ]
        for change in self.changes:
            detail = f" ({', '.join(change.reasons)})" if change.reasons else ""
            job_id = f" [job {change.job_id}]" if change.job_id is not None else ""
            lines.append(f"  {change.action:<10} {change.name}{job_id}{detail}")
        counts = ", ".join(f"{count} {action}" for action, count in self.counts().items())
        lines.append(f"  => {counts}")
        return "\n".join(lines)


# --- pure helpers ----------------------------------------------------------------------------------
def spec_hash(settings: dict) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def with_spec_hash(settings: dict) -> dict:
    """The settings with a `spec_hash` tag: removing a field from the spec changes it."""
    tags = {key: value for key, value in settings.get("tags", {}).items() if key != SPEC_HASH_TAG}
    unhashed = {**settings, "tags": tags}
    return {**unhashed, "tags": {**tags, SPEC_HASH_TAG: spec_hash(unhashed)}}


def remote_wheel_path(target: str, wheel: Path) -> str:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()[:16]
    return f"{WHEEL_ROOT.format(project=PROJECT_SLUG, target=target)}/{digest}/{wheel.name}"


_IDENTITY_KEYS = ("task_key", "job_cluster_key", "environment_key")


def contains(actual: object, expected: object) -> bool:
    """Whether `actual` (from the workspace) has every value `expected` (the spec) sets.

    Extra keys in `actual` are defaults the workspace fills in. Lists of tasks, job clusters and
    environments are compared by their keys, other lists in order.
    """
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and contains(actual[key], value) for key, value in expected.items()
        )
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return False
        identity = _identity_key(expected)
        if identity and _identity_key(actual) == identity:
            by_key = {item[identity]: item for item in actual}
            return all(contains(by_key.get(item[identity]), item) for item in expected)
        return all(contains(a, e) for a, e in zip(actual, expected, strict=True))
    return actual == expected


def _identity_key(items: list) -> str | None:
    for key in _IDENTITY_KEYS:
        if items and all(isinstance(item, dict) and key in item for item in items):
            return key
    return None


def changed_fields(desired: dict, current: dict) -> list[str]:
    """Top-level settings that differ; only `tags` when just the spec hash differs (a field was removed)."""
    changed = [key for key, value in desired.items() if not contains(current.get(key), value)]
    return sorted(changed)


def has_viewer(access_control_list: list[dict], group: str) -> bool:
    return any(
        entry.get("group_name") == group
        and any(level.get("permission_level") in VIEW_OR_MORE for level in entry.get("all_permissions", []))
        for entry in access_control_list
    )


def diff_jobs(
    desired: dict[str, dict],
    existing: list[dict],
    target: str,
    current_settings: Callable[[int], dict],
    current_permissions: Callable[[int], list[dict]],
    viewer_group: str,
) -> list[JobChange]:
    """The changes that make the workspace match `desired`.

    `existing` are the jobs as listed (job_id, settings without tasks); `current_settings` and
    `current_permissions` fetch the full settings and permissions of one matched job.
    """
    changes: list[JobChange] = []
    by_name: dict[str, list[dict]] = {}
    for job in existing:
        by_name.setdefault(job.get("settings", {}).get("name", ""), []).append(job)
    for name, settings in desired.items():
        same_name = by_name.get(name, [])
        ours = [job for job in same_name if _tags(job).get("project") == PROJECT_SLUG]
        if len(ours) < len(same_name):
            ids = sorted(job["job_id"] for job in same_name if job not in ours)
            raise DeployError(
                f"job {name!r} exists (job_id {ids}) but is not tagged project={PROJECT_SLUG}: "
                "rename or delete it, or tag it if this project should manage it"
            )
        if len(ours) > 1:
            ids = sorted(job["job_id"] for job in ours)
            raise DeployError(f"{len(ours)} jobs are named {name!r} (job_id {ids}): delete all but one")
        if not ours:
            changes.append(JobChange("create", name, settings=settings))
            continue
        job_id = ours[0]["job_id"]
        reasons = changed_fields(settings, current_settings(job_id))
        if not has_viewer(current_permissions(job_id), viewer_group):
            reasons.append("permissions")
        action = "update" if reasons else "unchanged"
        changes.append(JobChange(action, name, job_id, settings, tuple(reasons)))
    for job in existing:
        tags, name = _tags(job), job.get("settings", {}).get("name", "")
        is_ours = tags.get("project") == PROJECT_SLUG and tags.get("target") == target
        if is_ours and tags.get("managed_by") == MANAGED_BY and name not in desired:
            changes.append(JobChange("delete", name, job["job_id"], reasons=("no longer defined",)))
    return changes


def _tags(job: dict) -> dict:
    return job.get("settings", {}).get("tags") or {}


# --- wheel -----------------------------------------------------------------------------------------
def build_wheel(project_dir: Path, output_dir: Path) -> Path:
    """Build the project's wheel with its build backend (hatchling must be installed: dev extra)."""
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    result = subprocess.run(
        [*command, "-w", str(output_dir), str(project_dir)], capture_output=True, text=True, check=False
    )
    wheels = sorted(output_dir.glob("*.whl"))
    if result.returncode != 0 or len(wheels) != 1:
        raise LifecycleError(
            f"building the wheel of {project_dir} failed (is hatchling installed? pip install -e '.[dev]'):\n"
            f"{result.stderr.strip()}"
        )
    return wheels[0]


# --- workspace -------------------------------------------------------------------------------------
def workspace_host(target: str, host: str | None = None) -> str:
    """--host, else $DATABRICKS_HOST, else the target's host in config.py."""
    chosen = host or os.environ.get("DATABRICKS_HOST") or load_config(target).workspace_host
    if not chosen or "placeholder" in chosen:
        raise ConfigError(
            f"no Databricks host for target {target}: set DATABRICKS_HOST, pass --host, "
            "or put the workspace URL into WORKSPACE_HOSTS in config.py"
        )
    return chosen


def connect(host: str, timeout_seconds: int = 30) -> WorkspaceClient:
    """A client through the SDK's unified auth (environment variables; OIDC in GitHub Actions).

    The SDK retries a failing call for 5 minutes by default. Here every call, retries included, gets
    `timeout_seconds`; the host probe the SDK makes while building its config (best effort: it falls
    back to the explicit settings) gets at most PROBE_TIMEOUT_SECONDS of them, so an unreachable host
    fails after about PROBE_TIMEOUT_SECONDS + timeout_seconds.
    """
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    try:
        config = Config(
            host=host,
            retry_timeout_seconds=min(timeout_seconds, PROBE_TIMEOUT_SECONDS),
            http_timeout_seconds=min(timeout_seconds, 30),
        )
    except ValueError as error:
        raise ConfigError(
            f"cannot authenticate to {host}: {error}. Set DATABRICKS_TOKEN, or in GitHub Actions "
            "DATABRICKS_AUTH_TYPE=github-oidc with DATABRICKS_CLIENT_ID (see docs/)"
        ) from error
    # The API client reads the retry budget when it is created, after the probe.
    config.retry_timeout_seconds = timeout_seconds
    return WorkspaceClient(config=config)


def _call[T](
    description: str, host: str, function: Callable[..., T], /, *args: object, **kwargs: object
) -> T:
    """Run one API call; turn SDK and network errors into a DeployError that names the call."""
    from databricks.sdk.errors import DatabricksError

    try:
        return function(*args, **kwargs)
    except DatabricksError as error:
        code = getattr(error, "error_code", None) or type(error).__name__
        raise DeployError(f"{description} failed on {host}: {code}: {error}") from error
    except (TimeoutError, OSError) as error:
        cause = error.__cause__ or error
        raise DeployError(
            f"{description}: cannot reach the Databricks workspace {host} ({error}; last error: {cause}). "
            "Check DATABRICKS_HOST and the network, or raise --timeout"
        ) from error


def plan_deployment(client: WorkspaceClient, target: str, wheel: Path) -> Plan:
    """Read the workspace and work out what to change. Makes no write call."""
    from databricks.sdk.errors import NotFound

    host = client.config.host
    remote = remote_wheel_path(target, wheel)
    desired = {name: with_spec_hash(settings) for name, settings in all_job_settings(target, remote).items()}

    def wheel_present() -> bool:
        try:
            client.workspace.get_status(remote)
        except NotFound:
            return False
        return True

    def listed_jobs() -> list[dict]:
        return [job.as_dict() for job in client.jobs.list(limit=100)]

    def settings_of(job_id: int) -> dict:
        job = _call(f"reading job {job_id}", host, client.jobs.get, job_id)
        return job.settings.as_dict() if job.settings else {}

    def permissions_of(job_id: int) -> list[dict]:
        found = _call(f"reading permissions of job {job_id}", host, client.jobs.get_permissions, str(job_id))
        return [entry.as_dict() for entry in found.access_control_list or []]

    present = _call(f"checking for the wheel {remote}", host, wheel_present)
    existing = _call("listing jobs", host, listed_jobs)
    viewer_group = job_permissions(target)[0]["group_name"]
    changes = diff_jobs(desired, existing, target, settings_of, permissions_of, viewer_group)
    return Plan(target, host, WheelUpload(wheel, remote, present), tuple(changes), job_permissions(target))


def apply_plan(client: WorkspaceClient, plan: Plan) -> None:
    """Make the changes of `plan`: wheel first, then creates and updates, deletes last."""
    from databricks.sdk.service.jobs import JobAccessControlRequest, JobSettings
    from databricks.sdk.service.workspace import ImportFormat

    host = plan.host
    access = [JobAccessControlRequest.from_dict(entry) for entry in plan.permissions]
    if not plan.wheel.present:
        remote = plan.wheel.remote_path
        _call(f"creating {remote.rsplit('/', 1)[0]}", host, client.workspace.mkdirs, remote.rsplit("/", 1)[0])
        content = plan.wheel.local_path.read_bytes()
        upload = client.workspace.upload
        _call(
            f"uploading the wheel to {remote}",
            host,
            upload,
            remote,
            content,
            format=ImportFormat.AUTO,
            overwrite=True,
        )
    for change in sorted(plan.changes, key=lambda change: change.action == "delete"):
        if change.action == "create":
            settings = JobSettings.from_dict(change.settings or {}).as_shallow_dict()
            created = _call(
                f"creating job {change.name}",
                host,
                client.jobs.create,
                **settings,
                access_control_list=access,
            )
            logger.info("created job %s [job %s]", change.name, created.job_id)
        if change.resets_settings:
            settings = JobSettings.from_dict(change.settings or {})
            _call(f"updating job {change.name}", host, client.jobs.reset, change.job_id, settings)
            logger.info("updated job %s [job %s]: %s", change.name, change.job_id, ", ".join(change.reasons))
        if change.grants_permissions:
            grant = client.jobs.update_permissions
            _call(
                f"granting view on job {change.name}",
                host,
                grant,
                str(change.job_id),
                access_control_list=access,
            )
        if change.action == "delete":
            _call(f"deleting job {change.name}", host, client.jobs.delete, change.job_id)
            logger.info("deleted job %s [job %s] (no longer defined)", change.name, change.job_id)


def deploy(
    client: WorkspaceClient,
    target: str,
    wheel: Path,
    dry_run: bool = False,
    echo: Callable[[str], None] = print,
) -> dict:
    """Plan, print the plan, and apply it unless `dry_run`. Returns a summary for the CLI."""
    plan = plan_deployment(client, target, wheel)
    echo(plan.render())
    if not dry_run and plan.has_writes:
        apply_plan(client, plan)
    return {
        "target": target,
        "host": plan.host,
        "dry_run": dry_run,
        "wheel": plan.wheel.remote_path,
        "wheel_uploaded": not dry_run and not plan.wheel.present,
        **plan.counts(),
        "jobs": {change.name: change.action for change in plan.changes},
    }


# --- running a deployed job ------------------------------------------------------------------------
def find_job_id(client: WorkspaceClient, job_key: str, target: str) -> int:
    """The id of a deployed job of this project, matched by name and project tag."""
    name = job_name(job_key, target)
    host = client.config.host
    found = _call(f"looking up job {name}", host, lambda: list(client.jobs.list(name=name, limit=100)))
    ours = [
        job for job in found if ((job.settings and job.settings.tags) or {}).get("project") == PROJECT_SLUG
    ]
    if len(ours) != 1:
        raise DeployError(
            f"expected one job named {name!r} tagged project={PROJECT_SLUG} on {host}, found {len(ours)}: "
            f"run deploy-jobs --target {target} first"
        )
    return ours[0].job_id  # type: ignore[return-value]


def run_job(client: WorkspaceClient, job_key: str, target: str, wait_minutes: float | None = None) -> dict:
    """Start a deployed job; with `wait_minutes`, wait for it and fail unless it succeeds."""
    from datetime import timedelta

    host = client.config.host
    job_id = find_job_id(client, job_key, target)
    waiter = _call(f"starting job {job_key}", host, client.jobs.run_now, job_id)
    summary: dict = {"job": job_name(job_key, target), "job_id": job_id, "run_id": waiter.run_id}
    if wait_minutes is None:
        return summary
    timeout = timedelta(minutes=wait_minutes)
    run = _call(f"waiting for run {waiter.run_id}", host, waiter.result, timeout=timeout)
    result = run.state.result_state.value if run.state and run.state.result_state else None
    summary.update(result_state=result, run_page_url=run.run_page_url)
    if result != "SUCCESS":
        message = run.state.state_message if run.state else ""
        raise LifecycleError(f"run {waiter.run_id} of {summary['job']} ended {result}: {message}")
    return summary
