"""The retraining trigger: the decision, the local chain by command name, the Databricks training job."""

import argparse
import socket

import pytest

from {{ cookiecutter.package_name }} import cli
from {{ cookiecutter.package_name }}.commands import Command, Context
from {{ cookiecutter.package_name }}.config import PROJECT_SLUG, load_config
from {{ cookiecutter.package_name }}.deployment.jobs import job_name
from {{ cookiecutter.package_name }}.errors import GateRejectedError, LifecycleError
from {{ cookiecutter.package_name }}.monitoring.assess import MetricResult
from {{ cookiecutter.package_name }}.monitoring.retrain import (
    RetrainDecision,
    decide_retraining,
    run_training_job,
    trigger_retraining,
    workspace_client,
)

from fake_workspace import FAKE_TOKEN, FakeWorkspace
from fake_workspace import workspace_client as fake_client


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
            calls.append(f"{name} --env {args.env}")
            if reject and name == "validate":
                raise GateRejectedError("auc 0.60 < min_auc 0.70")
            return {"ran": name}

        return run

    return [Command(name, f"fake {name}", runner(name)) for name in ("promote", "train", "validate")]


@pytest.fixture
def local_context(tmp_path) -> Context:
    return Context(load_config("local", home=tmp_path))


def test_locally_train_validate_promote_run_in_order(local_context, monkeypatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(cli, "REGISTERED", _fake_commands(calls))

    outcome = trigger_retraining(local_context)

    assert calls == ["train --env local", "validate --env local", "promote --env local"]
    assert outcome["mode"] == "local" and outcome["outcome"] == "promoted"
    assert [outcome["steps"][name]["ran"] for name in ("train", "validate", "promote")] == [
        "train",
        "validate",
        "promote",
    ]


def test_a_gate_rejection_stops_before_promote(local_context, monkeypatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(cli, "REGISTERED", _fake_commands(calls, reject=True))

    outcome = trigger_retraining(local_context)

    assert calls == ["train --env local", "validate --env local"]
    assert outcome["outcome"] == "rejected" and outcome["reason"] == "auc 0.60 < min_auc 0.70"


def test_missing_commands_are_named(local_context, monkeypatch) -> None:
    monkeypatch.setattr(cli, "REGISTERED", _fake_commands([])[1:])

    with pytest.raises(LifecycleError, match=r"command\(s\) \['promote'\] are not registered"):
        trigger_retraining(local_context)


def _deploy_training_job(workspace: FakeWorkspace, target: str) -> int:
    client = fake_client(workspace)
    client.jobs.create(name=job_name("monitoring", target))  # another job of the project
    job_id = client.jobs.create(name=job_name("training", target)).job_id
    workspace.reset_calls()
    return job_id


def test_on_databricks_the_training_job_is_started(fake_workspace: FakeWorkspace, monkeypatch) -> None:
    job_id = _deploy_training_job(fake_workspace, "staging")
    monkeypatch.setenv("DATABRICKS_HOST", fake_workspace.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", FAKE_TOKEN)
    context = Context(load_config("staging"))

    outcome = trigger_retraining(context, idempotency_token="retrain-2026-04-24_2026-05-01")

    run_id = outcome["run_id"]
    assert outcome == {
        "mode": "databricks",
        "job_name": f"{PROJECT_SLUG}-staging-training",
        "job_id": job_id,
        "run_id": run_id,
    }
    assert fake_workspace.runs[run_id]["job_id"] == job_id
    [listing] = fake_workspace.calls_to("GET", "/api/2.2/jobs/list")
    assert listing.query["name"] == f"{PROJECT_SLUG}-staging-training"
    [run_now] = fake_workspace.calls_to("POST", "/api/2.2/jobs/run-now")
    assert run_now.json == {"job_id": job_id, "idempotency_token": "retrain-2026-04-24_2026-05-01"}


def test_a_missing_job_says_to_deploy(fake_workspace: FakeWorkspace) -> None:
    client = workspace_client(host=fake_workspace.url, token=FAKE_TOKEN)

    with pytest.raises(LifecycleError, match=f"no Databricks job named '{PROJECT_SLUG}-prod-training'"):
        run_training_job(client, job_name("training", "prod"))
    assert fake_workspace.writes() == []


def test_a_broken_workspace_is_a_clear_error(fake_workspace: FakeWorkspace) -> None:
    _deploy_training_job(fake_workspace, "prod")
    fake_workspace.fail("POST", "/api/2.2/jobs/run-now", 500, times=None, message="workspace is broken")
    client = workspace_client(host=fake_workspace.url, token=FAKE_TOKEN, retry_timeout_seconds=5)

    with pytest.raises(LifecycleError, match=r"could not start the training job .*workspace is broken"):
        run_training_job(client, job_name("training", "prod"))


def test_an_unreachable_workspace_fails_within_the_retry_timeout(monkeypatch) -> None:
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", "/dev/null")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = workspace_client(host=f"http://127.0.0.1:{port}", token=FAKE_TOKEN, retry_timeout_seconds=1)

    with pytest.raises(
        LifecycleError, match=f"could not start the training job .* on http://127.0.0.1:{port}"
    ):
        run_training_job(client, job_name("training", "prod"))
