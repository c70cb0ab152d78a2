"""The monitoring table: rerunning a window replaces its rows; other windows stay as they were."""

from datetime import date, datetime

from chispa import assert_df_equality

from {{ cookiecutter.package_name }}.config import TableName
from {{ cookiecutter.package_name }}.monitoring.assess import MetricResult
from {{ cookiecutter.package_name }}.monitoring.store import (
    METRICS_SCHEMA,
    metric_history,
    metrics_frame,
    write_window_metrics,
)
from {{ cookiecutter.package_name }}.monitoring.windows import MonitoringWindow
from {{ cookiecutter.package_name }}.tables import read_table

FIRST = MonitoringWindow(date(2026, 4, 1), date(2026, 4, 8))
SECOND = MonitoringWindow(date(2026, 4, 8), date(2026, 4, 15))
AT = datetime(2026, 4, 15, 6, 0)


def test_rerunning_a_window_replaces_its_rows(spark, tmp_path) -> None:
    table = TableName("monitoring_metrics", f"delta.`{tmp_path}/m`", str(tmp_path / "m"))
    psi = MetricResult("x", "psi", 0.3, 0.25, "alert")
    ks = MetricResult("x", "ks", 0.1, 0.2, "ok")

    write_window_metrics(metrics_frame(spark, FIRST, [psi, ks], 3, AT), table, FIRST)
    write_window_metrics(metrics_frame(spark, SECOND, [psi], 3, AT), table, SECOND)
    rerun = MetricResult("x", "psi", 0.05, 0.25, "ok")
    write_window_metrics(metrics_frame(spark, FIRST, [rerun, ks], 4, AT), table, FIRST)
    write_window_metrics(metrics_frame(spark, FIRST, [rerun, ks], 4, AT), table, FIRST)

    expected = spark.createDataFrame(
        [
            (FIRST.start, FIRST.end, "x", "psi", 0.05, 0.25, "ok", 4, AT),
            (FIRST.start, FIRST.end, "x", "ks", 0.1, 0.2, "ok", 4, AT),
            (SECOND.start, SECOND.end, "x", "psi", 0.3, 0.25, "alert", 3, AT),
        ],
        METRICS_SCHEMA,
    )
    assert_df_equality(read_table(spark, table), expected, ignore_row_order=True, ignore_nullable=True)
    history = metric_history(spark, table, "psi").sort_values("window_end")
    assert history.to_dict("records") == [
        {"window_end": FIRST.end, "feature": "x", "metric": "psi", "value": 0.05},
        {"window_end": SECOND.end, "feature": "x", "metric": "psi", "value": 0.3},
    ]
    both = metric_history(spark, table, "psi", "ks").sort_values(["window_end", "metric"])
    assert list(zip(both["metric"], both["value"], strict=True)) == [("ks", 0.1), ("psi", 0.05), ("psi", 0.3)]


def test_history_of_a_missing_table_is_empty(spark, tmp_path) -> None:
    table = TableName("monitoring_metrics", f"delta.`{tmp_path}/none`", str(tmp_path / "none"))

    assert metric_history(spark, table, "psi").empty


def test_information_rows_have_no_threshold(spark) -> None:
    frame = metrics_frame(spark, FIRST, [MetricResult("window", "rows", 12.0, None, "info")], None, AT)

    assert frame.first().asDict() == {
        "window_start": FIRST.start,
        "window_end": FIRST.end,
        "feature": "window",
        "metric": "rows",
        "value": 12.0,
        "threshold": None,
        "status": "info",
        "baseline_version": None,
        "computed_at": AT,
    }
