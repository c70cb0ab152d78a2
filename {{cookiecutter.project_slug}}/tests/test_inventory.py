import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import cli
from {{ cookiecutter.package_name }}.config import load_config
from {{ cookiecutter.package_name }}.tables import append_to_table


def test_tables_lists_existing_tables_with_rows_and_versions(
    spark, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path))
    labels = load_config("local").table("labels")
    rows = spark.createDataFrame([("C1", 1), ("C2", 0), ("C3", 1)], "customer_id string, churned int")
    append_to_table(rows, labels)
    append_to_table(rows.limit(1), labels)

    assert cli.main(["tables", "--json"]) == 0

    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["tables"] == {"labels": {"rows": 4, "version": 1, "identifier": labels.identifier}}
