"""`monitor` on what the real stages produce: generate-data -> ... -> score -> monitor, then a drifted batch
(generate-data --drift 1) scored and flagged against the champion's own training-set version, and the
retraining trigger running the real train -> validate -> promote commands found by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlflow import MlflowClient

from {{ cookiecutter.package_name }} import cli
from {{ cookiecutter.package_name }}.config import load_config
from {{ cookiecutter.package_name }}.features.spec import MODEL_FEATURES
from {{ cookiecutter.package_name }}.tables import read_table, table_version

pytestmark = pytest.mark.integration


def _run(capsys, *argv: str, expected_code: int = 0) -> dict:
    code = cli.main([*argv, "--json"])
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == expected_code, summary
    return summary


def test_monitor_after_the_real_stages_and_on_drifted_data(
    spark, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path))
    monkeypatch.delenv("MONITORING_WEBHOOK_URL", raising=False)
    config = load_config("local")
    for step in ("ingest", "features", "train", "validate", "promote"):
        if step == "ingest":
            _run(capsys, "generate-data", "--rows", "20000")
        _run(capsys, step)
    _run(capsys, "score", "--as-of", "2026-04-24")
    _run(capsys, "score")  # the latest snapshot: 2026-05-01

    steady = _run(capsys, "monitor")

    champion = MlflowClient().get_model_version_by_alias(config.model_name, "champion")
    assert (steady["window_start"], steady["window_end"]) == ("2026-04-25", "2026-05-02")
    assert steady["baseline_version"] == int(champion.tags["training_table_version"])
    assert steady["alerts"] == 0, steady["alerting"]
    assert steady["quality"]["labeled_rows"] > 0
    metrics = read_table(spark, config.table("monitoring_metrics"))
    features = {row.feature for row in metrics.select("feature").distinct().collect()}
    assert features == {*MODEL_FEATURES, "prediction", "window", "model"}

    # A drifted population arrives; `features` rebuilds the training set, the champion keeps its own.
    _run(capsys, "generate-data", "--rows", "20000", "--seed", "43", "--drift", "1", "--start", "2026-05-01")
    _run(capsys, "ingest")
    _run(capsys, "features")
    _run(capsys, "score")

    drifted = _run(capsys, "monitor", "--retrain-on-alert")

    assert (
        drifted["baseline_version"]
        == steady["baseline_version"]
        < table_version(spark, config.table("training_set"))
    )
    assert {"avg_session_minutes_30d.psi", "mobile_share_30d.psi"} <= set(drifted["alerting"])
    retraining = drifted["retraining"]
    assert retraining["started"] is True and retraining["mode"] == "local"
    # The chain retrained on the rebuilt training set, the gate passed it, and it is the new champion.
    assert set(retraining["steps"]) == {"train", "validate", "promote"}
    assert retraining["outcome"] == "promoted"
    assert str(MlflowClient().get_model_version_by_alias(config.model_name, "champion").version) == "2"
