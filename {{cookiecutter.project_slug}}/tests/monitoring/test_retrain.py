"""The retraining trigger: the decision, the local chain by command name, the Databricks training job."""

import argparse

import pytest

from {{ cookiecutter.package_name }}.commands import Command, Context
from {{ cookiecutter.package_name }}.config import PROJECT_SLUG, load_config
from {{ cookiecutter.package_name }}.deployment.jobs import job_name
from {{ cookiecutter.package_name }}.errors import GateRejectedError, LifecycleError
from {{ cookiecutter.package_name }}.monitoring.assess import MetricResult
from {{ cookiecutter.package_name }}.monitoring.retrain import (
    RetrainDecision,
    decide_retraining,
    trigger_retraining,
)
from {{ cookiecutter.package_name }}.workspace import WorkspaceError

from fake_workspace import FAKE_TOKEN, FakeWorkspace, workspace_client


def _result(feature: str, status: str) -> MetricResult:
    return MetricResult(feature, "psi", 0.3, 0.25, status)


def test_retrain_only_on_alerts() -> None:
    assert decide_retraining([_result("a", "warn"), _result("b", "ok")]) == RetrainDecision(
        False, "no alerts"
    )
    many = [_result(name, "alert") for name in "abcdefg"]
    assert decide_retraining(many) == RetrainDecision(
        True, "7 alert(s): a psi, b psi, c psi, d psi, e psi and 2 more"
    )


def _fake_commands(calls: list[str], reject: bool = False) -> list[Command]:
    def runner(name: str):
        def run(context: Context, args: argparse.Namespace) -> dict:
            calls.append(f"{name} version={args.version}")
            if reject and name == "validate":
                raise GateRejectedError("auc 0.60 < min_auc 0.70")
            return {"ran": name, "model_version": "7"}

        return run

    def version_argument(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--version")

    return [
        Command(name, f"fake {name}", runner(name), add_arguments=version_argument)
        for name in ("promote", "train", "validate")
    ]


def _local_context(tmp_path, commands: list[Command]) -> Context:
    """A context as the CLI makes it: these commands registered (stand-ins for the model stages')."""
    return Context(load_config("local", home=tmp_path), commands={c.name: c for c in commands})


def test_locally_train_validate_promote_run_in_order_on_the_trained_version(tmp_path) -> None:
    calls: list[str] = []

    outcome = trigger_retraining(_local_context(tmp_path, _fake_commands(calls)), "2026-04-24_2026-05-01")

    assert calls == ["train version=None", "validate version=7", "promote version=7"]
    assert outcome["mode"] == "local" and outcome["outcome"] == "promoted"
    assert [outcome["steps"][name]["ran"] for name in ("train", "validate", "promote")] == [
        "train",
        "validate",
        "promote",
    ]


def test_a_gate_rejection_stops_before_promote(tmp_path) -> None:
    calls: list[str] = []

    outcome = trigger_retraining(_local_context(tmp_path, _fake_commands(calls, reject=True)), "w")

    assert calls == ["train version=None", "validate version=7"]
    assert outcome["outcome"] == "rejected" and outcome["reason"] == "auc 0.60 < min_auc 0.70"
    assert list(outcome["steps"]) == ["train"]


def test_missing_commands_are_named(tmp_path) -> None:
    with pytest.raises(LifecycleError, match=r"command\(s\) \['promote'\] are not registered"):
        trigger_retraining(_local_context(tmp_path, _fake_commands([])[1:]), "w")


def _deploy_training_job(workspace: FakeWorkspace, target: str, tags: dict | None = None) -> int:
    client = workspace_client(workspace)
    ours = {"project": PROJECT_SLUG, "target": target} if tags is None else tags
    client.jobs.create(name=job_name("monitoring", target), tags=ours)  # another job of the project
    job_id = client.jobs.create(name=job_name("training", target), tags=ours).job_id
    workspace.reset_calls()
    return job_id


@pytest.fixture
def staging(fake_workspace: FakeWorkspace, monkeypatch: pytest.MonkeyPatch) -> Context:
    monkeypatch.setenv("DATABRICKS_HOST", fake_workspace.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", FAKE_TOKEN)
    return Context(load_config("staging", on_databricks=False))


def test_in_a_workspace_environment_the_training_job_of_that_target_is_started(
    fake_workspace: FakeWorkspace, staging: Context
) -> None:
    job_id = _deploy_training_job(fake_workspace, "staging")

    outcome = trigger_retraining(staging, "2026-04-24_2026-05-01")

    run_id = outcome["run_id"]
    assert outcome == {
        "mode": "databricks",
        "job": f"{PROJECT_SLUG}-staging-training",
        "job_id": job_id,
        "run_id": run_id,
    }
    assert fake_workspace.runs[run_id]["job_id"] == job_id
    [listing] = fake_workspace.calls_to("GET", "/api/2.2/jobs/list")
    assert listing.query["name"] == f"{PROJECT_SLUG}-staging-training"
    [run_now] = fake_workspace.calls_to("POST", "/api/2.2/jobs/run-now")
    assert run_now.json == {"job_id": job_id, "idempotency_token": "retrain-staging-2026-04-24_2026-05-01"}


def test_the_same_window_starts_one_run_and_the_token_is_per_target(
    fake_workspace: FakeWorkspace, staging: Context
) -> None:
    _deploy_training_job(fake_workspace, "staging")

    first = trigger_retraining(staging, "w1")
    again = trigger_retraining(staging, "w1")

    assert first["run_id"] == again["run_id"]
    assert len(fake_workspace.runs) == 1


def test_a_same_named_job_of_another_project_or_target_is_not_started(
    fake_workspace: FakeWorkspace, staging: Context
) -> None:
    _deploy_training_job(fake_workspace, "staging", tags={"project": "someone-else", "target": "staging"})

    with pytest.raises(
        WorkspaceError, match=f"expected one job named '{PROJECT_SLUG}-staging-training' tagged"
    ):
        trigger_retraining(staging, "w")
    assert fake_workspace.writes() == []


def test_a_broken_workspace_is_a_clear_error(fake_workspace: FakeWorkspace, staging: Context) -> None:
    _deploy_training_job(fake_workspace, "staging")
    fake_workspace.fail("POST", "/api/2.2/jobs/run-now", 500, times=None, message="workspace is broken")

    with pytest.raises(WorkspaceError, match=r"starting job training failed .*workspace is broken"):
        trigger_retraining(staging, "w")
