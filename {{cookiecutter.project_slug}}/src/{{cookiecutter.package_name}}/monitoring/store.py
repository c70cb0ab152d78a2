"""The `monitoring_metrics` table: one row per (window, feature, metric) with value, threshold, status."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from ..config import TableName
from ..tables import read_table, replace_where, table_exists
from .assess import MetricResult
from .windows import MonitoringWindow

METRICS_SCHEMA = (
    "window_start date, window_end date, feature string, metric string, value double, "
    "threshold double, status string, baseline_version bigint, computed_at timestamp"
)


def metrics_frame(
    spark: SparkSession,
    window: MonitoringWindow,
    results: list[MetricResult],
    baseline_version: int | None,
    computed_at: datetime,
) -> DataFrame:
    rows = [
        (
            window.start,
            window.end,
            result.feature,
            result.metric,
            float(result.value),
            None if result.threshold is None else float(result.threshold),
            result.status,
            baseline_version,
            computed_at,
        )
        for result in results
    ]
    return spark.createDataFrame(rows, METRICS_SCHEMA)


def write_window_metrics(metrics: DataFrame, table: TableName, window: MonitoringWindow) -> None:
    """Replace the window's rows: rerunning a window leaves exactly one row per feature and metric."""
    replace_where(metrics, table, window.sql_condition())


def metric_history(spark: SparkSession, table: TableName, *metrics: str) -> pd.DataFrame:
    """(window_end, feature, metric, value) of the given metrics over every window recorded so far."""
    columns = ["window_end", "feature", "metric", "value"]
    if not table_exists(spark, table):
        return pd.DataFrame(columns=columns)
    rows = read_table(spark, table).where(F.col("metric").isin(*metrics)).select(*columns).collect()
    return pd.DataFrame([row.asDict() for row in rows], columns=columns)
