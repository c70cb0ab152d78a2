"""`monitor`: the latest inference window against the training baseline, stored, reported, alerted on.

Reads inference_log, training_set (the version the champion was trained on when its lineage tag says
so) and labels; writes monitoring_metrics (the window's rows replaced), an HTML report logged to MLflow,
an alert line and webhook, and starts retraining when asked to.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, date, datetime
from pathlib import Path

from ..commands import Command, Context
from ..config import PROJECT_SLUG, Config
from ..errors import LifecycleError, MonitoringAlertError
from ..progress import logger, step
from ..tables import read_table, table_exists, table_version
from .alerts import alert_record, notify
from .analysis import WindowAnalysis, WindowInputs, analyse_window
from .assess import alerts
from .report import write_report
from .retrain import decide_retraining, trigger_retraining
from .store import metric_history, metrics_frame, write_window_metrics
from .windows import MonitoringWindow, latest_scoring_date, rows_in, window_ending

# The lineage tag `train` sets on a model version: the training_set Delta version it was trained on.
TRAINING_VERSION_TAG = "training_table_version"
REPORT_ARTIFACT_PATH = "monitoring_report"


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--window-end",
        type=date.fromisoformat,
        default=None,
        help="last scoring date of the window, YYYY-MM-DD (default: the latest in the inference log)",
    )
    parser.add_argument("--fail-on-alert", action="store_true", help="exit with code 4 when a metric alerts")
    parser.add_argument(
        "--retrain-on-alert",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="start retraining when a metric alerts (default: the environment's retrain_on_alert)",
    )


def champion_training_version(config: Config) -> int | None:
    """The training_set version the @champion was trained on, or None without a champion or tag."""
    from mlflow import MlflowClient

    from ..training.registry import CHAMPION, version_by_alias

    champion = version_by_alias(MlflowClient(), config.model_name, CHAMPION)
    if champion is None or TRAINING_VERSION_TAG not in champion.tags:
        return None
    return int(champion.tags[TRAINING_VERSION_TAG])


def _require_table(context: Context, short_name: str, producer: str) -> None:
    if not table_exists(context.spark, context.config.table(short_name)):
        raise LifecycleError(f"table {short_name} does not exist yet: run `{producer}` before `monitor`")


def _log_to_mlflow(window: MonitoringWindow, analysis: WindowAnalysis, folder: Path) -> str:
    import mlflow

    with mlflow.start_run(run_name=f"monitor {window.label}") as run:
        mlflow.set_tags(
            {"stage": "monitor", "window_start": str(window.start), "window_end": str(window.end)}
        )
        mlflow.log_metrics(
            {
                f"{result.feature}.{result.metric}": float(result.value)
                for result in analysis.results
                if result.metric in ("psi", "ks", "auc", "log_loss")
            }
        )
        mlflow.log_artifacts(str(folder), artifact_path=REPORT_ARTIFACT_PATH)
    return run.info.run_id


def _run(context: Context, args: argparse.Namespace) -> dict:
    from ..tracking import configure_mlflow

    config, spark = context.config, context.spark
    thresholds = config.monitoring
    _require_table(context, "inference_log", "score")
    _require_table(context, "training_set", "features")
    configure_mlflow(config)

    inference = read_table(spark, config.table("inference_log"))
    last_day = args.window_end or latest_scoring_date(inference)
    window = window_ending(last_day, thresholds.window_days)
    baseline_version = champion_training_version(config)
    if baseline_version is None:
        baseline_version = table_version(spark, config.table("training_set"))
        logger.info("monitor: no champion lineage tag, baseline = training_set version %s", baseline_version)
    labels_table = config.table("labels")
    inputs = WindowInputs(
        baseline=read_table(spark, config.table("training_set"), version=baseline_version),
        window=rows_in(inference, window),
        prediction_reference=rows_in(inference, window.previous()),
        labels=read_table(spark, labels_table) if table_exists(spark, labels_table) else None,
    )
    with step("monitor/analyse") as facts:
        analysis = analyse_window(inputs, thresholds)
        facts.update(window_rows=analysis.window_rows, metrics=len(analysis.results))

    metrics_table = config.table("monitoring_metrics")
    computed_at = datetime.now(UTC).replace(tzinfo=None)
    with step("monitor/store"):
        frame = metrics_frame(spark, window, analysis.results, baseline_version, computed_at)
        write_window_metrics(frame, metrics_table, window)

    folder = Path(config.state_root, "reports", "monitoring", window.label)
    with step("monitor/report"):
        report = write_report(
            folder,
            f"{PROJECT_SLUG} monitoring ({config.env})",
            window,
            analysis.results,
            analysis.columns,
            metric_history(spark, metrics_table, "psi"),
            (thresholds.psi_warn, thresholds.psi_alert),
        )
        run_id = _log_to_mlflow(window, analysis, folder)

    alerting = alerts(analysis.results)
    summary: dict = {
        "window_start": str(window.start),
        "window_end": str(window.end),
        "window_rows": analysis.window_rows,
        "baseline_version": baseline_version,
        "metrics": len(analysis.results),
        "alerts": len(alerting),
        "alerting": sorted({f"{a.feature}.{a.metric}" for a in alerting}),
        "table": metrics_table.identifier,
        "report": str(report),
        "mlflow_run_id": run_id,
    }
    if analysis.quality is not None and analysis.quality.labeled_rows:
        summary["quality"] = {
            "labeled_rows": analysis.quality.labeled_rows,
            "auc": analysis.quality.auc,
            "log_loss": analysis.quality.log_loss,
        }
    if alerting:
        record = alert_record(window, alerting, config.env)
        summary["webhook"] = notify(
            record, PROJECT_SLUG, str(report), thresholds.webhook_url_variable, os.environ
        )
    retrain = thresholds.retrain_on_alert if args.retrain_on_alert is None else args.retrain_on_alert
    decision = decide_retraining(analysis.results)
    if retrain and decision.retrain:
        logger.info("monitor: retraining because of %s", decision.reason)
        started = trigger_retraining(context, idempotency_token=f"retrain-{window.label}")
        summary["retraining"] = {"started": True, "reason": decision.reason, **started}
    else:
        summary["retraining"] = {"started": False, "reason": decision.reason if retrain else "not requested"}
    if args.fail_on_alert and alerting:
        raise MonitoringAlertError(
            f"{len(alerting)} monitoring alert(s) for {window.start} to {window.end}: "
            f"{', '.join(summary['alerting'])}; see {report}"
        )
    return summary


def _lifecycle_arguments(context: Context, args: argparse.Namespace) -> list[str] | None:
    # Without scored predictions there is nothing to monitor (e.g. before the model stages exist).
    # Locally the Delta log folder says so without starting Spark.
    table = context.config.table("inference_log")
    exists = Path(table.path, "_delta_log").is_dir() if table.path else table_exists(context.spark, table)
    if not exists:
        return None
    return ["--no-retrain-on-alert"]


COMMANDS = [
    Command(
        name="monitor",
        help="drift and quality of the latest inference window: metrics table, report, alerts, retraining",
        run=_run,
        add_arguments=_add_arguments,
        lifecycle_arguments=_lifecycle_arguments,
    )
]
