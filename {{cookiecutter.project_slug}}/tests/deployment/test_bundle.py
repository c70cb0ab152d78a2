"""The bundle (databricks.yml + deployment/bundle.py) deploys the jobs `deploy-jobs` deploys.

The Databricks CLI cannot run here, so each test does what the CLI does before a deploy: it resolves
databricks.yml's variables for a target, writes the CLI's input file and runs the Python resource
loader the CLI runs (`python -m databricks.bundles.build --phase load_resources`, from the project root).
The loader's jobs are then compared with the jobs `deploy-jobs` created on the twin, field by field.
Where the CLI itself changes a job at deploy (the wheel path it uploads; development mode's name
prefix and `${workspace.current_user.short_name}`), the test applies the same change, and nothing else.
Development mode also adds a `dev` tag, which neither side's lookups read; it is left out of both.
"""

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from databricks.sdk.service.jobs import JobSettings

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.config import MODEL_BASE_NAME, VOLUMES, load_config
from {{ cookiecutter.package_name }}.deployment.bundle import CURRENT_USER, MANAGED_BY_BUNDLE, WHEEL
from {{ cookiecutter.package_name }}.deployment.deployer import SPEC_HASH_TAG
from {{ cookiecutter.package_name }}.deployment.jobs import (
    DEPLOY_TARGETS,
    DEPLOYMENT_JOB_KEY,
    DEV,
    JOBS,
    job_name,
)
from {{ cookiecutter.package_name }}.deployment.registry_api import create_model, get_model

from fake_workspace import CURRENT_USER as TWIN_USER
from fake_workspace import FakeWorkspace, workspace_client

PROJECT = Path(__file__).resolve().parents[2]
ME = TWIN_USER.split("@")[0]  # the twin's user as development mode's short name


def bundle_config() -> dict:
    return yaml.safe_load((PROJECT / "databricks.yml").read_text())


def cli_input(target: str, overrides: dict | None = None) -> dict:
    """The input the CLI gives the loader: the configuration with the target's variable values."""
    config = bundle_config()
    values = {**config["targets"][target].get("variables", {}), **(overrides or {})}
    variables = {
        name: {**spec, "value": values.get(name, spec.get("default"))}
        for name, spec in config["variables"].items()
    }
    return {
        "bundle": {**config["bundle"], "target": target},
        "python": config["python"],
        "variables": variables,
    }


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, dict, list]]:
    """The loader's result for each target with databricks.yml as it is (one run per target)."""
    folder = tmp_path_factory.mktemp("bundle")
    return {target: load_resources(folder, target) for target in DEPLOY_TARGETS}


def load_resources(tmp_path: Path, target: str, overrides: dict | None = None) -> tuple[int, dict, list]:
    """Run the loader as the CLI does: (exit code, resources, diagnostics)."""
    paths = {name: tmp_path / f"{target}-{name}.json" for name in ("input", "output", "diagnostics")}
    paths["input"].write_text(json.dumps(cli_input(target, overrides)))
    command = [sys.executable, "-m", "databricks.bundles.build", "--phase", "load_resources"]
    for name, path in paths.items():
        command += [f"--{name}", str(path)]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PROJECT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    lines = paths["diagnostics"].read_text().splitlines() if paths["diagnostics"].exists() else []
    output = json.loads(paths["output"].read_text()) if paths["output"].exists() else {}
    return done.returncode, output.get("resources", {}), [json.loads(line) for line in lines]


def as_the_cli_deploys(job: dict, target: str) -> dict:
    """What the CLI makes of a loader job for the comparison: development mode's prefix, the short name."""
    text = json.dumps(job).replace(CURRENT_USER, ME)
    deployed = json.loads(text)
    if target == DEV:
        deployed["name"] = f"[dev {ME}] {deployed['name']}"
    return deployed


def deployed_by_deploy_jobs(
    twin: FakeWorkspace, wheel: Path, target: str, capsys: pytest.CaptureFixture
) -> dict[str, dict]:
    """deploy-jobs' jobs on the twin by name, with the bundle's wheel path and without its own tag."""
    code = main(["deploy-jobs", "--target", target, "--host", twin.url, "--wheel", str(wheel), "--json"])
    out, _ = capsys.readouterr()
    assert code == 0, out
    remote_wheel = json.loads(out.strip().splitlines()[-1])["wheel"]
    jobs = {}
    for job_id, job in twin.jobs.items():
        settings = json.loads(json.dumps(job["settings"]).replace(remote_wheel, WHEEL))
        settings["tags"].pop(SPEC_HASH_TAG)
        permissions = twin.permissions.get(f"jobs/{job_id}", [])
        jobs[settings["name"]] = {**settings, "permissions": permissions}
    return jobs


def viewers(acl: list[dict]) -> list[tuple[str, str]]:
    """(group, level) of each group grant, from a bundle's `permissions` or an access control list."""
    return sorted(
        (entry["group_name"], entry.get("level") or entry["permission_level"])
        for entry in acl
        if "group_name" in entry
    )


@pytest.mark.parametrize("target", DEPLOY_TARGETS)
def test_the_bundle_deploys_the_jobs_deploy_jobs_deploys(
    target: str,
    loaded: dict,
    fake_workspace: FakeWorkspace,
    wheel: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-test")
    code, resources, diagnostics = loaded[target]
    assert (code, diagnostics) == (0, [])

    expected = deployed_by_deploy_jobs(fake_workspace, wheel, target, capsys)
    bundle_jobs = [as_the_cli_deploys(job, target) for job in resources["jobs"].values()]

    assert sorted(job["name"] for job in bundle_jobs) == sorted(expected)
    assert len(bundle_jobs) == len(JOBS)
    for job in bundle_jobs:
        twin_job = expected[job["name"]]
        assert job["tags"].pop("managed_by") == MANAGED_BY_BUNDLE
        assert twin_job["tags"].pop("managed_by") == "deploy-jobs"
        assert viewers(job.pop("permissions")) == viewers(twin_job.pop("permissions"))
        assert job == twin_job


@pytest.mark.parametrize("target", [target for target in DEPLOY_TARGETS if target != DEV])
def test_staging_and_prod_declare_what_the_jobs_need_and_keep_it_on_destroy(
    target: str, tmp_path: Path
) -> None:
    code, resources, _ = load_resources(tmp_path, target)
    config = load_config(target, on_databricks=True)

    assert code == 0
    assert resources["schemas"] == {
        "schema": {
            "catalog_name": config.catalog,
            "name": config.schema,
            "lifecycle": {"prevent_destroy": True},
        }
    }
    assert sorted(resources["volumes"]) == sorted(VOLUMES)
    for name, volume in resources["volumes"].items():
        assert (volume["catalog_name"], volume["name"], volume["volume_type"]) == (
            config.catalog,
            name,
            "MANAGED",
        )
        assert volume["schema_name"] == "${resources.schemas.schema.name}"  # created after the schema
        assert volume["lifecycle"] == {"prevent_destroy": True}
    assert "experiments" not in resources  # the jobs create it in their folder on first use
    model = resources["registered_models"]["model"]
    assert f"{model['catalog_name']}.{config.schema}.{model['name']}" == config.model_name
    assert model["name"] == MODEL_BASE_NAME


def test_dev_declares_only_the_developers_jobs(loaded: dict) -> None:
    """Dev data is shared by the developers; development mode would prefix a private copy of each."""
    code, resources, _ = loaded[DEV]

    assert code == 0
    assert set(resources) == {"jobs"}


def test_a_catalog_that_differs_from_config_py_stops_the_bundle_with_what_to_change(tmp_path: Path) -> None:
    code, resources, diagnostics = load_resources(tmp_path, "prod", {"catalog": "someone_elses"})

    assert code == 1
    assert resources == {}
    [diagnostic] = diagnostics
    assert diagnostic["severity"] == "error"
    assert "catalog='someone_elses'" in diagnostic["detail"] + diagnostic["summary"]
    assert "config.py" in diagnostic["detail"] + diagnostic["summary"]


def test_the_python_section_holds_only_what_the_bundles_loader_reads() -> None:
    """databricks-bundles (pinned) logs and drops keys it does not know; `venv_path` makes the CLI run the
    loader with the project's .venv, where `uv sync` installed it. (Its config class is private: this
    checks the pinned release.)"""
    from databricks.bundles.build import _Conf

    python = bundle_config()["python"]

    assert set(python) <= {field.name for field in dataclasses.fields(_Conf)}
    assert python["venv_path"] == ".venv"


def test_databricks_yml_has_the_targets_and_hosts_of_config_py() -> None:
    config = bundle_config()

    assert sorted(config["targets"]) == sorted(DEPLOY_TARGETS)
    assert config["targets"][DEV]["mode"] == "development"
    assert config["targets"]["prod"]["mode"] == "production"
    for target in DEPLOY_TARGETS:
        host = config["targets"][target].get("workspace", {}).get("host")
        assert host == load_config(target, on_databricks=True).workspace_host


def deploy_as_the_bundle(twin: FakeWorkspace, resources: dict) -> None:
    """What `databricks bundle deploy` leaves in a workspace: the loader's jobs and the registered model."""
    client = workspace_client(twin)
    for job in resources["jobs"].values():
        settings = {key: value for key, value in job.items() if key != "permissions"}
        client.jobs.create(**JobSettings.from_dict(settings).as_shallow_dict())
    model = resources["registered_models"]["model"]
    config = load_config("staging", on_databricks=True)
    client.schemas.create(config.schema, config.catalog)
    create_model(client, f"{model['catalog_name']}.{config.schema}.{model['name']}")


def test_post_deploy_links_the_model_to_the_bundles_deployment_job_once(
    loaded: dict,
    fake_workspace: FakeWorkspace,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    """A bundle cannot set the model's deployment job; without the link no version would be gated."""
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-test")
    deploy_as_the_bundle(fake_workspace, loaded["staging"][1])
    command = ["post-deploy", "--target", "staging", "--host", fake_workspace.url, "--json"]
    deployment_job = job_name(DEPLOYMENT_JOB_KEY, "staging")
    [job_id] = [id_ for id_, job in fake_workspace.jobs.items() if job["settings"]["name"] == deployment_job]
    fake_workspace.reset_calls()
    capsys.readouterr()

    assert main([*command, "--dry-run"]) == 0
    assert fake_workspace.writes() == []
    assert main(command) == 0
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    model = load_config("staging", on_databricks=True).model_name
    assert get_model(workspace_client(fake_workspace), model)["deployment_job_id"] == str(job_id)
    assert (first["model_link"], first["quality_monitor"]) == ("link", "waiting")

    fake_workspace.reset_calls()
    assert main(command) == 0
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert fake_workspace.writes() == []
    assert again["model_link"] == "unchanged"


def test_post_deploy_before_any_deploy_says_what_to_do(
    fake_workspace: FakeWorkspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-test")

    code = main(["post-deploy", "--target", "prod", "--host", fake_workspace.url])

    _, err = capsys.readouterr()
    assert code != 0
    assert "databricks bundle deploy --target prod" in err
    assert "Traceback" not in err
