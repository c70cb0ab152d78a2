"""`run-all` runs generate-data, ingest and features; reruns of ingest + features change nothing."""

import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import cli
from {{ cookiecutter.package_name }}.config import load_config
from {{ cookiecutter.package_name }}.features import build as feature_build
from {{ cookiecutter.package_name }}.tables import read_table


def _last_json_line(capsys: pytest.CaptureFixture) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _content(spark, config, short_name: str) -> list:
    return sorted(read_table(spark, config.table(short_name)).collect())


@pytest.mark.integration  # five lifecycle commands end to end
def test_run_all_then_two_reruns_of_ingest_and_features_leave_identical_tables(
    spark, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    lifecycle = cli.LIFECYCLE
    assert lifecycle.index("generate-data") < lifecycle.index("ingest") < lifecycle.index("features")
    # Only the steps of this stage: later stages have their own tests.
    monkeypatch.setattr(cli, "LIFECYCLE", ("generate-data", "ingest", "features"))
    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path))
    config = load_config("local")
    tables = ("bronze_events", "labels", "customer_features", "training_set")
    # The feature table's key is declared on every run (a no-op locally, SQL on Unity Catalog), so a
    # run that failed before declaring it cannot leave the table without it.
    declared: list[str] = []
    monkeypatch.setattr(
        feature_build,
        "declare_primary_key",
        lambda spark, table, *args, **kwargs: declared.append(table.short_name),
    )

    assert cli.main(["run-all", "--rows", "400", "--json"]) == 0
    steps = _last_json_line(capsys)["steps"]
    snapshots = [{name: _content(spark, config, name) for name in tables}]
    reruns = []
    for _ in range(2):
        assert cli.main(["ingest", "--json"]) == 0
        ingest = _last_json_line(capsys)
        assert cli.main(["features", "--json"]) == 0
        reruns.append((ingest, _last_json_line(capsys)))
        snapshots.append({name: _content(spark, config, name) for name in tables})

    generated, ingest, features = steps["generate-data"], steps["ingest"], steps["features"]
    assert (ingest["events_rows_in"], ingest["events_accepted"]) == (generated["events"], generated["events"])
    assert (ingest["events_quarantined"], ingest["events_duplicates"]) == (0, 0)
    assert (ingest["labels_rows_in"], ingest["labels_accepted"]) == (generated["labels"], generated["labels"])
    assert features["labels"] == generated["labels"]
    assert features["training_rows"] + features["labels_without_history"] == features["labels"]
    assert features["training_rows"] > 0 and features["feature_rows"] == features["feature_rows_inserted"]
    assert len(snapshots[0]["bronze_events"]) == generated["events"]
    for ingest_again, features_again in reruns:
        assert ingest_again["events_rows_in"] == 0 and ingest_again["labels_rows_in"] == 0
        assert features_again["feature_rows_inserted"] == 0 and features_again["feature_rows_updated"] == 0
        assert features_again["training_rows"] == features["training_rows"]
    assert snapshots[1] == snapshots[0] and snapshots[2] == snapshots[0]
    assert declared == ["customer_features"] * 3
