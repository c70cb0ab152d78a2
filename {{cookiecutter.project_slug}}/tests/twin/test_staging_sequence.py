"""The staging part of the main workflow, run step by step against the local Databricks twin.

The steps are read from .github/workflows/main.yml (job `staging`), so this is exactly what CI runs:
build the wheel, deploy, seed the landing volume, then feature refresh -> training -> batch inference
-> monitoring, each through `run-job --wait-minutes`. The twin executes every task through the wheel
launcher, in the project's compute mode (serverless tasks under serverless limits). Training only
registers a version: the registry (the twin, as Databricks does) then runs the deployment job for it, and
`run-job --job training` waits for that run too, so the gate is part of the sequence.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
import yaml

from {{ cookiecutter.package_name }}.config import CATALOGS, EXPERIMENTS_FOLDER, PACKAGE_NAME, load_config
from {{ cookiecutter.package_name }}.contracts.model import CHAMPION, JOB_RUN_ID_TAG
from {{ cookiecutter.package_name }}.deployment.jobs import job_name
from {{ cookiecutter.package_name }}.tables import overwrite_table, read_table

from conftest import PROJECT_DIR
from databricks_twin.workspace import EXPERIMENT
from fake_workspace import FAKE_TOKEN, FakeWorkspace

pytestmark = pytest.mark.integration
WORKFLOW = PROJECT_DIR / ".github" / "workflows" / "main.yml"
COMMIT = "5eed" * 10  # what GitHub Actions sets as GITHUB_SHA
# The deployment job runs because training registered a version, not because a step started it.
JOBS_IN_ORDER = ("feature-refresh", "training", "deployment", "batch-inference", "monitoring")


# The Databricks CLI cannot run here: with deploy_tool=bundle its steps are stood in for by deploy-jobs,
# which tests/deployment/test_bundle.py shows deploys the jobs the bundle's loader declares.
CLI_STAND_INS = {
    "databricks bundle validate --target staging": [],
    "databricks bundle deploy --target staging": [
        "uv build --wheel",
        f"uv run python -m {PACKAGE_NAME} deploy-jobs --target staging --wheel dist/*.whl",
    ],
}


def staging_steps() -> list[str]:
    """The `run:` steps of the main workflow's staging job, but the credentials check and the install
    (the environment running the tests is the synced one)."""
    job = yaml.safe_load(WORKFLOW.read_text())["jobs"]["staging"]
    runs = [
        step["run"]
        for step in job["steps"]
        if "run" in step and step.get("id") != "credentials" and step["run"] != "uv sync --locked"
    ]
    return [command for run in runs for command in CLI_STAND_INS.get(run, [run])]


def test_every_cli_step_has_a_stand_in() -> None:
    assert not [command for command in staging_steps() if command.startswith("databricks ")]


def _environment(twin: FakeWorkspace) -> dict[str, str]:
    """A runner's environment pointed at the twin: its host and a token, nothing of this machine's auth."""
    own = ("DATABRICKS_", "SPARK_REMOTE", "SPARK_CONNECT", "LAKEHOUSE_HOME")
    env = {key: value for key, value in os.environ.items() if not key.startswith(own)}
    env.update(
        DATABRICKS_HOST=twin.url,
        DATABRICKS_TOKEN=FAKE_TOKEN,
        DATABRICKS_AUTH_TYPE="pat",
        DATABRICKS_CONFIG_FILE=os.devnull,
        GITHUB_SHA=COMMIT,
        # `python` and `uv` in a step are this environment's; uv runs and builds in it as it stands
        # (already synced), downloading nothing.
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        UV_PROJECT_ENVIRONMENT=sys.prefix,
        UV_NO_SYNC="1",
        UV_NO_BUILD_ISOLATION="1",
        UV_OFFLINE="1",
        UV_PYTHON=sys.executable,
        UV_PYTHON_DOWNLOADS="never",
    )
    return env


def _run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def staging(tmp_path_factory: pytest.TempPathFactory):
    """The twin after the staging steps ran, with the runner's environment and working copy."""
    checkout = tmp_path_factory.mktemp("checkout") / "project"
    shutil.copytree(
        PROJECT_DIR, checkout, ignore=shutil.ignore_patterns(".lakehouse", "dist", ".venv", "__pycache__")
    )
    root = tmp_path_factory.mktemp("twin")
    with FakeWorkspace(root, catalogs=tuple(sorted(set(CATALOGS.values())))).with_mlflow() as twin:
        env = _environment(twin)
        results = []
        for command in staging_steps():
            results.append((command, _run(command, checkout, env)))
            if results[-1][1].returncode != 0:
                break
        twin.wait_for_runs()
        with mock.patch.dict(os.environ, {key: env[key] for key in env if key.startswith("DATABRICKS_")}):
            yield twin, results, env, checkout


def _failure(results) -> str:
    command, result = results[-1]
    return f"{command} exited {result.returncode}:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}"


def _client(config):
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_registry_uri(config.registry_uri)
    return MlflowClient(registry_uri=config.registry_uri)


def _champion(config):
    return _client(config).get_model_version_by_alias(config.model_name, CHAMPION)


def _task_states(run: dict) -> dict[str, str]:
    return {task["task_key"]: task["state"].get("result_state") for task in run["tasks"]}


def test_every_step_of_the_staging_sequence_succeeds(staging) -> None:
    twin, results, _, _ = staging

    assert [command for command, _ in results] == staging_steps(), _failure(results)
    assert all(result.returncode == 0 for _, result in results), _failure(results)
    runs = sorted(twin.runs.values(), key=lambda run: run["run_id"])[: len(JOBS_IN_ORDER)]
    assert [run["run_name"] for run in runs] == [job_name(key, "staging") for key in JOBS_IN_ORDER]
    for run in runs:
        assert run["state"]["result_state"] == "SUCCESS"
        assert set(_task_states(run).values()) == {"SUCCESS"}


def test_the_tables_hold_the_lifecycle_and_the_champion_is_set(staging, spark) -> None:
    twin, _, _, _ = staging
    config = load_config("staging", home=twin.root, on_databricks=False)
    counts = {
        name: read_table(spark, config.table(name)).count()
        for name in ("bronze_events", "training_set", "predictions")
    }

    champion = _champion(config)

    assert all(count > 0 for count in counts.values()), counts
    assert read_table(spark, config.table("monitoring_metrics")).count() > 0
    baseline = read_table(spark, config.table("champion_baselines"))
    assert baseline.where(f"model_version = '{champion.version}'").count() > 0
    training_run = next(
        run for run in twin.runs.values() if run["run_name"] == job_name("training", "staging")
    )
    assert champion.tags[JOB_RUN_ID_TAG] == str(training_run["run_id"])
    assert champion.tags["git_commit"] == COMMIT  # baked into the wheel at build time
    assert champion.tags["gate_status"] == "passed"


def test_the_workspace_holds_the_experiment_and_the_wheel_where_they_belong(staging) -> None:
    twin, _, _, _ = staging
    config = load_config("staging", on_databricks=True)
    experiment = twin.tree.get(config.experiment_name)

    assert experiment is not None and experiment.object_type == EXPERIMENT
    assert config.experiment_name.startswith(EXPERIMENTS_FOLDER)
    wheels = list(
        (twin.root / "Volumes" / config.catalog / config.schema / "artifacts" / "wheels").glob("*/*.whl")
    )
    assert [wheel.name.split("-")[0] for wheel in wheels] == [PACKAGE_NAME]


def test_a_worse_model_fails_validate_and_promote_never_runs(staging, spark) -> None:
    from pyspark.sql import functions as F

    twin, _, env, checkout = staging
    config = load_config("staging", home=twin.root, on_databricks=False)
    before = _champion(config).version
    training = config.table("training_set")
    # Labels drawn at random: nothing to learn, so the new version cannot reach the gate's minimum AUC.
    shuffled = read_table(spark, training).withColumn("churned", (F.rand(7) < 0.35).cast("int"))
    overwrite_table(shuffled.localCheckpoint(), training)

    result = _run(
        f"python -m {PACKAGE_NAME} run-job --target staging --job training --wait-minutes 60", checkout, env
    )

    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    assert "validate: FAILED exit code 3" in result.stderr
    training_run, deployment_run = sorted(twin.runs.values(), key=lambda run: run["run_id"])[-2:]
    assert training_run["run_name"] == job_name("training", "staging")
    assert _task_states(training_run) == {"train": "SUCCESS"}
    assert deployment_run["run_name"] == job_name("deployment", "staging")
    assert _task_states(deployment_run) == {"validate": "FAILED", "promote": "UPSTREAM_FAILED"}
    parameters = {p["name"]: p["value"] for p in deployment_run["job_parameters"]}
    assert parameters["model_name"] == config.model_name
    rejected = _client(config).get_model_version(config.model_name, parameters["model_version"])
    assert rejected.tags[JOB_RUN_ID_TAG] == str(training_run["run_id"])  # the version that run registered
    assert rejected.tags["gate_status"] == "rejected"
    assert _champion(config).version == before
