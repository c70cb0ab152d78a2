"""deploy-jobs as CI runs it: build this project's wheel, deploy it, deploy again, start the training job.

Against the fake workspace (tests/fake_workspace.py) with the real databricks-sdk. The second deploy
builds the wheel again: the build is reproducible, so nothing is uploaded or changed.
"""

import io
import json
import zipfile
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.config import PACKAGE_NAME
from {{ cookiecutter.package_name }}.deployment.jobs import JOB_KEYS, job_name

from fake_workspace import FakeWorkspace

pytestmark = pytest.mark.integration
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _deploy(workspace: FakeWorkspace, capsys: pytest.CaptureFixture) -> dict:
    capsys.readouterr()
    target = ["--target", "prod", "--host", workspace.url, "--timeout", "10"]
    code = main(["deploy-jobs", *target, "--project-dir", str(PROJECT_ROOT), "--json"])
    assert code == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_build_deploy_redeploy_and_run_training(
    fake_workspace: FakeWorkspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-test")

    first = _deploy(fake_workspace, capsys)
    (wheel_path,) = fake_workspace.workspace_files
    fake_workspace.reset_calls()
    second = _deploy(fake_workspace, capsys)
    writes_of_second = fake_workspace.writes()
    code = main(["run-job", "--target", "prod", "--host", fake_workspace.url, "--wait-minutes", "1"])

    assert (first["create"], first["wheel_uploaded"]) == (4, True)
    assert (second["unchanged"], second["wheel_uploaded"], writes_of_second) == (4, False, [])
    assert code == 0
    assert sorted(job["settings"]["name"] for job in fake_workspace.jobs.values()) == sorted(
        job_name(key, "prod") for key in JOB_KEYS
    )
    wheel_name = wheel_path.rsplit("/", 1)[1]
    assert wheel_name.startswith(f"{PACKAGE_NAME}-") and wheel_name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(io.BytesIO(fake_workspace.workspace_files[wheel_path])) as archive:
        assert f"{PACKAGE_NAME}/deployment/jobs.py" in archive.namelist()
