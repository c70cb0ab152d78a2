"""`--target dev`: each developer deploys, finds and runs their own paused copy of the jobs.

Against the twin with the real SDK client: the developer is whoever the token belongs to (SCIM `Me`),
as on Databricks, so two tokens are two developers.
"""

import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.config import PROJECT_SLUG
from {{ cookiecutter.package_name }}.deployment.jobs import JOB_KEYS, job_name
from {{ cookiecutter.package_name }}.deployment.runs import find_job

from fake_workspace import CURRENT_USER, FakeWorkspace, workspace_client

BOB_TOKEN = "dapi-bob"
BOB = "bob_builder"  # bob.builder@example.com as a dev job names him
ME = CURRENT_USER.split("@")[0]


@pytest.fixture
def twin(fake_workspace: FakeWorkspace) -> FakeWorkspace:
    fake_workspace.tree.token_users[BOB_TOKEN] = "bob.builder@example.com"
    return fake_workspace


def _deploy(twin: FakeWorkspace, wheel: Path, token: str, monkeypatch, capsys) -> dict:
    monkeypatch.setenv("DATABRICKS_TOKEN", token)
    capsys.readouterr()
    code = main(["deploy-jobs", "--target", "dev", "--host", twin.url, "--wheel", str(wheel), "--json"])
    out, _ = capsys.readouterr()
    assert code == 0, out
    return json.loads(out.strip().splitlines()[-1])


def _jobs_of(twin: FakeWorkspace, developer: str) -> dict[str, dict]:
    return {
        job["settings"]["name"]: job["settings"]
        for job in twin.jobs.values()
        if job["settings"].get("tags", {}).get("dev_user") == developer
    }


def test_each_developer_gets_their_own_paused_copy_and_a_redeploy_writes_nothing(
    twin: FakeWorkspace, wheel: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    mine = _deploy(twin, wheel, "dapi-test", monkeypatch, capsys)
    bobs = _deploy(twin, wheel, BOB_TOKEN, monkeypatch, capsys)

    assert (mine["developer"], mine["create"]) == (ME, len(JOB_KEYS))
    # The dev model is everyone's: no developer's deployment job is linked to it.
    assert (mine["model_link"], bobs["model_link"]) == ("skipped", "skipped")
    assert not twin.calls_to("PATCH", "/api/2.0/mlflow/unity-catalog/registered-models/update")
    assert (bobs["developer"], bobs["create"], bobs["delete"]) == (BOB, len(JOB_KEYS), 0)
    for developer in (ME, BOB):
        jobs = _jobs_of(twin, developer)
        assert sorted(jobs) == sorted(f"[dev {developer}] {PROJECT_SLUG}-dev-{key}" for key in JOB_KEYS)
        schedules = [settings["schedule"] for settings in jobs.values() if "schedule" in settings]
        assert {schedule["pause_status"] for schedule in schedules} == {"PAUSED"}
        assert {settings["tags"]["target"] for settings in jobs.values()} == {"dev"}

    twin.reset_calls()
    again = _deploy(twin, wheel, "dapi-test", monkeypatch, capsys)

    assert twin.writes() == []
    assert (again["unchanged"], again["delete"]) == (len(JOB_KEYS), 0)


def test_a_developer_deletes_only_their_own_retired_jobs(
    twin: FakeWorkspace, wheel: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    retired = {"project": PROJECT_SLUG, "target": "dev", "managed_by": "deploy-jobs", "dev_user": BOB}
    twin.jobs[1] = {"job_id": 1, "settings": {"name": f"[dev {BOB}] {PROJECT_SLUG}-dev-old", "tags": retired}}

    mine = _deploy(twin, wheel, "dapi-test", monkeypatch, capsys)
    assert mine["delete"] == 0 and 1 in twin.jobs

    bobs = _deploy(twin, wheel, BOB_TOKEN, monkeypatch, capsys)
    assert bobs["delete"] == 1 and 1 not in twin.jobs


def test_run_job_finds_the_callers_own_copy(
    twin: FakeWorkspace, wheel: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    _deploy(twin, wheel, "dapi-test", monkeypatch, capsys)
    _deploy(twin, wheel, BOB_TOKEN, monkeypatch, capsys)

    for token, developer in (("dapi-test", ME), (BOB_TOKEN, BOB)):
        found = find_job(workspace_client(twin, token=token), "training", "dev")
        assert found["settings"]["name"] == job_name("training", "dev", developer)
        assert found["settings"]["tags"]["dev_user"] == developer


def test_without_a_host_dev_uses_the_developers_config_profile(
    twin: FakeWorkspace, wheel: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    profile = tmp_path / "databrickscfg"
    profile.write_text(f"[DEFAULT]\nhost = {twin.url}\ntoken = {BOB_TOKEN}\n")
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(profile))

    code = main(["deploy-jobs", "--target", "dev", "--wheel", str(wheel), "--dry-run", "--json"])
    out, _ = capsys.readouterr()

    assert code == 0, out
    summary = json.loads(out.strip().splitlines()[-1])
    assert (summary["developer"], summary["host"], summary["create"]) == (BOB, twin.url, len(JOB_KEYS))
    assert twin.writes() == []
