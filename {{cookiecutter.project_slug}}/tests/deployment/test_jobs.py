"""Jobs as code: the job specs are complete Jobs API settings that run this package's CLI commands."""

import zipfile
from configparser import ConfigParser
from pathlib import Path

import pytest
from databricks.sdk.service.jobs import JobSettings

from {{ cookiecutter.package_name }} import runtime
from {{ cookiecutter.package_name }}.cli import build_parser
from {{ cookiecutter.package_name }}.config import (
    NOTIFICATION_EMAILS,
    PACKAGE_NAME,
    PROJECT_SLUG,
    load_config,
)
from {{ cookiecutter.package_name }}.contracts.model import APPROVAL_TAG
from {{ cookiecutter.package_name }}.deployment.jobs import (
    DEPLOYMENT_JOB_KEY,
    JOB_KEYS,
    JOB_RUN_ID,
    JOBS,
    MODEL_VERSION,
    MODEL_VERSION_PARAMETER,
    TARGET_SETTINGS,
    TARGETS,
    TargetSettings,
    all_job_settings,
    developer_name,
    job_name,
    job_settings,
)
from {{ cookiecutter.package_name }}.deployment.wheel import build_wheel
from {{ cookiecutter.package_name }}.errors import ConfigError

WHEEL = f"/Volumes/cat/{PROJECT_SLUG}/artifacts/wheels/abc/{PACKAGE_NAME}-0.1.0-py3-none-any.whl"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
COMBINATIONS = [
    (target, compute, cloud)
    for target in TARGETS
    for compute in runtime.COMPUTE_CHOICES
    for cloud in runtime.NODE_TYPES
]


def _all_tasks(target: str, compute: str = "serverless", cloud: str = "aws") -> list[dict]:
    return [task for job in all_job_settings(target, WHEEL, compute, cloud).values() for task in job["tasks"]]


@pytest.mark.parametrize(("target", "compute", "cloud"), COMBINATIONS)
def test_every_spec_round_trips_through_job_settings(target: str, compute: str, cloud: str) -> None:
    for settings in all_job_settings(target, WHEEL, compute, cloud).values():
        assert JobSettings.from_dict(settings).as_dict() == settings


def test_job_names_are_per_project_target_and_key() -> None:
    assert job_name("training", "prod") == f"{PROJECT_SLUG}-prod-training"
    assert sorted(all_job_settings("staging", WHEEL)) == sorted(
        f"{PROJECT_SLUG}-staging-{key}" for key in JOB_KEYS
    )


@pytest.mark.parametrize(("job_key", "target"), [("training", "qa"), ("retraining", "prod")])
def test_unknown_job_or_target_is_a_config_error(job_key: str, target: str) -> None:
    with pytest.raises(ConfigError, match="unknown"):
        job_name(job_key, target)


@pytest.mark.parametrize(
    ("compute", "cloud"), [(c, k) for c in runtime.COMPUTE_CHOICES for k in runtime.NODE_TYPES]
)
def test_dev_jobs_are_a_developers_own_paused_copies(compute: str, cloud: str) -> None:
    jobs = all_job_settings("dev", WHEEL, compute, cloud, developer="alice")

    assert sorted(jobs) == sorted(f"[dev alice] {PROJECT_SLUG}-dev-{key}" for key in JOB_KEYS)
    for settings in jobs.values():
        assert JobSettings.from_dict(settings).as_dict() == settings
        assert settings.get("schedule", {"pause_status": "PAUSED"})["pause_status"] == "PAUSED"
        assert settings["tags"]["dev_user"] == "alice"
        assert "email_notifications" not in settings
        assert {task["python_wheel_task"]["parameters"][2] for task in settings["tasks"]} == {"dev"}


def test_dev_jobs_need_a_developer_and_shared_targets_refuse_one() -> None:
    with pytest.raises(ConfigError, match="belong to a developer"):
        job_name("training", "dev")
    with pytest.raises(ConfigError, match="belong to a developer"):
        job_name("training", "staging", "alice")
    assert "dev_user" not in job_settings(JOBS[0], "staging", WHEEL)["tags"]


@pytest.mark.parametrize(
    ("user_name", "developer"),
    [
        ("Alice.Smith@example.com", "alice_smith"),
        ("bob@corp.example", "bob"),
        (
            "6a9f2c1e-0b7d-4e2a-9c11-2f8d3e4b5a6c",
            "6a9f2c1e_0b7d_4e2a_9c11_2f8d3e4b5a6c",
        ),  # a service principal
        ("[x] y@z", "x_y"),
        ("", "unknown"),
    ],
)
def test_developer_names_are_safe_parts_of_a_job_name(user_name: str, developer: str) -> None:
    assert developer_name(user_name) == developer


def test_the_jobs_run_these_commands_in_this_order() -> None:
    commands = {spec.key: [(task.key, task.command, task.depends_on) for task in spec.tasks] for spec in JOBS}

    assert commands == {
        "feature-refresh": [("ingest", "ingest", ()), ("features", "features", ("ingest",))],
        "training": [("train", "train", ())],
        "deployment": [
            ("validate", "validate", ()),
            ("approval", "check-approval", ("validate",)),
            ("promote", "promote", ("approval",)),
        ],
        "batch-inference": [("score", "score", ())],
        "monitoring": [("monitor", "monitor", ())],
    }


def _deployment_tasks(target: str) -> list[tuple[str, list[dict] | None]]:
    settings = all_job_settings(target, WHEEL)[job_name(DEPLOYMENT_JOB_KEY, target)]
    return [(task["task_key"], task.get("depends_on")) for task in settings["tasks"]]


def test_the_deployment_job_waits_for_approval_in_prod_only() -> None:
    assert TARGET_SETTINGS["prod"].require_approval
    assert _deployment_tasks("prod") == [
        ("validate", None),
        (APPROVAL_TAG, [{"task_key": "validate"}]),
        ("promote", [{"task_key": APPROVAL_TAG}]),
    ]
    assert _deployment_tasks("staging") == [("validate", None), ("promote", [{"task_key": "validate"}])]


def test_approval_is_configured_per_target() -> None:
    spec = next(spec for spec in JOBS if spec.key == DEPLOYMENT_JOB_KEY)
    strict = job_settings(
        spec, "staging", WHEEL, settings=TargetSettings(True, "users", require_approval=True)
    )

    assert [task["task_key"] for task in strict["tasks"]] == ["validate", APPROVAL_TAG, "promote"]


def test_the_deployment_job_is_run_by_the_registry_for_one_version() -> None:
    settings = all_job_settings("staging", WHEEL)[job_name(DEPLOYMENT_JOB_KEY, "staging")]

    assert "schedule" not in settings  # the registry starts it
    assert settings["parameters"] == [
        {"name": "model_name", "default": load_config("staging").model_name},
        {"name": "model_version", "default": ""},
    ]
    for task in settings["tasks"]:
        assert task["python_wheel_task"]["parameters"][-2:] == ["--version", MODEL_VERSION]
    assert MODEL_VERSION == "{" + "{job.parameters." + MODEL_VERSION_PARAMETER + "}" + "}"


@pytest.mark.parametrize(("target", "compute"), [(t, c) for t in TARGETS for c in runtime.COMPUTE_CHOICES])
def test_every_task_runs_a_cli_command_that_accepts_its_parameters(target: str, compute: str) -> None:
    parser = build_parser()

    for task in _all_tasks(target, compute):
        wheel_task = task["python_wheel_task"]
        # What Databricks passes once it has filled in the dynamic value references.
        parameters = [
            parameter.replace(JOB_RUN_ID, "123456").replace(MODEL_VERSION, "7")
            for parameter in wheel_task["parameters"]
        ]
        args = parser.parse_args(parameters)
        assert (wheel_task["package_name"], wheel_task["entry_point"]) == (PACKAGE_NAME, PACKAGE_NAME)
        assert (args.env, args.serverless) == (target, compute == "serverless")


def test_train_tags_its_version_with_its_own_job_run() -> None:
    training = all_job_settings("prod", WHEEL)[job_name("training", "prod")]

    (task,) = training["tasks"]
    assert task["python_wheel_task"]["parameters"][-2:] == ["--job-run-id", JOB_RUN_ID]
    assert JOB_RUN_ID == "{" + "{job.run_id}" + "}"


def test_tags_identify_project_target_and_where_the_job_works() -> None:
    settings = all_job_settings("prod", WHEEL)[job_name("monitoring", "prod")]
    prod = load_config("prod")

    assert settings["tags"] == {
        "project": PROJECT_SLUG,
        "target": "prod",
        "job": "monitoring",
        "catalog": prod.catalog,
        "schema": prod.schema,
        "managed_by": "deploy-jobs",
    }


def test_serverless_installs_the_wheel_in_a_job_environment() -> None:
    settings = job_settings(JOBS[0], "staging", WHEEL, compute="serverless")

    assert settings["environments"] == [
        {
            "environment_key": "default",
            "spec": {"environment_version": runtime.SERVERLESS_ENVIRONMENT_VERSION, "dependencies": [WHEEL]},
        }
    ]
    assert "job_clusters" not in settings
    for task in settings["tasks"]:
        assert task["environment_key"] == "default"
        assert "libraries" not in task
        assert "job_cluster_key" not in task


@pytest.mark.parametrize(
    ("cloud", "node_type", "attributes"),
    [
        ("aws", "m5d.xlarge", "aws_attributes"),
        ("azure", "Standard_D4ds_v5", "azure_attributes"),
        ("gcp", "n2-standard-4", "gcp_attributes"),
    ],
)
def test_classic_runs_on_a_job_cluster_of_the_cloud(cloud: str, node_type: str, attributes: str) -> None:
    settings = job_settings(JOBS[0], "prod", WHEEL, compute="classic", cloud=cloud)
    (cluster,) = settings["job_clusters"]

    assert cluster["job_cluster_key"] == "main"
    assert cluster["new_cluster"]["spark_version"] == runtime.SPARK_VERSION
    assert cluster["new_cluster"]["node_type_id"] == node_type
    assert attributes in cluster["new_cluster"]
    assert "environments" not in settings
    for task in settings["tasks"]:
        assert task["job_cluster_key"] == "main"
        assert task["libraries"] == [{"whl": WHEEL}]


def test_unknown_compute_or_cloud_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown compute"):
        job_settings(JOBS[0], "prod", WHEEL, compute="gpu")
    with pytest.raises(ConfigError, match="unknown cloud"):
        job_settings(JOBS[0], "prod", WHEEL, compute="classic", cloud="oci")


def test_staging_schedules_are_paused_and_prod_schedules_run() -> None:
    pause = {
        target: {
            settings["schedule"]["pause_status"]
            for settings in all_job_settings(target, WHEEL).values()
            if "schedule" in settings
        }
        for target in TARGETS
    }

    assert pause == {"staging": {"PAUSED"}, "prod": {"UNPAUSED"}}


def test_failure_notifications_go_to_the_template_addresses_by_default() -> None:
    for target in TARGETS:
        settings = job_settings(JOBS[0], target, WHEEL)
        if NOTIFICATION_EMAILS:
            assert settings["email_notifications"]["on_failure"] == list(NOTIFICATION_EMAILS)
        else:
            assert "email_notifications" not in settings


def test_failure_notifications_go_to_the_target_addresses() -> None:
    quiet = job_settings(JOBS[0], "prod", WHEEL, settings=TargetSettings(False, "users"))
    loud = job_settings(
        JOBS[0], "prod", WHEEL, settings=TargetSettings(False, "ml-readers", ("oncall@example.com",))
    )

    assert "email_notifications" not in quiet
    assert loud["email_notifications"] == {
        "on_failure": ["oncall@example.com"],
        "on_duration_warning_threshold_exceeded": ["oncall@example.com"],
    }
    assert JobSettings.from_dict(loud).as_dict() == loud


def test_every_task_entry_point_exists_in_the_built_wheel(tmp_path: Path) -> None:
    wheel = build_wheel(PROJECT_ROOT, tmp_path)

    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (entry_points_file,) = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
        entry_points = ConfigParser()
        entry_points.read_string(archive.read(entry_points_file).decode())
    scripts = dict(entry_points["console_scripts"])

    for task in _all_tasks("prod"):
        entry_point = task["python_wheel_task"]["entry_point"]
        assert scripts[entry_point] == f"{PACKAGE_NAME}.cli:entry"
    assert f"{PACKAGE_NAME}/cli.py" in names
    assert f"{PACKAGE_NAME}/deployment/jobs.py" in names
    assert not [name for name in names if name.startswith("tests/") or "__pycache__" in name]
