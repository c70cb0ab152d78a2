"""The twin answers the real databricks-sdk the way a workspace does: one namespace of workspace objects,
Unity Catalog volumes behind the Files API, secret scopes, jobs, throttling and errors."""

import io

import pytest
from databricks.sdk.errors import InternalError, NotFound, ResourceAlreadyExists, ResourceConflict
from databricks.sdk.service.catalog import VolumeType
from databricks.sdk.service.jobs import JobSettings
from databricks.sdk.service.workspace import ImportFormat

from databricks_twin.workspace import EXPERIMENT
from fake_workspace import FakeWorkspace, workspace_client

CATALOG = "twin_catalog"


@pytest.fixture
def twin(tmp_path, monkeypatch):
    from fake_workspace import isolate_from_real_databricks

    isolate_from_real_databricks(monkeypatch)
    with FakeWorkspace(tmp_path / "twin", catalogs=(CATALOG,)) as workspace:
        yield workspace


def test_construction_probes_the_host_metadata(twin: FakeWorkspace) -> None:
    workspace_client(twin)

    assert [(call.method, call.path) for call in twin.calls] == [("GET", "/.well-known/databricks-config")]


def test_jobs_round_trip_through_the_sdk(twin: FakeWorkspace) -> None:
    client = workspace_client(twin)
    settings = JobSettings.from_dict({"name": "a", "tags": {"project": "p"}})
    created = [client.jobs.create(**settings.as_shallow_dict()).job_id for _ in range(3)]
    client.jobs.reset(created[0], JobSettings.from_dict({"name": "b"}))
    client.jobs.delete(created[1])

    names = sorted(job.settings.name for job in client.jobs.list())
    by_name = [job.job_id for job in client.jobs.list(name="A")]

    assert names == ["a", "b"]
    assert by_name == [created[2]]
    assert client.jobs.get(created[0]).settings.as_dict() == {"name": "b"}
    assert client.jobs.run_now(created[2]).result().state.result_state.value == "SUCCESS"  # no tasks


def test_workspace_paths_with_and_without_the_workspace_prefix_are_one_object(twin: FakeWorkspace) -> None:
    client = workspace_client(twin)
    client.workspace.mkdirs("/Workspace/Shared/p/files")
    client.workspace.upload("/Shared/p/files/x.txt", b"bytes", format=ImportFormat.AUTO)

    assert client.workspace.get_status("/Workspace/Shared/p/files/x.txt").size == 5
    assert twin.workspace_files == {"/Shared/p/files/x.txt": b"bytes"}
    with pytest.raises(ResourceAlreadyExists):
        client.workspace.upload("/Workspace/Shared/p/files/x.txt", b"again", format=ImportFormat.AUTO)


def test_a_file_needs_its_folder_and_a_folder_cannot_replace_a_file(twin: FakeWorkspace) -> None:
    client = workspace_client(twin)

    with pytest.raises(NotFound, match="Parent directory /Shared/nowhere does not exist"):
        client.workspace.upload("/Shared/nowhere/x.whl", b"x", format=ImportFormat.AUTO)
    client.workspace.mkdirs("/Shared/p")
    client.workspace.upload("/Shared/p/x", b"x", format=ImportFormat.AUTO)
    with pytest.raises(ResourceAlreadyExists):
        client.workspace.mkdirs("/Shared/p/x/inside")


def test_an_experiment_and_a_folder_cannot_share_a_path(twin: FakeWorkspace) -> None:
    client = workspace_client(twin)
    client.workspace.mkdirs("/Shared/p/wheels")
    twin.tree.create("/Shared/p/experiments", EXPERIMENT)

    with pytest.raises(ResourceAlreadyExists, match="already exists"):
        client.workspace.mkdirs("/Workspace/Shared/p/experiments/staging")
    with pytest.raises(Exception, match="already exists"):
        twin.tree.create("/Shared/p/wheels", EXPERIMENT)


def test_volumes_need_their_schema_and_files_need_their_volume(twin: FakeWorkspace) -> None:
    client = workspace_client(twin)

    with pytest.raises(NotFound, match=f"Schema '{CATALOG}.s' does not exist"):
        client.volumes.create(CATALOG, "s", "landing", VolumeType.MANAGED)
    with pytest.raises(NotFound, match="Catalog 'other' does not exist"):
        client.schemas.create("s", "other")
    client.schemas.create("s", CATALOG)
    with pytest.raises(NotFound, match=f"Volume '{CATALOG}.s.landing' does not exist"):
        client.files.upload(f"/Volumes/{CATALOG}/s/landing/a.csv", io.BytesIO(b"a"))
    client.volumes.create(CATALOG, "s", "landing", VolumeType.MANAGED)
    with pytest.raises(ResourceConflict):
        client.volumes.create(CATALOG, "s", "landing", VolumeType.MANAGED)


def test_volume_files_round_trip_and_are_the_files_jobs_read(twin: FakeWorkspace) -> None:
    client = workspace_client(twin)
    client.schemas.create("s", CATALOG)
    client.volumes.create(CATALOG, "s", "landing", VolumeType.MANAGED)
    path = f"/Volumes/{CATALOG}/s/landing/events/a.csv"

    client.files.upload(path, io.BytesIO(b"id\n1\n"), overwrite=False)

    assert client.files.download(path).contents.read() == b"id\n1\n"
    assert twin.volume_path(path) == twin.root / "Volumes" / CATALOG / "s" / "landing" / "events" / "a.csv"
    assert [
        entry.name for entry in client.files.list_directory_contents(f"/Volumes/{CATALOG}/s/landing/events")
    ] == ["a.csv"]
    with pytest.raises(ResourceConflict):
        client.files.upload(path, io.BytesIO(b"other"), overwrite=False)


def test_secret_scopes_hold_secrets_that_dbutils_reads(twin: FakeWorkspace) -> None:
    client = workspace_client(twin)
    client.secrets.create_scope("p-staging")
    client.secrets.put_secret("p-staging", "hook", string_value="https://hooks.example.com/x")

    assert client.dbutils.secrets.get("p-staging", "hook") == "https://hooks.example.com/x"
    assert [secret.key for secret in client.secrets.list_secrets("p-staging")] == ["hook"]
    with pytest.raises(ResourceAlreadyExists):
        client.secrets.create_scope("p-staging")
    with pytest.raises(NotFound):
        client.dbutils.secrets.get("p-staging", "missing")


def test_a_throttled_call_is_retried_after_retry_after(twin: FakeWorkspace) -> None:
    client = workspace_client(twin)
    twin.fail("GET", "/api/2.2/jobs/list", 429, times=1, retry_after=0)

    assert list(client.jobs.list()) == []
    assert len(twin.calls_to("GET", "/api/2.2/jobs/list")) == 2


def test_a_persistent_server_error_is_raised(twin: FakeWorkspace) -> None:
    client = workspace_client(twin)
    twin.fail("GET", "/api/2.2/jobs/list", 500, times=None, message="workspace is broken")

    with pytest.raises(InternalError, match="workspace is broken"):
        list(client.jobs.list())
    assert twin.writes() == []


def test_routes_are_additive_and_replaceable(twin: FakeWorkspace) -> None:
    client = workspace_client(twin)
    twin.add_route(
        "GET", "/api/2.0/serving-endpoints/{name}", lambda request: {"name": request.params["name"]}
    )

    assert client.api_client.do("GET", "/api/2.0/serving-endpoints/churn") == {"name": "churn"}
