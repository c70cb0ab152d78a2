"""`validate` through the CLI on a hand-made training_set table: pass -> @challenger, a worse model is
rejected with exit code 3 and the aliases stay where they were."""

from __future__ import annotations

import dataclasses
import json
from argparse import Namespace
from pathlib import Path

import pytest
from mlflow import MlflowClient

from {{ cookiecutter.package_name }} import cli
from {{ cookiecutter.package_name }}.commands import Context
from {{ cookiecutter.package_name }}.config import GateThresholds, load_config
from {{ cookiecutter.package_name }}.errors import GateRejectedError
from {{ cookiecutter.package_name }}.features.spec import LABEL_COLUMN
from {{ cookiecutter.package_name }}.tables import overwrite_table, table_version
from {{ cookiecutter.package_name }}.training.train import train_and_register
from {{ cookiecutter.package_name }}.validation.commands import COMMANDS

from model_helpers import synthetic_training_set, training_set_frame


@pytest.fixture
def lakehouse(spark, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A lakehouse home with a training_set table and a champion (version 1) trained on it."""
    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path))
    config = load_config("local")
    overwrite_table(training_set_frame(spark, synthetic_training_set()), config.table("training_set"))
    assert cli.main(["train"]) == 0
    assert cli.main(["validate"]) == 0
    assert cli.main(["promote"]) == 0
    return config


def _lineage(spark, config) -> dict[str, str]:
    """Lineage of the real table, so validate judges the model on the real holdout labels."""
    return {
        "git_commit": "test",
        "training_table": config.table("training_set").identifier,
        "training_table_version": str(table_version(spark, config.table("training_set"))),
        "feature_tables": "test",
    }


def _last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_the_first_version_passes_on_thresholds_and_is_recorded(lakehouse, capsys) -> None:
    client = MlflowClient()
    version = client.get_model_version(lakehouse.model_name, "1")

    assert client.get_registered_model(lakehouse.model_name).aliases == {"challenger": 1, "champion": 1}
    assert version.tags["gate_status"] == "passed"
    assert version.tags["gate_champion_version"] == "none"
    assert version.description.startswith("gate passed for version 1 (no champion yet): auc 0.")
    gate_run = client.get_run(version.tags["gate_run_id"])
    assert gate_run.data.tags["gate_status"] == "passed"
    assert gate_run.data.metrics["candidate_auc"] == pytest.approx(
        float(version.tags["holdout_auc"]), abs=1e-6
    )


def test_a_model_trained_on_shuffled_labels_is_rejected_and_the_champion_stays(
    lakehouse, spark, capsys
) -> None:
    shuffled = synthetic_training_set(shuffle_labels=True)
    train_and_register(lakehouse, shuffled, _lineage(spark, lakehouse))
    capsys.readouterr()

    code = cli.main(["validate", "--json"])

    summary = _last_json(capsys)
    client = MlflowClient()
    assert code == 3
    assert summary["status"] == "failed"
    # Labels independent of the features leave predictions near the base rate: log loss gives it away
    # (its AUC is luck: the synthetic signal is one dominant feature, whose sign a noise fit may guess).
    assert f"model version 2 of {lakehouse.model_name} rejected by the gate: " in summary["error"]
    assert f"is above the maximum {lakehouse.gate.max_log_loss:.4f} by" in summary["error"]
    assert "Aliases unchanged (@champion stays on version 1)" in summary["error"]
    assert client.get_registered_model(lakehouse.model_name).aliases == {"challenger": 1, "champion": 1}
    assert client.get_model_version(lakehouse.model_name, "2").tags["gate_status"] == "rejected"
    assert client.get_model_version(lakehouse.model_name, "2").tags["gate_champion_version"] == "1"
    assert cli.main(["promote"]) == 0  # the champion stays: promote is a no-op
    assert client.get_registered_model(lakehouse.model_name).aliases == {"challenger": 1, "champion": 1}


def test_a_model_worse_than_the_champion_beyond_the_tolerance_is_rejected(lakehouse, spark) -> None:
    noisy = synthetic_training_set()
    flipped = noisy.sample(frac=0.35, random_state=1).index
    noisy.loc[flipped, LABEL_COLUMN] = 1 - noisy.loc[flipped, LABEL_COLUMN]
    train_and_register(lakehouse, noisy, _lineage(spark, lakehouse))
    lenient = dataclasses.replace(
        lakehouse, gate=GateThresholds(min_auc=0.5, max_log_loss=5.0, max_auc_drop_vs_champion=0.01)
    )
    (validate,) = COMMANDS

    with pytest.raises(
        GateRejectedError,
        match=r"below champion version 1 \(0\.\d{4}\); the allowed drop is 0\.0100, exceeded by",
    ):
        validate.run(Context(lenient), Namespace(version=None, job_run_id=None, report_only=False))

    assert MlflowClient().get_registered_model(lakehouse.model_name).aliases == {
        "challenger": 1,
        "champion": 1,
    }


def test_report_only_records_without_moving_aliases(lakehouse, spark, capsys) -> None:
    train_and_register(lakehouse, synthetic_training_set(shuffle_labels=True), _lineage(spark, lakehouse))
    capsys.readouterr()

    assert cli.main(["validate", "--report-only", "--json"]) == 0

    summary = _last_json(capsys)
    assert summary["passed"] is False and summary["alias_set"] is None
    assert summary["checks"]["max_log_loss"] is False
    assert MlflowClient().get_model_version(lakehouse.model_name, "2").tags["gate_status"] == "rejected"
    assert MlflowClient().get_registered_model(lakehouse.model_name).aliases == {
        "challenger": 1,
        "champion": 1,
    }


def test_with_a_job_run_id_the_version_of_that_run_is_judged_not_the_newest(spark, lakehouse, capsys) -> None:
    from {{ cookiecutter.package_name }}.contracts.model import JOB_RUN_ID_TAG

    client = MlflowClient()
    training_set = synthetic_training_set()
    for run_id in ("101", "102"):  # two training runs of the job; 102 registered after 101
        train_and_register(lakehouse, training_set, {**_lineage(spark, lakehouse), JOB_RUN_ID_TAG: run_id})
    capsys.readouterr()

    code = cli.main(["validate", "--job-run-id", "101", "--json"])

    summary = _last_json(capsys)
    assert code == 0
    assert summary["model_version"] == "2"
    assert client.get_model_version(lakehouse.model_name, "2").tags[JOB_RUN_ID_TAG] == "101"
    assert client.get_registered_model(lakehouse.model_name).aliases["challenger"] == 2


def test_an_unknown_version_or_job_run_is_a_usage_error_that_names_what_exists(lakehouse, capsys) -> None:
    name = lakehouse.model_name
    for command in ("validate", "promote"):
        assert cli.main([command, "--version", "999"]) == 2
        err = capsys.readouterr().err
        assert f"--version 999: model {name} has no such version; its versions: 1" in err
        assert cli.main([command, "--job-run-id", "404"]) == 2
        err += capsys.readouterr().err
        assert f"--job-run-id 404: no version of {name} was registered by that job run" in err
        assert "job runs that registered one: none" in err
        assert "Traceback" not in err
