"""The project's wheel, run the way Databricks runs a python_wheel_task: the task state is what the
process says, so a command that fails must fail its task (and the tasks after it must not run)."""

from pathlib import Path

import pytest
from databricks.sdk.service.catalog import VolumeType
from databricks.sdk.service.jobs import JobSettings

from {{ cookiecutter.package_name }}.config import PACKAGE_NAME, load_config

from fake_workspace import FakeWorkspace, workspace_client

CATALOG = "twin_catalog"
WHEEL_FOLDER = f"/Volumes/{CATALOG}/launch/artifacts"


@pytest.fixture
def twin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from fake_workspace import isolate_from_real_databricks

    isolate_from_real_databricks(monkeypatch)
    with FakeWorkspace(tmp_path / "twin", catalogs=(CATALOG,), serverless_spark=False) as workspace:
        yield workspace


def _job(wheel: str, *tasks: tuple[str, list[str], str | None]) -> JobSettings:
    return JobSettings.from_dict(
        {
            "name": "launcher-check",
            "environments": [
                {"environment_key": "default", "spec": {"environment_version": "4", "dependencies": [wheel]}}
            ],
            "tasks": [
                {
                    "task_key": key,
                    "environment_key": "default",
                    "python_wheel_task": {
                        "package_name": PACKAGE_NAME,
                        "entry_point": PACKAGE_NAME,
                        "parameters": params,
                    },
                    **({"depends_on": [{"task_key": upstream}]} if upstream else {}),
                }
                for key, params, upstream in tasks
            ],
        }
    )


def _upload(twin: FakeWorkspace, wheel: Path) -> str:
    client = workspace_client(twin)
    client.schemas.create("launch", CATALOG)
    client.volumes.create(CATALOG, "launch", "artifacts", volume_type=VolumeType.MANAGED)
    remote = f"{WHEEL_FOLDER}/{wheel.name}"
    with wheel.open("rb") as content:
        client.files.upload(remote, content, overwrite=False)
    return remote


def test_a_command_that_fails_fails_its_task_and_skips_the_next(
    twin: FakeWorkspace, project_wheel: Path
) -> None:
    client = workspace_client(twin)
    remote = _upload(twin, project_wheel)
    # A usage error (exit 2): the process's exit code is all the task state goes by.
    failing = ["deploy-jobs", "--target", "staging", "--wheel", "/nowhere/missing.whl"]
    job = _job(remote, ("help", ["--help"], None), ("fail", failing, "help"), ("after", ["--help"], "fail"))
    job_id = client.jobs.create(**job.as_shallow_dict()).job_id

    run = client.jobs.run_now(job_id).result()

    states = {task.task_key: task.state.result_state.value for task in run.tasks}
    assert states == {"help": "SUCCESS", "fail": "FAILED", "after": "UPSTREAM_FAILED"}
    assert run.state.result_state.value == "FAILED"
    failed = next(task for task in run.tasks if task.task_key == "fail")
    assert "exit code 2" in failed.state.state_message
    assert "is not a wheel file" in client.jobs.get_run_output(failed.run_id).logs


def test_a_wheel_that_is_not_in_its_volume_fails_the_task_without_running_it(twin: FakeWorkspace) -> None:
    client = workspace_client(twin)
    client.schemas.create("launch", CATALOG)
    job = _job(f"/Volumes/{CATALOG}/launch/artifacts/never-uploaded.whl", ("help", ["--help"], None))
    job_id = client.jobs.create(**job.as_shallow_dict()).job_id

    run = client.jobs.run_now(job_id).result()

    (task,) = run.tasks
    assert task.state.result_state.value == "FAILED"
    assert "Library installation failed" in task.state.state_message


def test_a_task_of_a_workspace_environment_writes_into_the_twins_storage(
    twin: FakeWorkspace, project_wheel: Path
) -> None:
    """Tasks run off Databricks: the twin switches on the emulation of their environment's data."""
    client = workspace_client(twin)
    remote = _upload(twin, project_wheel)
    generate = ["generate-data", "--env", "staging", "--rows", "200"]
    job_id = client.jobs.create(**_job(remote, ("generate", generate, None)).as_shallow_dict()).job_id

    run = client.jobs.run_now(job_id).result()

    assert run.state.result_state.value == "SUCCESS", client.jobs.get_run_output(run.tasks[0].run_id).logs
    landing = load_config("staging", home=twin.root, on_databricks=False).landing_path
    assert len(list(Path(landing, "events").glob("*.csv"))) == 1
