"""deploy-jobs keeps a Databricks data-quality monitor on the inference log (the SDK's `data_quality`).

Against the twin with the real SDK: the monitor waits for the table, is created once, left alone when
it matches, updated only in the fields that differ, and a monitor someone else made meanwhile is taken
over instead of failing the deployment.
"""

import json
from pathlib import Path

import pytest
from databricks.sdk.errors import NotFound, ResourceAlreadyExists
from databricks.sdk.service.dataquality import Monitor

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.config import load_config
from {{ cookiecutter.package_name }}.deployment.deployer import apply_plan, plan_deployment
from {{ cookiecutter.package_name }}.deployment.jobs import DEPLOY_TARGETS
from {{ cookiecutter.package_name }}.deployment.quality_monitor import CONFIG, profiling_config

from fake_workspace import FakeWorkspace, workspace_client

TARGET = "staging"
MONITORS = "/api/data-quality/v1/monitors"


@pytest.fixture
def deploy(fake_workspace: FakeWorkspace, wheel: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-test")

    def run() -> tuple[dict, list[str]]:
        capsys.readouterr()
        argv = ["deploy-jobs", "--target", TARGET, "--host", fake_workspace.url, "--wheel", str(wheel)]
        code = main([*argv, "--json"])
        out, _ = capsys.readouterr()
        assert code == 0, out
        return json.loads(out.strip().splitlines()[-1]), out.splitlines()

    return run


def _score_once(twin: FakeWorkspace) -> str:
    """What the first batch-inference run leaves: the inference log as a Delta table (its log folder)."""
    config = load_config(TARGET, on_databricks=True)
    (twin.root / "warehouse" / config.catalog / config.schema / "inference_log" / "_delta_log").mkdir(
        parents=True
    )
    return config.table("inference_log").identifier


def _monitor(twin: FakeWorkspace) -> dict:
    (monitor,) = twin.data_quality.monitors.values()
    return monitor


@pytest.mark.parametrize("target", DEPLOY_TARGETS)
def test_the_monitor_spec_survives_the_sdk_and_only_prod_runs_on_schedule(target: str) -> None:
    monitor = {"object_type": "table", "object_id": "t-1", CONFIG: profiling_config(target, "s-1")}

    assert Monitor.from_dict(monitor).as_dict() == monitor
    paused = monitor[CONFIG]["schedule"]["pause_status"]
    assert paused == f"CRON_SCHEDULE_PAUSE_STATUS_{'UNPAUSED' if target == 'prod' else 'PAUSED'}"


def test_the_monitor_waits_for_the_table_then_is_created_once(fake_workspace: FakeWorkspace, deploy) -> None:
    summary, out = deploy()
    assert summary["quality_monitor"] == "waiting"
    assert any(line.startswith("  waiting    data-quality monitor on ") for line in out)
    assert fake_workspace.data_quality.monitors == {}

    table = _score_once(fake_workspace)
    fake_workspace.reset_calls()
    summary, _ = deploy()

    assert summary["quality_monitor"] == "create"
    (sent,) = [call.json for call in fake_workspace.calls_to("POST", MONITORS)]
    config = sent[CONFIG]
    assert config["inference_log"] == {
        "problem_type": "INFERENCE_PROBLEM_TYPE_CLASSIFICATION",
        "timestamp_column": "scored_at",
        "granularities": ["AGGREGATION_GRANULARITY_1_DAY"],
        "prediction_column": "predicted_label",
        "model_id_column": "model_version",
    }
    assert config["slicing_exprs"] == ["main_channel_30d"]
    assert _monitor(fake_workspace)[CONFIG]["monitored_table_name"] == table

    fake_workspace.reset_calls()
    summary, _ = deploy()
    assert (summary["quality_monitor"], fake_workspace.writes()) == ("unchanged", [])


def test_a_changed_monitor_is_updated_in_the_differing_fields_only(
    fake_workspace: FakeWorkspace, deploy
) -> None:
    deploy()  # the schema exists from here on; the monitor waits for the table
    _score_once(fake_workspace)
    deploy()
    stored = _monitor(fake_workspace)[CONFIG]
    stored["schedule"]["pause_status"] = "CRON_SCHEDULE_PAUSE_STATUS_UNPAUSED"
    stored["slicing_exprs"] = ["someone_elses_column"]
    dashboard = stored["dashboard_id"]
    fake_workspace.reset_calls()

    summary, out = deploy()

    assert summary["quality_monitor"] == "update"
    (patch,) = fake_workspace.calls_to("PATCH", f"{MONITORS}/table/{_monitor(fake_workspace)['object_id']}")
    assert patch.query["update_mask"] == "data_profiling_config.slicing_exprs,data_profiling_config.schedule"
    stored = _monitor(fake_workspace)[CONFIG]
    paused = stored["schedule"]["pause_status"]
    assert (stored["slicing_exprs"], paused) == (["main_channel_30d"], "CRON_SCHEDULE_PAUSE_STATUS_PAUSED")
    assert (stored["dashboard_id"], stored["monitor_version"]) == (dashboard, 2)
    assert any("(slicing_exprs, schedule)" in line for line in out)


def _deployed_and_scored(twin: FakeWorkspace, wheel: Path):
    """A client on a twin where the project is deployed (no monitor yet) and has scored once."""
    client = workspace_client(twin)
    apply_plan(client, plan_deployment(client, TARGET, wheel))
    _score_once(twin)
    return client


def test_a_monitor_created_meanwhile_is_taken_over(fake_workspace: FakeWorkspace, wheel: Path) -> None:
    client = _deployed_and_scored(fake_workspace, wheel)
    plan = plan_deployment(client, TARGET, wheel)
    assert plan.monitor is not None and plan.monitor.action == "create"
    theirs = {**plan.monitor.monitor, CONFIG: {**plan.monitor.monitor[CONFIG], "slicing_exprs": []}}
    client.data_quality.create_monitor(Monitor.from_dict(theirs))

    apply_plan(client, plan)

    assert _monitor(fake_workspace)[CONFIG]["slicing_exprs"] == ["main_channel_30d"]


def test_the_twin_answers_monitor_calls_as_the_sdk_describes(
    fake_workspace: FakeWorkspace, wheel: Path
) -> None:
    client = _deployed_and_scored(fake_workspace, wheel)
    apply_plan(client, plan_deployment(client, TARGET, wheel))
    monitor = Monitor.from_dict(_monitor(fake_workspace))

    with pytest.raises(ResourceAlreadyExists):
        client.data_quality.create_monitor(monitor)
    with pytest.raises(NotFound):
        client.data_quality.get_monitor("table", "no-such-table-id")
    client.data_quality.delete_monitor("table", monitor.object_id)
    with pytest.raises(NotFound):
        client.data_quality.get_monitor("table", monitor.object_id)
