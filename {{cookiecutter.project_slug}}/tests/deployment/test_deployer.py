"""deploy-jobs with the real databricks-sdk against the fake workspace (tests/fake_workspace.py)."""

import json
import socket
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.config import PROJECT_SLUG
from {{ cookiecutter.package_name }}.deployment.deployer import (
    JobChange,
    Plan,
    changed_fields,
    contains,
    diff_jobs,
    spec_hash,
    with_spec_hash,
)
from {{ cookiecutter.package_name }}.deployment.jobs import (
    DEPLOYMENT_JOB_KEY,
    JOB_KEYS,
    all_job_settings,
    job_name,
)
from {{ cookiecutter.package_name }}.deployment.prerequisites import Prerequisite, required
from {{ cookiecutter.package_name }}.deployment.wheel import WheelUpload, remote_wheel_path, wheel_digest
from {{ cookiecutter.package_name }}.errors import WorkspaceError

from fake_workspace import FakeWorkspace

TARGET = "staging"
NAMES = [job_name(key, TARGET) for key in JOB_KEYS]
JOBS_PATH = "/api/2.2/jobs"
MODELS_PATH = "/api/2.0/mlflow/unity-catalog/registered-models"


@pytest.fixture
def deploy(fake_workspace: FakeWorkspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """Run `deploy-jobs` through the CLI against the fake workspace; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-test")

    def run(wheel: Path, *extra: str) -> tuple[int, str, str]:
        capsys.readouterr()
        argv = ["deploy-jobs", "--target", TARGET, "--host", fake_workspace.url, "--wheel", str(wheel)]
        code = main([*argv, "--timeout", "5", "--json", *extra])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _routes(calls) -> list[tuple[str, str]]:
    return [
        (call.method, "/presigned/*" if call.path.startswith("/presigned/") else call.path) for call in calls
    ]


def _summary(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


# --- pure parts ------------------------------------------------------------------------------------
def test_contains_ignores_defaults_the_workspace_adds() -> None:
    spec = {"tasks": [{"task_key": "a", "max_retries": 0}, {"task_key": "b"}], "tags": {"x": "1"}}
    workspace = {
        "tasks": [{"task_key": "b", "run_if": "ALL_SUCCESS"}, {"task_key": "a", "max_retries": 0}],
        "tags": {"x": "1"},
        "format": "MULTI_TASK",
    }

    assert contains(workspace, spec)
    assert not contains({**workspace, "tags": {"x": "2"}}, spec)
    assert not contains({**workspace, "tasks": workspace["tasks"][:1]}, spec)
    assert not contains({"tasks": [{"task_key": "a", "max_retries": 1}, {"task_key": "b"}]}, spec)
    assert contains({"parameters": ["train", "--env", "prod"]}, {"parameters": ["train", "--env", "prod"]})
    assert not contains(
        {"parameters": ["--env", "prod", "train"]}, {"parameters": ["train", "--env", "prod"]}
    )


def test_a_field_removed_from_the_spec_is_a_change_through_the_spec_hash() -> None:
    old = with_spec_hash({"name": "j", "tags": {"project": "p"}, "timeout_seconds": 60})
    new = with_spec_hash({"name": "j", "tags": {"project": "p"}})

    assert changed_fields(new, old) == ["tags"]
    assert changed_fields(old, old) == []
    assert with_spec_hash(old) == old
    assert new["tags"]["spec_hash"] == spec_hash({"name": "j", "tags": {"project": "p"}})


def _listed(job_id: int, name: str, **tags: str) -> dict:
    return {"job_id": job_id, "settings": {"name": name, "tags": tags}}


def test_diff_jobs_creates_updates_keeps_and_deletes() -> None:
    desired = {"a": {"name": "a", "max_concurrent_runs": 1}, "b": {"name": "b"}, "c": {"name": "c"}}
    ours = {"project": PROJECT_SLUG, "target": TARGET, "managed_by": "deploy-jobs"}
    existing = [
        _listed(1, "b", **ours),
        _listed(2, "a", **ours),
        _listed(3, "old", **ours),
        _listed(4, "old-prod", **{**ours, "target": "prod"}),
        _listed(5, "hand-made", project=PROJECT_SLUG, target=TARGET),
        _listed(6, "other", **{**ours, "project": "another-project"}),
    ]
    current = {1: {"name": "b", "format": "MULTI_TASK"}, 2: {"name": "a", "max_concurrent_runs": 5}}
    viewer = [{"group_name": "users", "all_permissions": [{"permission_level": "CAN_VIEW"}]}]
    permissions = {1: viewer, 2: viewer}

    changes = diff_jobs(desired, existing, TARGET, current.__getitem__, permissions.__getitem__, "users")

    assert changes == [
        JobChange("update", "a", 2, desired["a"], ("max_concurrent_runs",)),
        JobChange("unchanged", "b", 1, desired["b"]),
        JobChange("create", "c", None, desired["c"]),
        JobChange("delete", "old", 3, None, ("no longer defined",)),
    ]


def test_a_job_without_view_access_for_the_group_is_updated_for_permissions_only() -> None:
    ours = {"project": PROJECT_SLUG}
    owner_only = [{"user_name": "me", "all_permissions": [{"permission_level": "IS_OWNER"}]}]

    (change,) = diff_jobs(
        {"a": {"name": "a"}},
        [_listed(1, "a", **ours)],
        TARGET,
        lambda _: {"name": "a"},
        lambda _: owner_only,
        "users",
    )

    assert change == JobChange("update", "a", 1, {"name": "a"}, ("permissions",))
    assert change.grants_permissions
    assert not change.resets_settings


def test_a_same_named_job_of_someone_else_stops_the_plan() -> None:
    with pytest.raises(WorkspaceError, match=r"exists \(job_id \[7\]\) but is not tagged project="):
        diff_jobs({"a": {"name": "a"}}, [_listed(7, "a", project="x")], TARGET, dict, dict, "users")


def test_two_jobs_of_ours_with_one_name_stop_the_plan() -> None:
    jobs = [_listed(7, "a", project=PROJECT_SLUG), _listed(8, "a", project=PROJECT_SLUG)]

    with pytest.raises(WorkspaceError, match=r"2 jobs are named 'a' \(job_id \[7, 8\]\)"):
        diff_jobs({"a": {"name": "a"}}, jobs, TARGET, dict, dict, "users")


def test_the_plan_prints_one_line_per_change(wheel: Path) -> None:
    plan = Plan(
        "prod",
        "https://host",
        (Prerequisite("schema", "cat.s", True), Prerequisite("volume", "cat.s.artifacts", False)),
        WheelUpload(wheel, "/Volumes/cat/s/artifacts/wheels/ab12/w.whl", "ab12" * 16, present=False),
        (
            JobChange("create", "a"),
            JobChange("update", "b", 12, reasons=("schedule", "tasks")),
            JobChange("unchanged", "c", 13),
            JobChange("delete", "d", 14, reasons=("no longer defined",)),
        ),
    )

    assert plan.render().splitlines() == [
        "Deployment plan for target prod on https://host",
        "  present    schema cat.s",
        "  create     volume cat.s.artifacts",
        "  upload     wheel /Volumes/cat/s/artifacts/wheels/ab12/w.whl (sha256 ab12ab12ab12...)",
        "  create     a",
        "  update     b [job 12] (schedule, tasks)",
        "  unchanged  c [job 13]",
        "  delete     d [job 14] (no longer defined)",
        "  => 1 create, 1 update, 1 unchanged, 1 delete",
    ]


# --- against the twin ------------------------------------------------------------------------------
READS = [
    ("GET", "/api/2.0/secrets/scopes/list"),
    ("GET", "/api/2.1/unity-catalog/schemas/{schema}"),
    ("GET", f"{MODELS_PATH}/get"),
    *[
        ("GET", "/api/2.1/unity-catalog/volumes/{schema}." + volume)
        for volume in ("landing", "checkpoints", "state", "artifacts")
    ],
    ("GET", "/api/2.0/workspace/get-status"),
]
# How the SDK reads a file: a presigned URL first; where there is no file yet, the Files API says so.
READ_BACK = [("POST", "/api/2.0/fs/create-download-url"), ("GET", "/presigned/*")]


def _reads(schema: str, wheel: str, wheel_present: bool) -> list[tuple[str, str]]:
    wheel_reads = READ_BACK if wheel_present else [READ_BACK[0], ("GET", f"/api/2.0/fs/files{wheel}")]
    return [(method, path.format(schema=schema)) for method, path in READS] + wheel_reads


def test_first_deploy_creates_the_prerequisites_uploads_the_wheel_and_creates_every_job(
    fake_workspace: FakeWorkspace, deploy, wheel: Path
) -> None:
    code, out, _ = deploy(wheel)
    remote = remote_wheel_path(TARGET, wheel)
    desired = {name: with_spec_hash(settings) for name, settings in all_job_settings(TARGET, remote).items()}
    schema = required(TARGET)[0][1]

    assert code == 0
    assert _routes(fake_workspace.calls) == [
        ("GET", "/.well-known/databricks-config"),
        *_reads(schema, remote, wheel_present=False),
        ("GET", f"{JOBS_PATH}/list"),
        ("GET", f"/api/2.1/unity-catalog/tables/{schema}.inference_log"),  # no table: the monitor waits
        ("POST", "/api/2.1/unity-catalog/schemas"),
        ("POST", f"{MODELS_PATH}/create"),
        *[("POST", "/api/2.1/unity-catalog/volumes")] * 4,
        ("POST", "/api/2.0/workspace/mkdirs"),
        ("POST", "/api/2.0/secrets/scopes/create"),
        ("PUT", f"/api/2.0/fs/files{remote}"),
        *READ_BACK,  # the upload is read back: its hash must match
        *[("POST", f"{JOBS_PATH}/create")] * len(NAMES),
        ("PATCH", f"{MODELS_PATH}/update"),  # the model's link to its deployment job
    ]
    assert fake_workspace.volume_path(remote).read_bytes() == wheel.read_bytes()
    volume = f"/Volumes/{schema.replace('.', '/')}/artifacts"
    assert remote == f"{volume}/wheels/{wheel_digest(wheel.read_bytes())}/{wheel.name}"
    assert fake_workspace.workspace_files == {}
    assert {job["settings"]["name"]: job["settings"] for job in fake_workspace.jobs.values()} == desired
    assert list(fake_workspace.permissions.values()) == [
        [{"group_name": "users", "permission_level": "CAN_VIEW"}]
    ] * len(NAMES)
    assert "  upload     wheel " in out
    created = [
        line.split()[:2] for line in out.splitlines() if line.startswith("  create") and "[" not in line
    ]
    assert created[-len(NAMES) :] == [["create", name] for name in NAMES]
    summary = _summary(out)
    assert (summary["status"], summary["create"], summary["wheel_uploaded"]) == ("ok", len(NAMES), True)
    assert (summary["quality_monitor"], summary["model_link"]) == ("waiting", "link")
    assert len(summary["prerequisites_created"]) == 8


def test_a_second_deploy_with_nothing_changed_makes_no_writes(
    fake_workspace: FakeWorkspace, deploy, wheel: Path
) -> None:
    deploy(wheel)
    jobs_before = json.dumps(fake_workspace.jobs, sort_keys=True)
    fake_workspace.reset_calls()

    code, out, _ = deploy(wheel)

    assert code == 0
    assert fake_workspace.writes() == []
    per_job = [
        [("GET", f"{JOBS_PATH}/get"), ("GET", f"/api/2.0/permissions/jobs/{job_id}")]
        for job_id in fake_workspace.jobs
    ]
    assert _routes(fake_workspace.calls) == [
        ("GET", "/.well-known/databricks-config"),
        *_reads(required(TARGET)[0][1], remote_wheel_path(TARGET, wheel), wheel_present=True),
        ("GET", f"{JOBS_PATH}/list"),  # the twin pages 2 jobs at a time
        ("GET", f"{JOBS_PATH}/list"),
        ("GET", f"{JOBS_PATH}/list"),
        *[call for pair in per_job for call in pair],
        ("GET", f"/api/2.1/unity-catalog/tables/{required(TARGET)[0][1]}.inference_log"),
        ("GET", f"{MODELS_PATH}/get"),  # already linked to the deployment job: no write
    ]
    assert json.dumps(fake_workspace.jobs, sort_keys=True) == jobs_before
    assert _summary(out)["unchanged"] == len(NAMES)
    assert _summary(out)["model_link"] == "unchanged"
    assert "  present    wheel " in out


def test_a_wheel_changed_in_its_volume_stops_the_deployment_before_any_job_points_at_it(
    fake_workspace: FakeWorkspace, deploy, wheel: Path
) -> None:
    deploy(wheel)
    remote = remote_wheel_path(TARGET, wheel)
    fake_workspace.volume_path(remote).write_bytes(b"a wheel someone replaced")
    fake_workspace.reset_calls()

    code, out, err = deploy(wheel)

    assert code == 1
    assert fake_workspace.writes() == []
    assert f"the wheel at {remote} does not match its content hash" in err
    assert _summary(out)["status"] == "failed"


def test_an_upload_that_reads_back_different_bytes_changes_no_job(
    fake_workspace: FakeWorkspace, deploy, wheel: Path
) -> None:
    remote = remote_wheel_path(TARGET, wheel)
    put = fake_workspace.route("PUT", "/api/2.0/fs/files{path*}")

    def tampering_upload(request):
        request.body = request.body + b"tampered"
        return put(request)

    fake_workspace.add_route("PUT", "/api/2.0/fs/files{path*}", tampering_upload)

    code, _, err = deploy(wheel)

    assert code == 1
    assert f"the wheel uploaded to {remote} reads back with sha256" in err
    assert fake_workspace.jobs == {}


def test_prerequisites_created_meanwhile_by_someone_else_are_fine(
    fake_workspace: FakeWorkspace, deploy, wheel: Path
) -> None:
    create_schema = fake_workspace.route("POST", "/api/2.1/unity-catalog/schemas")

    def racing_create(request):
        create_schema(request)  # somebody else was faster ...
        return create_schema(request)  # ... so ours is refused as existing

    fake_workspace.add_route("POST", "/api/2.1/unity-catalog/schemas", racing_create)

    code, out, _ = deploy(wheel)

    assert code == 0
    assert _summary(out)["create"] == len(NAMES)


def test_defaults_the_workspace_adds_do_not_make_a_job_changed(
    fake_workspace: FakeWorkspace, deploy, wheel: Path
) -> None:
    deploy(wheel)
    for job in fake_workspace.jobs.values():
        job["settings"]["format"] = "MULTI_TASK"
        job["settings"]["email_notifications"] = {}
        for task in job["settings"]["tasks"]:
            task["run_if"] = "ALL_SUCCESS"
        job["settings"]["tasks"].reverse()
    fake_workspace.reset_calls()

    code, out, _ = deploy(wheel)

    assert code == 0
    assert fake_workspace.writes() == []
    assert _summary(out)["unchanged"] == len(NAMES)


def test_a_changed_job_is_reset_and_a_new_wheel_updates_every_job(
    fake_workspace: FakeWorkspace, deploy, wheel: Path
) -> None:
    deploy(wheel)
    training_id = next(i for i, job in fake_workspace.jobs.items() if job["settings"]["name"] == NAMES[1])
    fake_workspace.jobs[training_id]["settings"]["schedule"]["pause_status"] = "UNPAUSED"  # edited by hand
    fake_workspace.reset_calls()

    code, out, _ = deploy(wheel)

    assert code == 0
    assert _routes(fake_workspace.writes()) == [("POST", f"{JOBS_PATH}/reset")]
    assert fake_workspace.writes()[0].json["job_id"] == training_id
    assert fake_workspace.jobs[training_id]["settings"]["schedule"]["pause_status"] == "PAUSED"
    assert f"  update     {NAMES[1]} [job {training_id}] (schedule)" in out.splitlines()

    new_wheel = wheel.parent.parent / "v2" / wheel.name
    new_wheel.parent.mkdir()
    new_wheel.write_bytes(b"wheel bytes, version 2")
    fake_workspace.reset_calls()

    code, out, _ = deploy(new_wheel)

    new_remote = remote_wheel_path(TARGET, new_wheel)
    assert code == 0
    assert _routes(fake_workspace.writes()) == [
        ("PUT", f"/api/2.0/fs/files{new_remote}"),
        *[("POST", f"{JOBS_PATH}/reset")] * len(NAMES),
    ]
    for job in fake_workspace.jobs.values():
        assert _deployed_wheels(job["settings"]) == {new_remote}
    assert fake_workspace.volume_path(remote_wheel_path(TARGET, wheel)).is_file()  # the old one stays
    assert _summary(out)["update"] == len(NAMES)


def _deployed_wheels(settings: dict) -> set[str]:
    """The wheel paths a job installs: serverless environments or classic task libraries."""
    from_environments = {
        dependency
        for environment in settings.get("environments", [])
        for dependency in environment["spec"]["dependencies"]
    }
    from_libraries = {library["whl"] for task in settings["tasks"] for library in task.get("libraries", [])}
    return from_environments | from_libraries


def test_jobs_no_longer_defined_are_deleted_and_others_left_alone(
    fake_workspace: FakeWorkspace, deploy, wheel: Path
) -> None:
    ours = {"project": PROJECT_SLUG, "target": TARGET, "managed_by": "deploy-jobs"}
    fake_workspace.jobs[1] = {
        "job_id": 1,
        "settings": {"name": f"{PROJECT_SLUG}-staging-retired", "tags": ours},
    }
    fake_workspace.jobs[2] = {"job_id": 2, "settings": {"name": "by hand", "tags": {"project": PROJECT_SLUG}}}
    fake_workspace.jobs[3] = {
        "job_id": 3,
        "settings": {"name": "prod one", "tags": {**ours, "target": "prod"}},
    }

    code, out, _ = deploy(wheel)

    assert code == 0
    assert sorted(set(fake_workspace.jobs) & {1, 2, 3}) == [2, 3]
    assert [call.json for call in fake_workspace.calls_to("POST", f"{JOBS_PATH}/delete")] == [{"job_id": 1}]
    assert f"  delete     {PROJECT_SLUG}-staging-retired [job 1] (no longer defined)" in out.splitlines()


def test_dry_run_prints_the_plan_and_makes_no_writes(
    fake_workspace: FakeWorkspace, deploy, wheel: Path
) -> None:
    code, out, _ = deploy(wheel, "--dry-run")

    assert code == 0
    assert fake_workspace.writes() == []
    assert fake_workspace.jobs == {}
    assert out.splitlines()[0] == f"Deployment plan for target {TARGET} on {fake_workspace.url}"
    assert f"  create     schema {required(TARGET)[0][1]}" in out.splitlines()
    summary = _summary(out)
    assert (summary["dry_run"], summary["create"], summary["wheel_uploaded"]) == (True, len(NAMES), False)
    assert summary["prerequisites_created"] == []
    model = required(TARGET)[1][1]
    deployment_job = job_name(DEPLOYMENT_JOB_KEY, TARGET)
    assert (
        f"  link       registered model {model} -> deployment job {deployment_job} (new) "
        "(now: no deployment job)"
    ) in out.splitlines()


def test_a_missing_view_permission_is_granted_without_resetting_the_job(
    fake_workspace: FakeWorkspace, deploy, wheel: Path
) -> None:
    deploy(wheel)
    first = min(fake_workspace.jobs)
    fake_workspace.permissions[f"jobs/{first}"] = []
    fake_workspace.reset_calls()

    code, _, _ = deploy(wheel)

    assert code == 0
    assert _routes(fake_workspace.writes()) == [("PATCH", f"/api/2.0/permissions/jobs/{first}")]
    assert fake_workspace.permissions[f"jobs/{first}"] == [
        {"group_name": "users", "permission_level": "CAN_VIEW"}
    ]


def test_a_throttled_call_is_retried_and_the_deploy_succeeds(
    fake_workspace: FakeWorkspace, deploy, wheel: Path
) -> None:
    fake_workspace.fail("POST", f"{JOBS_PATH}/create", 429, times=1, retry_after=0)

    code, out, _ = deploy(wheel)

    assert code == 0
    assert len(fake_workspace.calls_to("POST", f"{JOBS_PATH}/create")) == len(NAMES) + 1
    assert sorted(job["settings"]["name"] for job in fake_workspace.jobs.values()) == sorted(NAMES)
    assert _summary(out)["create"] == len(NAMES)


def test_a_persistent_server_error_fails_with_a_clear_message(
    fake_workspace: FakeWorkspace, deploy, wheel: Path
) -> None:
    fake_workspace.fail("GET", f"{JOBS_PATH}/list", 500, times=None, message="jobs service is down")

    code, out, err = deploy(wheel)

    assert code == 1
    assert fake_workspace.writes() == []
    assert f"listing jobs failed on {fake_workspace.url}: INTERNAL_ERROR: jobs service is down" in err
    assert _summary(out)["status"] == "failed"


def test_an_unreachable_host_fails_within_the_timeout_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, wheel: Path
) -> None:
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-test")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        host = f"http://127.0.0.1:{probe.getsockname()[1]}"

    code = main(["deploy-jobs", "--target", TARGET, "--host", host, "--wheel", str(wheel), "--timeout", "1"])

    assert code == 1
    assert f"cannot reach the Databricks workspace {host}" in capsys.readouterr().err


def test_without_a_host_deploy_jobs_says_how_to_set_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, wheel: Path
) -> None:
    monkeypatch.delenv("DATABRICKS_HOST", raising=False)
    monkeypatch.setattr(
        "{{ cookiecutter.package_name }}.deployment.commands.load_config",
        lambda target: type("NoHost", (), {"workspace_host": None})(),
    )

    code = main(["deploy-jobs", "--target", "prod", "--wheel", str(wheel)])

    assert code == 2
    assert "no Databricks host for target prod: set DATABRICKS_HOST" in capsys.readouterr().err
