"""Deploy the jobs of `jobs.py` to a Databricks workspace with databricks-sdk: plan, print, apply.

- What the jobs need comes first: the schema, the registered model, the volumes, the experiments folder
  and the secret scope are created when absent (prerequisites.py).
- The wheel goes to the target's `artifacts` volume under a folder named after its SHA-256 (wheel.py):
  a new wheel never overwrites the one running jobs use, an unchanged wheel is not uploaded again, and
  a file there whose bytes no longer match its hash stops the deployment.
- A job is matched by name and by the `project` tag. A job with one of our names but without our tag
  stops the deploy before any write (a job somebody else made is never taken over).
- Jobs the project no longer defines, i.e. tagged with this project, this target and `managed_by` but
  with a name jobs.py does not produce, are deleted: a leftover scheduled job would keep writing to the
  target's tables. The plan lists them, they are deleted last, and `--dry-run` deletes nothing.
- A job is unchanged when the `spec_hash` tag matches the spec and every field the spec sets has the
  same value in the workspace (fields the workspace adds by default are ignored); the viewer group
  must also hold at least CAN_VIEW. Otherwise it is reset to the spec. Unchanged jobs get no write.
- After the jobs, the registered model is linked to the deployment job (`deployment_job_id`) unless it
  already is (model_link.py): from then on the registry runs that job for every new model version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.jobs import JobAccessControlRequest, JobSettings

from ..config import PROJECT_SLUG
from ..errors import WorkspaceError
from ..progress import logger
from ..workspace import call
from .compare import contains
from .jobs import (
    DEPLOYMENT_JOB_KEY,
    MANAGED_BY,
    MANAGED_BY_TAG,
    all_job_settings,
    is_project_job,
    is_target_job,
    job_name,
    job_permissions,
)
from .model_link import LinkChange, apply_link, plan_link
from .prerequisites import MODEL, Prerequisite, check_prerequisites, create_missing
from .quality_monitor import MonitorChange, apply_monitor, plan_monitor
from .runs import developer_of, list_jobs, tags_of
from .wheel import WheelUpload, check_wheel, upload_wheel

SPEC_HASH_TAG = "spec_hash"
# Permission levels that include viewing a job.
VIEW_OR_MORE = {"CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE", "IS_OWNER"}


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
    prerequisites: tuple[Prerequisite, ...]
    wheel: WheelUpload
    changes: tuple[JobChange, ...]
    permissions: list[dict] = field(default_factory=list)
    developer: str | None = None  # dev: whose copies of the jobs these are
    monitor: MonitorChange | None = None  # the data-quality monitor on the inference log
    link: LinkChange | None = None  # the registered model's link to the deployment job

    def counts(self) -> dict[str, int]:
        actions = ("create", "update", "unchanged", "delete")
        return {action: sum(change.action == action for change in self.changes) for action in actions}

    @property
    def missing(self) -> tuple[Prerequisite, ...]:
        return tuple(item for item in self.prerequisites if not item.present)

    @property
    def has_writes(self) -> bool:
        jobs_change = any(change.action != "unchanged" for change in self.changes)
        monitor_change = self.monitor is not None and self.monitor.writes
        link_change = self.link is not None and self.link.writes
        return bool(self.missing) or not self.wheel.present or jobs_change or monitor_change or link_change

    def render(self) -> str:
        wheel_action = "present" if self.wheel.present else "upload"
        owner = f" (the copies of {self.developer})" if self.developer else ""
        lines = [f"Deployment plan for target {self.target}{owner} on {self.host}"]
        for item in self.prerequisites:
            lines.append(f"  {'present' if item.present else 'create':<10} {item.kind} {item.name}")
        lines.append(
            f"  {wheel_action:<10} wheel {self.wheel.remote_path} (sha256 {self.wheel.digest[:12]}...)"
        )
        for change in self.changes:
            detail = f" ({', '.join(change.reasons)})" if change.reasons else ""
            job_id = f" [job {change.job_id}]" if change.job_id is not None else ""
            lines.append(f"  {change.action:<10} {change.name}{job_id}{detail}")
        if self.link is not None:
            lines.append(self.link.render())
        if self.monitor is not None:
            lines.append(self.monitor.render())
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
    developer: str | None = None,
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
        ours = [job for job in same_name if is_project_job(tags_of(job))]
        if len(ours) < len(same_name):
            ids = sorted(job["job_id"] for job in same_name if job not in ours)
            raise WorkspaceError(
                f"job {name!r} exists (job_id {ids}) but is not tagged project={PROJECT_SLUG}: "
                "rename or delete it, or tag it if this project should manage it"
            )
        if len(ours) > 1:
            ids = sorted(job["job_id"] for job in ours)
            raise WorkspaceError(f"{len(ours)} jobs are named {name!r} (job_id {ids}): delete all but one")
        if not ours:
            changes.append(JobChange("create", name, settings=settings))
            continue
        job_id = ours[0]["job_id"]
        reasons = changed_fields(settings, current_settings(job_id))
        if not has_viewer(current_permissions(job_id), viewer_group):
            reasons.append("permissions")
        action = "update" if reasons else "unchanged"
        changes.append(JobChange(action, name, job_id, settings, tuple(reasons)))
    return changes + _no_longer_defined(desired, existing, target, developer)


def _no_longer_defined(
    desired: dict[str, dict], existing: list[dict], target: str, developer: str | None
) -> list[JobChange]:
    """Deletes: jobs this deployer made for this target (in dev: this developer) that are not desired."""
    stale = []
    for job in existing:
        tags, name = tags_of(job), job.get("settings", {}).get("name", "")
        managed = tags.get(MANAGED_BY_TAG) == MANAGED_BY
        if is_target_job(tags, target, developer) and managed and name not in desired:
            stale.append(JobChange("delete", name, job["job_id"], reasons=("no longer defined",)))
    return stale


# --- workspace -------------------------------------------------------------------------------------
def plan_deployment(client: WorkspaceClient, target: str, wheel: Path) -> Plan:
    """Read the workspace and work out what to change. Makes no write call."""
    developer = developer_of(client, target)
    prerequisites = check_prerequisites(client, target)
    upload = check_wheel(client, target, wheel)
    settings = all_job_settings(target, upload.remote_path, developer=developer)
    desired = {name: with_spec_hash(job) for name, job in settings.items()}

    def settings_of(job_id: int) -> dict:
        job = call(client, f"reading job {job_id}", client.jobs.get, job_id)
        return job.settings.as_dict() if job.settings else {}

    def permissions_of(job_id: int) -> list[dict]:
        found = call(client, f"reading permissions of job {job_id}", client.jobs.get_permissions, str(job_id))
        return [entry.as_dict() for entry in found.access_control_list or []]

    existing = list_jobs(client)
    viewer_group = job_permissions(target)[0]["group_name"]
    changes = diff_jobs(desired, existing, target, settings_of, permissions_of, viewer_group, developer)
    deployment_job = job_name(DEPLOYMENT_JOB_KEY, target, developer)
    job_id = next(change.job_id for change in changes if change.name == deployment_job)
    model_exists = all(item.present for item in prerequisites if item.kind == MODEL)
    return Plan(
        target,
        client.config.host,
        tuple(prerequisites),
        upload,
        tuple(changes),
        job_permissions(target),
        developer,
        plan_monitor(client, target),
        plan_link(client, target, developer, job_id, model_exists),
    )


def apply_plan(client: WorkspaceClient, plan: Plan) -> None:
    """Make the changes of `plan`: prerequisites, the wheel, creates and updates, deletes last, then
    the model's link to the deployment job."""
    create_missing(client, list(plan.missing))
    if not plan.wheel.present:
        upload_wheel(client, plan.wheel)
    created: dict[str, int] = {}
    for change in sorted(plan.changes, key=lambda change: change.action == "delete"):
        job_id = _apply_change(client, change, plan.permissions)
        if job_id is not None:
            created[change.name] = job_id
    if plan.link is not None:
        apply_link(client, plan.link, created)
    if plan.monitor is not None:
        apply_monitor(client, plan.monitor)


def _apply_change(client: WorkspaceClient, change: JobChange, permissions: list[dict]) -> int | None:
    """Apply one job change; returns the id of a job it created."""
    access = [JobAccessControlRequest.from_dict(entry) for entry in permissions]
    if change.action == "create":
        settings = JobSettings.from_dict(change.settings or {}).as_shallow_dict()
        created = call(
            client, f"creating job {change.name}", client.jobs.create, **settings, access_control_list=access
        )
        logger.info("created job %s [job %s]", change.name, created.job_id)
        return created.job_id
    if change.resets_settings:
        settings = JobSettings.from_dict(change.settings or {})
        call(client, f"updating job {change.name}", client.jobs.reset, change.job_id, settings)
        logger.info("updated job %s [job %s]: %s", change.name, change.job_id, ", ".join(change.reasons))
    if change.grants_permissions:
        grant = client.jobs.update_permissions
        call(
            client,
            f"granting view on job {change.name}",
            grant,
            str(change.job_id),
            access_control_list=access,
        )
    if change.action == "delete":
        call(client, f"deleting job {change.name}", client.jobs.delete, change.job_id)
        logger.info("deleted job %s [job %s] (no longer defined)", change.name, change.job_id)
    return None


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
        **({"developer": plan.developer} if plan.developer else {}),
        "host": plan.host,
        "dry_run": dry_run,
        "prerequisites_created": [] if dry_run else [f"{item.kind} {item.name}" for item in plan.missing],
        "wheel": plan.wheel.remote_path,
        "wheel_sha256": plan.wheel.digest,
        "wheel_uploaded": not dry_run and not plan.wheel.present,
        **plan.counts(),
        "jobs": {change.name: change.action for change in plan.changes},
        "quality_monitor": plan.monitor.action if plan.monitor else None,
        "model_link": plan.link.action if plan.link else None,
    }
