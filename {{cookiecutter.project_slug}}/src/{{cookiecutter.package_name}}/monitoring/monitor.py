"""The monitor job as a pipeline: champion and inference log in; the window analysed, stored, reported,
alerted on and, when asked to, retrained on. What it reads and writes: see commands.py."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import mlflow
from mlflow import MlflowClient
from mlflow.entities import Run
from mlflow.entities.model_registry import ModelVersion
from pyspark.sql import DataFrame

from ..commands import Context
from ..config import PROJECT_SLUG, Config, TableName
from ..contracts.model import BASELINE_TABLE_TAG, CHAMPION, TRAINING_VERSION_TAG
from ..contracts.tables import Table
from ..errors import LifecycleError, MonitoringAlertError, NothingToDo
from ..progress import logger, step
from ..tables import read_table, table_exists
from ..tracking import configure_mlflow, run_url
from ..training.baseline import read_baseline
from ..training.registry import version_by_alias
from .alerts import alert_record, notify, webhook_url
from .analysis import WindowAnalysis, WindowInputs, analyse_window
from .assess import LOGGED_TO_MLFLOW, alerts
from .report import REPORTED_HISTORY, write_report
from .retrain import decide_retraining, trigger_retraining
from .store import metric_history, metrics_frame, write_window_metrics
from .windows import MonitoringWindow, last_window_day, rows_in, scoring_dates, window_ending

REPORT_ARTIFACT_PATH = "monitoring_report"


def monitor(
    context: Context, window_end: date | None, fail_on_alert: bool, retrain_on_alert: bool | None
) -> dict:
    """Monitor the window ending on `window_end` (default: the log's last scoring date); the summary.

    `retrain_on_alert` None means the environment's setting; `fail_on_alert` raises MonitoringAlertError
    once everything is stored, reported and sent.
    """
    config = context.config
    configure_mlflow(config)
    champion = _champion(config)
    inference = _inference_log(context)
    last_day = last_window_day(window_end, *scoring_dates(inference))
    window = window_ending(last_day, config.monitoring.window_days)
    baseline_version = int(champion.tags.get(TRAINING_VERSION_TAG, -1))
    analysis = _analyse(context, champion, inference, window)
    metrics_table = _store_metrics(context, window, analysis, baseline_version)
    report, run = _report(context, window, analysis, metrics_table)
    run_link = run_url(config, run.info.experiment_id, run.info.run_id)

    alerting = alerts(analysis.results)
    summary: dict = {
        "window_start": str(window.start),
        "window_end": str(window.end),
        "window_rows": analysis.window_rows,
        "baseline_rows": analysis.baseline_rows,
        "champion_version": str(champion.version),
        "baseline_version": baseline_version,
        "metrics": len(analysis.results),
        "alerts": len(alerting),
        "alerting": sorted({f"{a.feature}.{a.metric}" for a in alerting}),
        "table": metrics_table.identifier,
        "report": str(report),
        "mlflow_run_id": run.info.run_id,
        "mlflow_run": run_link,
        **_quality_summary(analysis),
    }
    if alerting:
        record = alert_record(window, alerting, config.env, {"mlflow_run": run_link, "report": str(report)})
        summary["webhook"] = notify(record, PROJECT_SLUG, webhook_url(config, os.environ))
    summary["retraining"] = _retraining(context, retrain_on_alert, analysis, window)
    if fail_on_alert and alerting:
        raise MonitoringAlertError(
            f"{len(alerting)} monitoring alert(s) for {window.start} to {window.end}: "
            f"{', '.join(summary['alerting'])}; see {run_link} (report: {report})"
        )
    return summary


def _champion(config: Config) -> ModelVersion:
    """The @champion version (with its tags); none yet means nothing to monitor."""
    champion = version_by_alias(MlflowClient(), config.model_name, CHAMPION)
    if champion is None:
        raise NothingToDo(f"no @{CHAMPION} of {config.model_name} yet: nothing is scored, nothing to monitor")
    return champion


def _inference_log(context: Context) -> DataFrame:
    table = context.config.table(Table.INFERENCE_LOG)
    if not table_exists(context.spark, table):
        raise NothingToDo(f"no predictions yet ({table.identifier} does not exist): run `score` first")
    return read_table(context.spark, table)


def _analyse(
    context: Context, champion: ModelVersion, inference: DataFrame, window: MonitoringWindow
) -> WindowAnalysis:
    """The window against the champion's baseline, the window before it, and the labels known so far."""
    config, spark = context.config, context.spark
    labels_table = config.table(Table.LABELS)
    inputs = WindowInputs(
        baseline=_baseline(context, champion),
        window=rows_in(inference, window),
        prediction_reference=rows_in(inference, window.previous()),
        labels=read_table(spark, labels_table) if table_exists(spark, labels_table) else None,
    )
    with step("monitor/analyse") as facts:
        analysis = analyse_window(inputs, config.monitoring)
        facts.update(window_rows=analysis.window_rows, metrics=len(analysis.results))
    return analysis


def _baseline(context: Context, champion: ModelVersion) -> DataFrame:
    """The champion's baseline rows. Missing although its version records one (the table was dropped or
    emptied by hand): the record goes too, so the `promote` the error advises snapshots again."""
    try:
        return read_baseline(context.spark, context.config, str(champion.version))
    except LifecycleError:
        if BASELINE_TABLE_TAG in champion.tags:
            MlflowClient().delete_model_version_tag(champion.name, champion.version, BASELINE_TABLE_TAG)
        raise


def _store_metrics(
    context: Context, window: MonitoringWindow, analysis: WindowAnalysis, baseline_version: int
) -> TableName:
    """Replace the window's rows of monitoring_metrics; return that table."""
    metrics_table = context.config.table(Table.MONITORING_METRICS)
    computed_at = datetime.now(UTC).replace(tzinfo=None)
    with step("monitor/store"):
        frame = metrics_frame(context.spark, window, analysis.results, baseline_version, computed_at)
        write_window_metrics(frame, metrics_table, window)
    return metrics_table


def _report(
    context: Context, window: MonitoringWindow, analysis: WindowAnalysis, metrics_table: TableName
) -> tuple[Path, Run]:
    """Write the HTML report and log it with the metrics to MLflow; return the report and the run."""
    config, thresholds = context.config, context.config.monitoring
    folder = Path(config.state_root, "reports", "monitoring", window.label)
    with step("monitor/report"):
        report = write_report(
            folder,
            f"{PROJECT_SLUG} monitoring ({config.env})",
            window,
            analysis.results,
            analysis.columns,
            analysis.predictions,
            metric_history(context.spark, metrics_table, *REPORTED_HISTORY),
            (thresholds.psi_warn, thresholds.psi_alert),
        )
        run = _log_to_mlflow(window, analysis, folder)
    return report, run


def _log_to_mlflow(window: MonitoringWindow, analysis: WindowAnalysis, folder: Path) -> Run:
    with mlflow.start_run(run_name=f"monitor {window.label}") as run:
        mlflow.set_tags(
            {"stage": "monitor", "window_start": str(window.start), "window_end": str(window.end)}
        )
        mlflow.log_metrics(
            {
                f"{result.feature}.{result.metric}": float(result.value)
                for result in analysis.results
                if result.metric in LOGGED_TO_MLFLOW
            }
        )
        mlflow.log_artifacts(str(folder), artifact_path=REPORT_ARTIFACT_PATH)
    return run


def _quality_summary(analysis: WindowAnalysis) -> dict:
    """The `quality` entry of the summary, or nothing when no prediction of the window is labeled yet."""
    if analysis.quality is None or not analysis.quality.labeled_rows:
        return {}
    return {
        "quality": {
            "labeled_rows": analysis.quality.labeled_rows,
            "auc": analysis.quality.auc,
            "log_loss": analysis.quality.log_loss,
        }
    }


def _retraining(
    context: Context, retrain_on_alert: bool | None, analysis: WindowAnalysis, window: MonitoringWindow
) -> dict:
    """Start retraining when asked to and the results call for it; the `retraining` entry of the summary."""
    retrain = context.config.monitoring.retrain_on_alert if retrain_on_alert is None else retrain_on_alert
    decision = decide_retraining(analysis.results)
    if retrain and decision.retrain:
        logger.info("monitor: retraining because of %s", decision.reason)
        started = trigger_retraining(context, window.label)
        return {"started": True, "reason": decision.reason, **started}
    return {"started": False, "reason": decision.reason if retrain else "not requested"}
