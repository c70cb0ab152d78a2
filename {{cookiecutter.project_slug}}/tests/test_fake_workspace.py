"""The fake workspace answers the real databricks-sdk the way the deployment tests rely on."""

import pytest
from databricks.sdk.errors import InternalError
from databricks.sdk.service.jobs import JobSettings
from databricks.sdk.service.workspace import ImportFormat

from fake_workspace import FakeWorkspace, workspace_client


def test_construction_probes_the_host_metadata(fake_workspace: FakeWorkspace) -> None:
    workspace_client(fake_workspace)

    assert [(call.method, call.path) for call in fake_workspace.calls] == [
        ("GET", "/.well-known/databricks-config")
    ]


def test_jobs_round_trip_through_the_sdk(fake_workspace: FakeWorkspace) -> None:
    client = workspace_client(fake_workspace)
    settings = JobSettings.from_dict({"name": "a", "tags": {"project": "p"}})
    created = [client.jobs.create(**settings.as_shallow_dict()).job_id for _ in range(3)]
    client.jobs.reset(created[0], JobSettings.from_dict({"name": "b"}))
    client.jobs.delete(created[1])

    names = sorted(job.settings.name for job in client.jobs.list())
    by_name = [job.job_id for job in client.jobs.list(name="A")]

    assert names == ["a", "b"]
    assert by_name == [created[2]]
    assert client.jobs.get(created[0]).settings.as_dict() == {"name": "b"}
    assert client.jobs.run_now(created[2]).result().state.result_state.value == "SUCCESS"


def test_workspace_upload_keeps_the_bytes(fake_workspace: FakeWorkspace) -> None:
    client = workspace_client(fake_workspace)
    client.workspace.mkdirs("/Workspace/Shared/p/wheels")
    client.workspace.upload("/Workspace/Shared/p/wheels/x.whl", b"PK\x03\x04 bytes", format=ImportFormat.AUTO)

    assert fake_workspace.workspace_files == {"/Workspace/Shared/p/wheels/x.whl": b"PK\x03\x04 bytes"}
    assert client.workspace.get_status("/Workspace/Shared/p/wheels/x.whl").size == 10


def test_a_throttled_call_is_retried_after_retry_after(fake_workspace: FakeWorkspace) -> None:
    client = workspace_client(fake_workspace)
    fake_workspace.fail("GET", "/api/2.2/jobs/list", 429, times=1, retry_after=0)

    assert list(client.jobs.list()) == []
    assert len(fake_workspace.calls_to("GET", "/api/2.2/jobs/list")) == 2


def test_a_persistent_server_error_is_raised(fake_workspace: FakeWorkspace) -> None:
    client = workspace_client(fake_workspace)
    fake_workspace.fail("GET", "/api/2.2/jobs/list", 500, times=None, message="workspace is broken")

    with pytest.raises(InternalError, match="workspace is broken"):
        list(client.jobs.list())
    assert fake_workspace.writes() == []


def test_routes_are_additive(fake_workspace: FakeWorkspace) -> None:
    client = workspace_client(fake_workspace)
    fake_workspace.add_route(
        "GET", "/api/2.0/serving-endpoints/{name}", lambda request: {"name": request.params["name"]}
    )

    assert client.api_client.do("GET", "/api/2.0/serving-endpoints/churn") == {"name": "churn"}
