"""`monitor` end to end on local Delta tables: stored metrics, idempotent reruns, report, MLflow, alerts,
exit code 4, the webhook and the local retraining chain, the champion's baseline version, run-all.

The tables come from the data generator through the feature transforms (conftest.py); the inference
log's prediction is a fixed logistic score standing in for the model, so no model stage is needed.
"""

import argparse
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from mlflow import MlflowClient

from {{ cookiecutter.package_name }} import cli
from {{ cookiecutter.package_name }}.commands import Command, Context
from {{ cookiecutter.package_name }}.config import MODEL_BASE_NAME, load_config
from {{ cookiecutter.package_name }}.contracts.model import BASELINE_TABLE_TAG, TRAINING_VERSION_TAG
from {{ cookiecutter.package_name }}.features.spec import MODEL_FEATURES
from {{ cookiecutter.package_name }}.inference.schema import INFERENCE_LOG_COLUMNS, ddl
from {{ cookiecutter.package_name }}.monitoring.commands import COMMANDS
from {{ cookiecutter.package_name }}.tables import overwrite_table, read_table, table_version
from {{ cookiecutter.package_name }}.tracking import configure_mlflow
from {{ cookiecutter.package_name }}.training.baseline import snapshot_baseline

ROWS = 20_000
CURRENT = datetime(2026, 5, 1)
PREVIOUS = CURRENT - timedelta(days=7)
MONITOR = COMMANDS[0]
COEFFICIENTS = {
    "events_30d": -0.12,
    "purchases_30d": -0.161,
    "amount_30d": 0.0023,
    "support_contacts_30d": 0.32,
    "avg_session_minutes_30d": -0.026,
    "mobile_share_30d": -0.157,
    "days_since_last_activity": 0.0074,
}


def _scored(frame, as_of: datetime):
    """A feature snapshot as `score` logs it, with a fixed logistic score standing in for the model."""
    from pyspark.sql import functions as F

    # A logistic regression fitted once on the baseline of seed 7 (AUC ~0.77 there).
    logit = F.lit(0.82)
    for feature, weight in COEFFICIENTS.items():
        logit = logit + weight * F.coalesce(F.col(feature), F.lit(0.0))
    prediction = 1 / (1 + F.exp(-logit))
    columns = {
        "scoring_date": F.lit(as_of.date()),
        "prediction": prediction,
        "predicted_label": (prediction >= 0.5).cast("int"),
        "model_name": F.lit(MODEL_BASE_NAME),
        "model_version": F.lit("1"),
        "scored_at": F.lit(as_of + timedelta(hours=2)),
    }
    typed = frame.select("*", *[value.alias(name) for name, value in columns.items()])
    types = dict(item.split(" ") for item in ddl(INFERENCE_LOG_COLUMNS).replace("`", "").split(", "))
    return typed.select(*[F.col(name).cast(types[name]).alias(name) for name in INFERENCE_LOG_COLUMNS])


def _crown(spark, config, snapshot: bool = True) -> str:
    """Register a version trained (as its tag says) on the current training set, snapshot its baseline
    as `promote` does (unless `snapshot` is False), and make it the @champion; returns its version."""
    configure_mlflow(config)
    client = MlflowClient()
    if not client.search_registered_models(f"name = '{config.model_name}'"):
        client.create_registered_model(config.model_name)
    version = client.create_model_version(config.model_name, source=str(Path(config.state_root) / "model"))
    training_version = table_version(spark, config.table("training_set"))
    client.set_model_version_tag(
        config.model_name, version.version, TRAINING_VERSION_TAG, str(training_version)
    )
    if snapshot:
        snapshot_baseline(spark, config, client.get_model_version(config.model_name, version.version))
    client.set_registered_model_alias(config.model_name, "champion", version.version)
    return str(version.version)


def _lakehouse(spark, tmp_path_factory, generated, name: str, drift: float) -> Path:
    home = tmp_path_factory.mktemp(name)
    config = load_config("local", home=home)
    overwrite_table(generated.baseline(ROWS, seed=7), config.table("training_set"))
    log = _scored(generated.window(ROWS, 8, 0.0, as_of=PREVIOUS), PREVIOUS).unionByName(
        _scored(generated.window(ROWS, 8, drift, as_of=CURRENT), CURRENT)
    )
    overwrite_table(log, config.table("inference_log"))
    overwrite_table(generated.features(ROWS, 8, drift)[1], config.table("labels"))
    _crown(spark, config)
    return home


@pytest.fixture(scope="module")
def steady_home(spark, tmp_path_factory, generated) -> Path:
    return _lakehouse(spark, tmp_path_factory, generated, "steady", drift=0.0)


@pytest.fixture(scope="module")
def drifted_home(spark, tmp_path_factory, generated) -> Path:
    return _lakehouse(spark, tmp_path_factory, generated, "drifted", drift=1.0)


def _monitor(home: Path, monkeypatch, capsys, *extra: str) -> tuple[int, dict]:
    monkeypatch.setenv("LAKEHOUSE_HOME", str(home))
    code = cli.main(["monitor", "--json", *extra])
    return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_monitor_stores_the_window_reports_it_and_a_rerun_replaces_it(
    spark, steady_home, monkeypatch, capsys, tmp_path
) -> None:
    import mlflow
    import mlflow.artifacts

    config = load_config("local", home=steady_home)
    table = config.table("monitoring_metrics")

    code, summary = _monitor(steady_home, monkeypatch, capsys)
    first = read_table(spark, table).drop("computed_at").collect()
    rerun_code, rerun = _monitor(steady_home, monkeypatch, capsys)
    second = read_table(spark, table).drop("computed_at").collect()

    assert (code, rerun_code) == (0, 0)
    assert summary["status"] == "ok" and summary["alerts"] == 0 and summary["alerting"] == []
    assert (summary["window_start"], summary["window_end"]) == ("2026-04-25", "2026-05-02")
    assert summary["baseline_version"] == table_version(spark, config.table("training_set"))
    assert summary["champion_version"] == "1"
    assert summary["quality"]["labeled_rows"] > 0
    assert summary["retraining"] == {"started": False, "reason": "not requested"}
    # One row per (window, feature, metric), the same after the rerun.
    assert len(first) == summary["metrics"] == rerun["metrics"]
    assert sorted(first) == sorted(second)
    keys = [(row.window_start, row.window_end, row.feature, row.metric) for row in second]
    assert len(set(keys)) == len(keys)
    assert {row.window_start for row in second} == {date(2026, 4, 25)}
    assert {row.feature for row in second} == {*MODEL_FEATURES, "prediction", "window", "model"}
    window_rows = next(row.value for row in second if row.feature == "window" and row.metric == "rows")
    assert window_rows == summary["window_rows"]
    # The report names every monitored column and is logged to MLflow with its plots.
    report = Path(summary["report"])
    assert report == steady_home / "reports" / "monitoring" / "2026-04-25_2026-05-02" / "index.html"
    html = report.read_text()
    for feature in (*MODEL_FEATURES, "prediction"):
        assert f"<code>{feature}</code>" in html
    configure_mlflow(config)
    artifacts = mlflow.MlflowClient().list_artifacts(summary["mlflow_run_id"], "monitoring_report")
    assert {item.path for item in artifacts} == {
        "monitoring_report/index.html",
        "monitoring_report/drift_over_time.png",
        "monitoring_report/quality_over_time.png",
        "monitoring_report/predictions.png",
        "monitoring_report/distributions.png",
    }
    # What the MLflow UI's artifact view loads: the page alone, every image inside it.
    alone = mlflow.artifacts.download_artifacts(
        run_id=summary["mlflow_run_id"], artifact_path="monitoring_report/index.html", dst_path=str(tmp_path)
    )
    page = Path(alone).read_text()
    assert page.count('<img src="data:image/png;base64,') == page.count("<img ") == 4


def test_the_baseline_survives_the_training_set_moving_on_and_being_vacuumed(
    spark, tmp_path, generated, monkeypatch, capsys
) -> None:
    config = load_config("local", home=tmp_path)
    training = config.table("training_set")
    overwrite_table(generated.baseline(4_000, seed=7), training)
    overwrite_table(
        _scored(generated.window(4_000, 8, 0.0, as_of=CURRENT), CURRENT), config.table("inference_log")
    )
    _crown(spark, config)
    trained_on = read_table(spark, training).count()
    # The daily features job rewrites the training set; Unity Catalog vacuums old versions after 7 days.
    for _ in range(2):
        overwrite_table(read_table(spark, training).limit(50), training)
    spark.conf.set("spark.databricks.delta.retentionDurationCheck.enabled", "false")
    try:
        spark.sql(f"VACUUM {training.identifier} RETAIN 0 HOURS")
    finally:
        spark.conf.unset("spark.databricks.delta.retentionDurationCheck.enabled")

    code, summary = _monitor(tmp_path, monkeypatch, capsys)

    assert code == 0, summary
    assert summary["baseline_rows"] == trained_on > read_table(spark, training).count()
    assert summary["baseline_version"] < table_version(spark, training)


def _fake_chain(calls: list[str]) -> list[Command]:
    def runner(name: str):
        def run(context: Context, args: argparse.Namespace) -> dict:
            calls.append(name)
            return {}

        return run

    return [Command(name, name, runner(name)) for name in ("train", "validate", "promote")]


def test_drift_alerts_post_the_webhook_retrain_locally_and_exit_4(
    drifted_home, monkeypatch, capsys, webhook, webhook_address
) -> None:
    calls: list[str] = []
    # Stand-ins for the model stages' commands, looked up by name like the real ones.
    chain = _fake_chain(calls)
    others = [command for command in cli.REGISTERED if command.name not in {c.name for c in chain}]
    monkeypatch.setattr(cli, "REGISTERED", [*others, *chain])
    monkeypatch.setenv("MONITORING_WEBHOOK_URL", webhook_address)

    code, summary = _monitor(drifted_home, monkeypatch, capsys, "--retrain-on-alert", "--fail-on-alert")

    assert code == 4
    assert summary["status"] == "failed"
    alerting = summary["error"].split(": ", 1)[1].split("; see ")[0].split(", ")
    assert summary["error"].startswith(f"{len(alerting)} monitoring alert(s) for 2026-04-25 to 2026-05-02: ")
    drifted = {
        "avg_session_minutes_30d.psi",
        "avg_session_minutes_30d.ks",
        "mobile_share_30d.ks",
        "main_channel_30d.chi2_p_value",
    }
    assert drifted <= set(alerting)
    [(_, _, payload)] = webhook.received
    assert payload["text"].endswith(
        f" {len(alerting)} monitoring alerts for 2026-04-25 to 2026-05-02 (end exclusive)"
    )
    assert calls == ["train", "validate", "promote"]


def test_a_window_end_outside_the_inference_log_is_a_usage_error(steady_home, monkeypatch, capsys) -> None:
    code, summary = _monitor(steady_home, monkeypatch, capsys, "--window-end", "2026-06-01")

    assert code == 2
    assert "the inference log has scoring dates from 2026-04-24 to 2026-05-01" in summary["error"]


def test_without_a_champion_monitor_is_skipped_not_failed(tmp_path, monkeypatch, capsys) -> None:
    code, summary = _monitor(tmp_path, monkeypatch, capsys)

    assert (code, summary["status"]) == (0, "skipped")
    assert summary["reason"].startswith("no @champion of ")


def test_a_champion_without_predictions_is_skipped_too(
    spark, tmp_path, generated, monkeypatch, capsys
) -> None:
    config = load_config("local", home=tmp_path)
    overwrite_table(generated.baseline(2_000, seed=7), config.table("training_set"))
    _crown(spark, config)

    code, summary = _monitor(tmp_path, monkeypatch, capsys)

    assert (code, summary["status"]) == (0, "skipped")
    assert summary["reason"].startswith("no predictions yet")


def test_a_champion_without_a_baseline_snapshot_says_how_to_take_one(
    spark, tmp_path, generated, monkeypatch, capsys
) -> None:
    config = load_config("local", home=tmp_path)
    overwrite_table(generated.baseline(2_000, seed=7), config.table("training_set"))
    overwrite_table(
        _scored(generated.window(2_000, 8, 0.0, as_of=CURRENT), CURRENT), config.table("inference_log")
    )
    version = _crown(spark, config, snapshot=False)
    # As `promote` records a snapshot: the version says it has one, but the table was dropped by hand.
    client = MlflowClient()
    client.set_model_version_tag(config.model_name, version, BASELINE_TABLE_TAG, "dropped")

    code, summary = _monitor(tmp_path, monkeypatch, capsys)

    assert code == 1
    assert f"run `promote --version {version}` to take it" in summary["error"]
    # Otherwise that promote would trust the record and take no snapshot.
    assert BASELINE_TABLE_TAG not in client.get_model_version(config.model_name, version).tags


def test_run_all_ends_with_monitor_once_there_is_an_inference_log(steady_home, tmp_path) -> None:
    args = argparse.Namespace()

    assert cli.LIFECYCLE[-1] == "monitor" and MONITOR in cli.REGISTERED
    assert MONITOR.lifecycle_arguments(Context(load_config("local", home=tmp_path)), args) is None
    assert MONITOR.lifecycle_arguments(Context(load_config("local", home=steady_home)), args) == {
        "retrain_on_alert": False
    }
