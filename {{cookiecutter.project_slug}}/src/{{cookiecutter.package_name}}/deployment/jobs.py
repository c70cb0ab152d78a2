"""Jobs as code: every Databricks job of this project, for every target, defined in this one file.

Review changes here like any code: `deploy-jobs --target staging --dry-run` prints what would change.
Each task runs the wheel's console script (`[project.scripts]` in pyproject.toml) through a
`python_wheel_task` with CLI arguments such as `train --env prod`; catalogs and schemas come from
`config.py` through `--env`, so a task never hard-codes where it reads or writes. Tasks on serverless
compute also get `--serverless` (the code then stays within serverless compute's limits). `train` gets
`--job-run-id` with the id of its job run (JOB_RUN_ID, a dynamic value reference Databricks fills in),
tagged on the version it registers.

Continuous deployment goes through the Unity Catalog model registry: the `deployment` job is an MLflow 3
deployment job. deploy-jobs links the registered model to it (`deployment_job_id`), and Databricks then
runs it for every new model version, whoever registered it (the training job, a notebook), with the job
parameters `model_name` and `model_version`. Its tasks act on exactly that version: `validate` (the gate,
-> @challenger), `approval` where the target requires a reviewer (TargetSettings.require_approval; it
fails until the version carries the approval tag, and the run is then repaired, as Databricks' approval
task does), and `promote` (-> @champion). It has no schedule.

Targets: `staging` and `prod` hold one copy of each job, deployed by CI. `dev` holds one copy per
developer: names start with `[dev <user>]`, the `dev_user` tag says whose it is, and schedules are
paused (as a bundle's `mode: development` does), so a developer's copy never runs unless started. The
dev model is shared by every developer, so it is not linked to anyone's deployment job: a developer runs
theirs with `run-job --target dev --job deployment --model-version N`.

The result of `job_settings` is a plain dict in the Jobs API 2.2 `JobSettings` shape: tests check that
`JobSettings.from_dict(d).as_dict() == d`, so the SDK silently drops no field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from .. import runtime
from ..config import NOTIFICATION_EMAILS, PACKAGE_NAME, PROJECT_SLUG, load_config
from ..contracts.model import APPROVAL_TAG
from ..errors import ConfigError

TARGETS = ("staging", "prod")  # deployed by CI, one copy each
DEV = "dev"  # one copy per developer (DEV_USER_TAG), deployed from a laptop
DEPLOY_TARGETS = (DEV, *TARGETS)
MANAGED_BY = "deploy-jobs"  # the `managed_by` tag: only jobs carrying it are ever updated or deleted
# The tags a deployed job is found by (runs.py, deployer.py); job_tags sets them.
PROJECT_TAG, TARGET_TAG, MANAGED_BY_TAG, DEV_USER_TAG = "project", "target", "managed_by", "dev_user"
ENVIRONMENT_KEY = "default"  # serverless: the job environment that installs the wheel
JOB_CLUSTER_KEY = "main"  # classic: the job cluster every task of a job shares
# A dynamic value reference: Databricks puts the id of the job run in its place when a task starts.
JOB_RUN_ID = "{% raw %}{{job.run_id}}{% endraw %}"
SERVERLESS_FLAG = "--serverless"
THIS_RUN = ("--job-run-id", JOB_RUN_ID)  # `train` tags the version it registers with its job run
# The job parameters Databricks sets when the registry starts a deployment job run for a new version.
MODEL_NAME_PARAMETER, MODEL_VERSION_PARAMETER = "model_name", "model_version"
# A dynamic value reference to the version the deployment job run is for.
MODEL_VERSION = "{% raw %}{{job.parameters.model_version}}{% endraw %}"
THIS_VERSION = ("--version", MODEL_VERSION)
DEPLOYMENT_JOB_KEY = "deployment"


@dataclass(frozen=True)
class TaskSpec:
    key: str
    command: str  # a CLI command of this package (see cli.py)
    depends_on: tuple[str, ...] = ()
    arguments: tuple[str, ...] = ()  # further CLI arguments of the command
    max_retries: int = 1
    timeout_seconds: int = 3600
    approval: bool = False  # only where the target requires approval; dependents then skip it


@dataclass(frozen=True)
class JobSpec:
    key: str
    description: str
    tasks: tuple[TaskSpec, ...]
    schedule: str | None  # Quartz cron expression, in UTC; None: started by CI, a job or the registry
    timeout_seconds: int = 4 * 3600
    max_workers: int = 2  # classic compute: autoscaling upper bound of the job cluster
    parameters: tuple[str, ...] = ()  # job parameters (their defaults: see _parameters)


# The jobs. Times are UTC and staggered so each job sees the output of the one before it.
JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        key="feature-refresh",
        description="Ingest new landing files into bronze, then refresh the feature tables.",
        tasks=(TaskSpec("ingest", "ingest"), TaskSpec("features", "features", depends_on=("ingest",))),
        schedule="0 0 1 * * ?",
        max_workers=4,
    ),
    JobSpec(
        key="training",
        description=(
            "Train a model version and register it. The registry then runs the deployment job for the "
            "new version (the gate); `run-job --job training --wait-minutes N` waits for that run too."
        ),
        # Retrying would only repeat a deterministic failure.
        tasks=(TaskSpec("train", "train", max_retries=0, arguments=THIS_RUN),),
        schedule="0 0 3 ? * SUN",
    ),
    JobSpec(
        key=DEPLOYMENT_JOB_KEY,
        description=(
            "The MLflow deployment job of the registered model, run by Databricks for each new version: "
            "validate it against thresholds and the champion (-> @challenger), wait for a reviewer's "
            f"approval tag where the target requires one ({APPROVAL_TAG}), then promote it (-> @champion). "
            "A rejected version fails `validate`, so nothing after it runs."
        ),
        tasks=(
            # A gate rejection or a missing approval is not transient: no retries.
            TaskSpec("validate", "validate", max_retries=0, arguments=THIS_VERSION),
            TaskSpec(
                APPROVAL_TAG,
                "check-approval",
                depends_on=("validate",),
                max_retries=0,
                arguments=THIS_VERSION,
                approval=True,
            ),
            TaskSpec("promote", "promote", depends_on=(APPROVAL_TAG,), max_retries=0, arguments=THIS_VERSION),
        ),
        schedule=None,
        parameters=(MODEL_NAME_PARAMETER, MODEL_VERSION_PARAMETER),
    ),
    JobSpec(
        key="batch-inference",
        description="Score the latest features with the @champion model; append to the inference log.",
        tasks=(TaskSpec("score", "score"),),
        schedule="0 0 2 * * ?",
        max_workers=4,
    ),
    JobSpec(
        key="monitoring",
        description=(
            "Drift and quality metrics on the inference log; on an alert the `monitor` command starts "
            "the training job of the same target (its retraining trigger)."
        ),
        tasks=(TaskSpec("monitor", "monitor"),),
        schedule="0 0 5 * * ?",
    ),
)
JOB_KEYS = tuple(spec.key for spec in JOBS)


@dataclass(frozen=True)
class TargetSettings:
    """What differs between deployment targets besides config.py (catalog, schema, host)."""

    schedules_paused: bool
    viewer_group: str  # gets CAN_VIEW on every job; "users" is every workspace user, narrow it as needed
    notify_on_failure: tuple[str, ...] = ()  # e-mail addresses told about failed or slow runs
    # The deployment job waits for a reviewer's approval tag on the version before promoting it.
    require_approval: bool = False
    # deploy-jobs links the target's registered model to the deployment job (the registry then runs it).
    link_model: bool = True


TARGET_SETTINGS = {
    # A developer's copies run when the developer starts them (`run-job --target dev`); the dev model is
    # shared by all developers, so no one's deployment job is linked to it.
    DEV: TargetSettings(schedules_paused=True, viewer_group="users", link_model=False),
    # Staging jobs run when CI starts them (after each merge), not on a schedule.
    "staging": TargetSettings(
        schedules_paused=True, viewer_group="users", notify_on_failure=NOTIFICATION_EMAILS
    ),
    "prod": TargetSettings(
        schedules_paused=False,
        viewer_group="users",
        notify_on_failure=NOTIFICATION_EMAILS,
        require_approval=True,
    ),
}

# Classic job clusters: spot/preemptible workers with an on-demand driver, per cloud.
CLOUD_ATTRIBUTES = {
    "aws": {"aws_attributes": {"availability": "SPOT_WITH_FALLBACK", "first_on_demand": 1}},
    "azure": {"azure_attributes": {"availability": "SPOT_WITH_FALLBACK_AZURE", "first_on_demand": 1}},
    "gcp": {"gcp_attributes": {"availability": "PREEMPTIBLE_WITH_FALLBACK_GCP"}},
}


def job_name(job_key: str, target: str, developer: str | None = None) -> str:
    """The name of a job in the workspace: `<project slug>-<target>-<job key>`, in dev prefixed with
    `[dev <developer>] ` (the prefix a bundle's development mode gives)."""
    _check_target(target, developer)
    if job_key not in JOB_KEYS:
        raise ConfigError(f"unknown job {job_key!r}; jobs of this project: {', '.join(JOB_KEYS)}")
    prefix = f"[dev {developer}] " if developer else ""
    return f"{prefix}{PROJECT_SLUG}-{target}-{job_key}"


def developer_name(user_name: str) -> str:
    """A workspace user name (an e-mail, or a service principal's id) as it appears in dev job names."""
    local = user_name.split("@", 1)[0].lower()
    return re.sub(r"[^a-z0-9]+", "_", local).strip("_") or "unknown"


def job_tags(job_key: str, target: str, developer: str | None = None) -> dict[str, str]:
    config = load_config(target)
    return {
        PROJECT_TAG: PROJECT_SLUG,
        TARGET_TAG: target,
        "job": job_key,
        "catalog": config.catalog,
        "schema": config.schema,
        MANAGED_BY_TAG: MANAGED_BY,
        **({DEV_USER_TAG: developer} if developer else {}),
    }


def is_project_job(tags: Mapping[str, str]) -> bool:
    """Whether a job's tags say this project made it (for any target)."""
    return tags.get(PROJECT_TAG) == PROJECT_SLUG


def is_target_job(tags: Mapping[str, str], target: str, developer: str | None = None) -> bool:
    """Whether a job's tags say this project deployed it to `target` (in dev: for `developer`)."""
    same_owner = tags.get(DEV_USER_TAG) == developer
    return is_project_job(tags) and tags.get(TARGET_TAG) == target and same_owner


def job_settings(
    spec: JobSpec,
    target: str,
    wheel_path: str,
    compute: str = runtime.COMPUTE,
    cloud: str = runtime.CLOUD,
    settings: TargetSettings | None = None,
    developer: str | None = None,
) -> dict:
    """The Jobs API `JobSettings` of one job for one target, running the wheel at `wheel_path`."""
    _check_target(target, developer)
    if compute not in runtime.COMPUTE_CHOICES:
        raise ConfigError(f"unknown compute {compute!r}; choose one of: {', '.join(runtime.COMPUTE_CHOICES)}")
    settings = settings or TARGET_SETTINGS[target]
    tasks = tasks_for(spec, settings)
    return {
        "name": job_name(spec.key, target, developer),
        "description": spec.description,
        "tags": job_tags(spec.key, target, developer),
        "tasks": [_task(task, target, wheel_path, compute) for task in tasks],
        **_schedule(spec, settings),
        **_parameters(spec, target),
        "max_concurrent_runs": 1,
        "timeout_seconds": spec.timeout_seconds,
        "queue": {"enabled": True},
        "health": _health(spec),
        "notification_settings": {"no_alert_for_canceled_runs": True, "no_alert_for_skipped_runs": True},
        **_email_notifications(settings),
        **_compute(spec, wheel_path, compute, cloud),
    }


def tasks_for(spec: JobSpec, settings: TargetSettings) -> tuple[TaskSpec, ...]:
    """The job's tasks on a target: approval tasks only where it requires approval; a task that
    depended on a dropped one depends on what that one depended on."""
    dropped = {
        task.key: task.depends_on for task in spec.tasks if task.approval and not settings.require_approval
    }
    return tuple(
        replace(task, depends_on=tuple(up for dep in task.depends_on for up in dropped.get(dep, (dep,))))
        for task in spec.tasks
        if task.key not in dropped
    )


def _schedule(spec: JobSpec, settings: TargetSettings) -> dict:
    if spec.schedule is None:
        return {}
    pause_status = "PAUSED" if settings.schedules_paused else "UNPAUSED"
    return {
        "schedule": {
            "quartz_cron_expression": spec.schedule,
            "timezone_id": "UTC",
            "pause_status": pause_status,
        }
    }


def _parameters(spec: JobSpec, target: str) -> dict:
    """Job parameters; `model_name` defaults to the target's model, every other one to empty."""
    if not spec.parameters:
        return {}
    defaults = {MODEL_NAME_PARAMETER: load_config(target).model_name}
    return {"parameters": [{"name": name, "default": defaults.get(name, "")} for name in spec.parameters]}


def _health(spec: JobSpec) -> dict:
    # Warn (see _email_notifications) when a run takes more than half of its timeout.
    return {
        "rules": [
            {"metric": "RUN_DURATION_SECONDS", "op": "GREATER_THAN", "value": spec.timeout_seconds // 2}
        ]
    }


def _email_notifications(settings: TargetSettings) -> dict:
    """The `email_notifications` entry, or nothing when the target notifies no one."""
    if not settings.notify_on_failure:
        return {}
    return {
        "email_notifications": {
            "on_failure": list(settings.notify_on_failure),
            "on_duration_warning_threshold_exceeded": list(settings.notify_on_failure),
        }
    }


def _compute(spec: JobSpec, wheel_path: str, compute: str, cloud: str) -> dict:
    """Serverless: the environment that installs the wheel; classic: the job cluster the tasks share."""
    if compute == "serverless":
        return {
            "environments": [
                {
                    "environment_key": ENVIRONMENT_KEY,
                    "spec": {
                        "environment_version": runtime.SERVERLESS_ENVIRONMENT_VERSION,
                        "dependencies": [wheel_path],
                    },
                }
            ]
        }
    return {"job_clusters": [{"job_cluster_key": JOB_CLUSTER_KEY, "new_cluster": _cluster(spec, cloud)}]}


def all_job_settings(
    target: str,
    wheel_path: str,
    compute: str = runtime.COMPUTE,
    cloud: str = runtime.CLOUD,
    developer: str | None = None,
) -> dict[str, dict]:
    """Every job of the project for `target` (in dev: `developer`'s copies), by job name."""
    jobs = [job_settings(spec, target, wheel_path, compute, cloud, developer=developer) for spec in JOBS]
    return {job["name"]: job for job in jobs}


def job_permissions(target: str) -> list[dict]:
    """The access control entries every job gets (the deploying identity stays the owner)."""
    return [{"group_name": TARGET_SETTINGS[target].viewer_group, "permission_level": "CAN_VIEW"}]


def _task(task: TaskSpec, target: str, wheel_path: str, compute: str) -> dict:
    entry: dict = {
        "task_key": task.key,
        "python_wheel_task": {
            "package_name": PACKAGE_NAME,
            "entry_point": PACKAGE_NAME,
            "parameters": [
                task.command,
                "--env",
                target,
                *([SERVERLESS_FLAG] if compute == "serverless" else []),
                *task.arguments,
            ],
        },
        "max_retries": task.max_retries,
        "timeout_seconds": task.timeout_seconds,
    }
    if task.depends_on:
        entry["depends_on"] = [{"task_key": key} for key in task.depends_on]
    if task.max_retries:
        entry["min_retry_interval_millis"] = 5 * 60 * 1000
    if compute == "serverless":
        entry["environment_key"] = ENVIRONMENT_KEY
    else:
        entry["job_cluster_key"] = JOB_CLUSTER_KEY
        entry["libraries"] = [{"whl": wheel_path}]
    return entry


def _cluster(spec: JobSpec, cloud: str) -> dict:
    if cloud not in runtime.NODE_TYPES:
        raise ConfigError(f"unknown cloud {cloud!r}; choose one of: {', '.join(runtime.NODE_TYPES)}")
    return {
        "spark_version": runtime.SPARK_VERSION,
        "node_type_id": runtime.NODE_TYPES[cloud],
        "autoscale": {"min_workers": 1, "max_workers": spec.max_workers},
        "data_security_mode": "SINGLE_USER",
        **CLOUD_ATTRIBUTES[cloud],
    }


def _check_target(target: str, developer: str | None = None) -> None:
    if target not in DEPLOY_TARGETS:
        raise ConfigError(f"unknown deployment target {target!r}; choose one of: {', '.join(DEPLOY_TARGETS)}")
    if (target == DEV) != bool(developer):
        raise ConfigError(f"{DEV} jobs belong to a developer, {target} jobs to no one: got {developer!r}")
