"""The deployment job through the Unity Catalog registry, against the twin with the real databricks-sdk
and MLflow clients: deploy-jobs links the model to the job, a new version starts a run of it for that
version, run-job's wait follows that run, and in prod the run stops at `approval` until a reviewer
approves (then the run is repaired).

The jobs run this project's real wheel; tasks that would need Spark (validate, promote) are swapped for
quick commands, so these tests are about the wiring. tests/twin/test_staging_sequence.py runs the real
gate end to end.
"""

from __future__ import annotations

import json
from pathlib import Path

import mlflow
import pytest
from databricks.sdk.service.jobs import JobSettings
from mlflow import MlflowClient

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.config import load_config
from {{ cookiecutter.package_name }}.contracts.model import APPROVAL_TAG, JOB_RUN_ID_TAG
from {{ cookiecutter.package_name }}.deployment.deployer import deploy
from {{ cookiecutter.package_name }}.deployment.jobs import DEPLOYMENT_JOB_KEY, job_name
from {{ cookiecutter.package_name }}.deployment.runs import wait_for_deployment
from {{ cookiecutter.package_name }}.errors import LifecycleError

from fake_workspace import FakeWorkspace, workspace_client
from model_helpers import register_tiny_version

pytestmark = pytest.mark.integration
QUICK = ["--help"]  # exits 0 without Spark
FAILING = ["validate", "--version", "not-a-number"]  # exits 2
UPDATE = "/api/2.0/mlflow/unity-catalog/registered-models/update"
EXPERIMENT = "/Shared/deployment-job-test"  # a notebook's experiment; /Shared always exists


def _deploy(twin: FakeWorkspace, wheel: Path, target: str, swap: dict[str, list[str]]) -> int:
    """Deploy `target`, then give the deployment job's tasks in `swap` these parameters; its job id."""
    client = workspace_client(twin)
    deploy(client, target, wheel, echo=lambda line: None)
    job_id = next(
        i for i, job in twin.jobs.items() if job["settings"]["name"] == job_name(DEPLOYMENT_JOB_KEY, target)
    )
    settings = twin.jobs[job_id]["settings"]
    for task in settings["tasks"]:
        if task["task_key"] in swap:
            task["python_wheel_task"]["parameters"] = swap[task["task_key"]]
    client.jobs.reset(job_id, JobSettings.from_dict(settings))
    return job_id


def _register(model_name: str, job_run_id: str | None = None) -> str:
    """Log and register a tiny model version, as any notebook could; returns its version."""
    found = mlflow.get_experiment_by_name(EXPERIMENT)
    experiment_id = found.experiment_id if found else mlflow.create_experiment(EXPERIMENT)
    tags = {JOB_RUN_ID_TAG: job_run_id} if job_run_id is not None else None
    return register_tiny_version(model_name, experiment_id, tags)


def _deployment_run(twin: FakeWorkspace, model_name: str, version: str) -> dict:
    """The version's deployment job run once it ended, as a copy (a repair changes the twin's)."""
    state = MlflowClient().get_model_version(model_name, version).deployment_job_state
    twin.wait_for_runs(120)
    return json.loads(json.dumps(twin.runs[int(state.run_id)]))


def _tasks(run: dict) -> dict[str, str]:
    return {task["task_key"]: task["state"].get("result_state") for task in run["tasks"]}


def test_deploy_links_the_model_to_the_deployment_job_and_a_version_starts_it(
    mlflow_twin: FakeWorkspace, project_wheel: Path
) -> None:
    model = load_config("staging", on_databricks=True).model_name
    job_id = _deploy(mlflow_twin, project_wheel, "staging", {"validate": QUICK, "promote": QUICK})

    (link,) = mlflow_twin.calls_to("PATCH", UPDATE)
    registered = MlflowClient().get_registered_model(model)
    version = _register(model)
    run = _deployment_run(mlflow_twin, model, version)

    assert link.json == {"name": model, "deployment_job_id": str(job_id)}
    assert (registered.deployment_job_id, registered.deployment_job_state) == (str(job_id), "CONNECTED")
    assert run["job_id"] == job_id
    assert {p["name"]: p["value"] for p in run["job_parameters"]} == {
        "model_name": model,
        "model_version": version,
    }
    assert _tasks(run) == {"validate": "SUCCESS", "promote": "SUCCESS"}
    state = MlflowClient().get_model_version(model, version).deployment_job_state
    assert (state.job_id, state.run_state) == (str(job_id), "SUCCEEDED")


def test_a_model_linked_to_another_job_is_relinked_then_left_alone(
    mlflow_twin: FakeWorkspace, wheel: Path
) -> None:
    model = load_config("staging", on_databricks=True).model_name
    client = workspace_client(mlflow_twin)
    deploy(client, "staging", wheel, echo=lambda line: None)
    MlflowClient().update_registered_model(model, deployment_job_id="1")  # by hand, in the UI say
    lines: list[str] = []

    summary = deploy(client, "staging", wheel, echo=lines.append)
    mlflow_twin.reset_calls()
    again = deploy(client, "staging", wheel, echo=lambda line: None)

    deployment_job = job_name(DEPLOYMENT_JOB_KEY, "staging")
    job_id = next(i for i, job in mlflow_twin.jobs.items() if job["settings"]["name"] == deployment_job)
    assert summary["model_link"] == "link"
    assert f"-> deployment job {deployment_job} [job {job_id}] (now: job 1)" in lines[0]
    assert MlflowClient().get_registered_model(model).deployment_job_id == str(job_id)
    assert (again["model_link"], mlflow_twin.writes()) == ("unchanged", [])


def test_run_job_follows_the_deployment_run_of_the_version_training_registered(
    mlflow_twin: FakeWorkspace, project_wheel: Path
) -> None:
    model = load_config("staging", on_databricks=True).model_name
    _deploy(mlflow_twin, project_wheel, "staging", {"validate": QUICK, "promote": QUICK})
    good = _register(model, job_run_id="4242")
    client = workspace_client(mlflow_twin)

    passed = wait_for_deployment(client, "staging", 4242, wait_minutes=2)

    _deploy(mlflow_twin, project_wheel, "staging", {"validate": FAILING, "promote": QUICK})
    _register(model, job_run_id="4343")
    with pytest.raises(LifecycleError) as failed:
        wait_for_deployment(client, "staging", 4343, wait_minutes=2)
    with pytest.raises(LifecycleError, match="training run 99 registered no version"):
        wait_for_deployment(client, "staging", 99, wait_minutes=1)

    assert (passed["model_version"], passed["result_state"]) == (good, "SUCCESS")
    assert passed["tasks"] == {"validate": "SUCCESS", "promote": "SUCCESS"}
    assert "ended FAILED: validate: FAILED exit code 2" in str(failed.value)
    assert "promote: UPSTREAM_FAILED" in str(failed.value)


def test_prod_stops_at_approval_until_a_reviewer_approves_then_the_run_is_repaired(
    mlflow_twin: FakeWorkspace, project_wheel: Path, capsys: pytest.CaptureFixture
) -> None:
    model = load_config("prod", on_databricks=True).model_name
    _deploy(mlflow_twin, project_wheel, "prod", {"validate": QUICK, "promote": QUICK})
    version = _register(model)
    waiting = _deployment_run(mlflow_twin, model, version)
    state = MlflowClient().get_model_version(model, version).deployment_job_state

    capsys.readouterr()
    code = main(["approve", "--target", "prod", "--host", mlflow_twin.url, "--version", version,
                 "--wait-minutes", "2", "--json"])  # fmt: skip
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    assert _tasks(waiting) == {"validate": "SUCCESS", APPROVAL_TAG: "FAILED", "promote": "UPSTREAM_FAILED"}
    approval = next(task for task in waiting["tasks"] if task["task_key"] == APPROVAL_TAG)
    assert f"version {version} of {model} is not approved" in approval["state"]["state_message"]
    assert (state.run_state, state.current_task_name) == ("APPROVAL", APPROVAL_TAG)
    assert code == 0, summary
    assert summary["repaired_run_id"] == waiting["run_id"]
    assert summary["tasks"] == {"validate": "SUCCESS", APPROVAL_TAG: "SUCCESS", "promote": "SUCCESS"}
    assert [item["type"] for item in mlflow_twin.runs[waiting["run_id"]]["repair_history"]] == [
        "ORIGINAL",
        "REPAIR",
    ]
    assert MlflowClient().get_model_version(model, version).tags[APPROVAL_TAG] == "approved"
