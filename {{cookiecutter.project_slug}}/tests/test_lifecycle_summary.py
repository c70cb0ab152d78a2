"""run-all's readable summary, from a run's summary dict."""

from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.package_name }}.config import load_config
from {{ cookiecutter.package_name }}.lifecycle_summary import render

STEPS = {
    "generate-data": {"events": 20000, "labels": 900, "start": "2026-01-01", "seconds": 1.2},
    "ingest": {
        "events_rows_in": 20000,
        "events_accepted": 19990,
        "events_quarantined": 10,
        "events_duplicates": 0,
        "seconds": 20.5,
    },
    "features": {"feature_rows": 300, "training_rows": 900, "seconds": 7.0},
    "train": {
        "model_name": "m",
        "model_version": 2,
        "validation_auc": 0.8,
        "test_auc": 0.79,
        "test_log_loss": 0.5,
        "seconds": 5.0,
    },
    "validate": {"passed": True, "holdout_auc": 0.78, "checks": {"min_auc": True}, "seconds": 0.5},
    "promote": {"message": "version 2 is the champion", "champion_version": 2, "seconds": 1.0},
    "score": {"skipped": True},
    "monitor": {
        "metrics": 40,
        "alerts": 1,
        "alerting": ["amount_30d"],
        "report": "/h/reports/index.html",
        "mlflow_run": "http://127.0.0.1:5000/#/experiments/1/runs/r1",
        "seconds": 6.0,
    },
}
TABLES = {"bronze_events": {"rows": 19990, "version": 3}}


def test_the_summary_says_what_each_step_did_and_where_to_look(tmp_path: Path) -> None:
    config = load_config("local", home=tmp_path)

    text = render({"steps": STEPS, "seconds": 41.2, "tables": TABLES}, config)

    lines = text.splitlines()
    assert lines[0] == "Lifecycle"
    assert "  generate-data     1.2 s  20000 events, 900 labels from 2026-01-01" in lines
    assert (
        "  ingest           20.5 s  20000 rows in = 19990 accepted + 10 quarantined + 0 duplicates" in lines
    )
    assert "  score             0.0 s  skipped (nothing to do)" in lines
    assert "  bronze_events            19990  v3" in lines
    assert "Gate: passed (min_auc ok); champion is now version 2" in lines
    assert "Drift: 1 alerts (alerting: amount_30d); quality None" in lines
    assert "Report: /h/reports/index.html" in lines
    assert (
        "MLflow run of the monitor (metrics, the report): http://127.0.0.1:5000/#/experiments/1/runs/r1"
        in lines
    )
    assert any(
        line.endswith(f"-m mlflow ui --host 127.0.0.1 --port 5000 --backend-store-uri {config.tracking_uri}")
        for line in lines
    )
    assert lines[-1] == "Total: 41.2 s"


def test_steps_that_were_skipped_add_no_outcome_lines(tmp_path: Path) -> None:
    skipped = {name: {"skipped": True} for name in STEPS}

    text = render({"steps": skipped, "seconds": 3.0, "tables": {}}, load_config("local", home=tmp_path))

    assert "Model:" not in text and "Gate:" not in text and "Drift:" not in text
