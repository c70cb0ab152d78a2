"""deploy-jobs as CI runs it: build this project's wheel, deploy it, deploy again.

Against the twin (tests/fake_workspace.py) with the real databricks-sdk. The second deploy builds the
wheel again: the build is reproducible, so nothing is uploaded or changed.
"""

import io
import json
import zipfile

import pytest

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.config import PACKAGE_NAME
from {{ cookiecutter.package_name }}.deployment.jobs import JOB_KEYS, job_name

from conftest import PROJECT_DIR
from fake_workspace import FakeWorkspace

pytestmark = pytest.mark.integration


def _deploy(workspace: FakeWorkspace, capsys: pytest.CaptureFixture) -> dict:
    capsys.readouterr()
    target = ["--target", "prod", "--host", workspace.url, "--timeout", "10"]
    code = main(["deploy-jobs", *target, "--project-dir", str(PROJECT_DIR), "--json"])
    assert code == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_build_deploy_and_redeploy(
    fake_workspace: FakeWorkspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-test")

    first = _deploy(fake_workspace, capsys)
    fake_workspace.reset_calls()
    second = _deploy(fake_workspace, capsys)

    assert (first["create"], first["wheel_uploaded"], first["model_link"]) == (len(JOB_KEYS), True, "link")
    assert (second["unchanged"], second["wheel_uploaded"]) == (len(JOB_KEYS), False)
    assert (second["model_link"], fake_workspace.writes()) == ("unchanged", [])
    assert sorted(job["settings"]["name"] for job in fake_workspace.jobs.values()) == sorted(
        job_name(key, "prod") for key in JOB_KEYS
    )
    wheel_name = first["wheel"].rsplit("/", 1)[1]
    assert wheel_name.startswith(f"{PACKAGE_NAME}-") and wheel_name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(io.BytesIO(fake_workspace.volume_path(first["wheel"]).read_bytes())) as archive:
        assert f"{PACKAGE_NAME}/deployment/jobs.py" in archive.namelist()
        assert archive.read(f"{PACKAGE_NAME}/BUILD_COMMIT").decode().strip()
