"""run-job starts a deployed job on the twin, waits, and fails with the failing tasks named.

The jobs run this project's real wheel through the twin's wheel launcher; their tasks are swapped for
quick commands, so the test is about run-job, not about the lifecycle (test_staging_sequence.py is;
test_deployment_job.py covers how run-job follows a training run into the deployment job).
"""

import json
from pathlib import Path

import pytest
from databricks.sdk.service.jobs import JobSettings

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.deployment.deployer import deploy
from {{ cookiecutter.package_name }}.deployment.jobs import job_name

from fake_workspace import FakeWorkspace, workspace_client

TARGET = "staging"
JOB = "feature-refresh"
QUICK = ["--help"]  # exits 0 without Spark
FAILING = ["deploy-jobs", "--target", TARGET, "--wheel", "/nowhere/missing.whl"]  # exits 2


def _deploy_with_tasks(twin: FakeWorkspace, wheel: Path, parameters: dict[str, list[str]]) -> int:
    """Deploy the project, then give the feature-refresh job's tasks these parameters; returns its id."""
    client = workspace_client(twin)
    deploy(client, TARGET, wheel, echo=lambda line: None)
    job_id = next(i for i, job in twin.jobs.items() if job["settings"]["name"] == job_name(JOB, TARGET))
    settings = twin.jobs[job_id]["settings"]
    for task in settings["tasks"]:
        task["python_wheel_task"]["parameters"] = parameters[task["task_key"]]
    client.jobs.reset(job_id, JobSettings.from_dict(settings))
    return job_id


def _run_job(twin: FakeWorkspace, capsys: pytest.CaptureFixture) -> tuple[int, dict, str]:
    capsys.readouterr()
    code = main(
        ["run-job", "--target", TARGET, "--host", twin.url, "--job", JOB, "--wait-minutes", "5", "--json"]
    )
    out, err = capsys.readouterr()
    return code, json.loads(out.strip().splitlines()[-1]), err


def test_run_job_waits_for_every_task_and_reports_them(
    fake_workspace: FakeWorkspace, project_wheel: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-test")
    job_id = _deploy_with_tasks(fake_workspace, project_wheel, dict.fromkeys(("ingest", "features"), QUICK))

    code, summary, _ = _run_job(fake_workspace, capsys)

    assert code == 0
    assert (summary["job_id"], summary["result_state"]) == (job_id, "SUCCESS")
    assert summary["tasks"] == {"ingest": "SUCCESS", "features": "SUCCESS"}


def test_run_job_fails_naming_the_failed_task_and_the_ones_it_stopped(
    fake_workspace: FakeWorkspace, project_wheel: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-test")
    _deploy_with_tasks(fake_workspace, project_wheel, {"ingest": FAILING, "features": QUICK})

    code, summary, err = _run_job(fake_workspace, capsys)

    assert code == 1
    assert summary["status"] == "failed"
    assert "ended FAILED: ingest: FAILED exit code 2" in err
    assert "features: UPSTREAM_FAILED" in err


@pytest.mark.parametrize(
    "arguments", [["--job", "deployment"], ["--job", "training", "--model-version", "3"]]
)
def test_model_version_goes_with_the_deployment_job_only(arguments: list[str], capsys) -> None:
    code = main(["run-job", "--target", TARGET, "--host", "http://127.0.0.1:9", *arguments])

    assert code == 2
    assert "--model-version goes with --job deployment, and that job needs it" in capsys.readouterr().err
