"""The whole local lifecycle in-process through cli.main, on the test session's Spark:
generate-data -> ingest -> features -> train -> validate -> promote -> score, then a rerun of score,
a second model version, promotion and rollback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlflow import MlflowClient
from pyspark.sql import functions as F

from {{ cookiecutter.package_name }} import cli
from {{ cookiecutter.package_name }}.config import load_config
from {{ cookiecutter.package_name }}.inference.schema import INFERENCE_LOG_COLUMNS, PREDICTIONS_COLUMNS
from {{ cookiecutter.package_name }}.tables import read_table

pytestmark = pytest.mark.integration


def _run(capsys, *argv: str) -> dict:
    code = cli.main([*argv, "--json"])
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0, summary
    return summary


def test_the_local_lifecycle_end_to_end(
    spark, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path))
    config = load_config("local")

    _run(capsys, "generate-data", "--rows", "20000")
    _run(capsys, "ingest")
    _run(capsys, "features")
    trained = _run(capsys, "train")
    validated = _run(capsys, "validate")
    promoted = _run(capsys, "promote")
    scored = _run(capsys, "score")

    assert trained["model_version"] == "1" and trained["test_auc"] >= config.gate.min_auc
    assert validated["passed"] is True and validated["alias_set"] == "challenger"
    assert promoted["champion_version"] == "1" and promoted["changed"] is True
    customers = read_table(spark, config.table("customer_features")).select("customer_id").distinct().count()
    predictions = read_table(spark, config.table("predictions"))
    log = read_table(spark, config.table("inference_log"))
    assert predictions.columns == list(PREDICTIONS_COLUMNS)
    assert log.columns == list(INFERENCE_LOG_COLUMNS)
    assert scored["scored_rows"] == customers == predictions.count() == log.count()
    assert predictions.where(~F.col("prediction").between(0, 1)).count() == 0
    assert {row.model_version for row in predictions.select("model_version").distinct().collect()} == {"1"}

    rescored = _run(capsys, "score")
    assert rescored["scoring_date"] == scored["scoring_date"]
    assert (rescored["predictions_inserted"], rescored["predictions_updated"]) == (0, customers)
    assert read_table(spark, config.table("predictions")).count() == customers
    assert read_table(spark, config.table("inference_log")).count() == customers

    # A second version (same data, same seed: an equal model) passes, is promoted, then rolled back.
    assert _run(capsys, "train")["model_version"] == "2"
    assert _run(capsys, "validate")["champion_version"] == "1"
    assert _run(capsys, "promote")["champion_version"] == "2"
    rolled_back = _run(capsys, "rollback")
    assert (rolled_back["champion_version"], rolled_back["changed"]) == ("1", True)
    assert MlflowClient().get_registered_model(config.model_name).aliases == {
        "champion": 1,
        "previous_champion": 1,
    }
    assert _run(capsys, "score")["model_version"] == "1"
    assert cli.main(["promote"]) == 1  # the rolled-back version is no longer @challenger
