"""Monitoring windows: whole scoring days, the previous window, selection, the log's dates, --window-end."""

from datetime import date

import pytest

from {{ cookiecutter.package_name }}.errors import LifecycleError, UsageError
from {{ cookiecutter.package_name }}.monitoring.windows import (
    MonitoringWindow,
    last_window_day,
    rows_in,
    scoring_dates,
    window_ending,
)


def test_a_window_ends_with_its_last_day_included() -> None:
    window = window_ending(date(2026, 4, 30), days=7)

    assert window == MonitoringWindow(date(2026, 4, 24), date(2026, 5, 1))
    assert window.previous() == MonitoringWindow(date(2026, 4, 17), date(2026, 4, 24))
    assert window.label == "2026-04-24_2026-05-01"
    assert window.sql_condition() == "window_start = DATE'2026-04-24' AND window_end = DATE'2026-05-01'"
    with pytest.raises(LifecycleError, match="at least 1"):
        window_ending(date(2026, 4, 30), days=0)


def test_rows_in_keeps_the_window_days_only(spark) -> None:
    days = [date(2026, 4, 23), date(2026, 4, 24), date(2026, 4, 30), date(2026, 5, 1)]
    log = spark.createDataFrame([(day,) for day in days], "scoring_date date")

    selected = rows_in(log, MonitoringWindow(date(2026, 4, 24), date(2026, 5, 1)))

    assert sorted(row.scoring_date for row in selected.collect()) == [date(2026, 4, 24), date(2026, 4, 30)]
    assert scoring_dates(log) == (date(2026, 4, 23), date(2026, 5, 1))


def test_an_empty_log_has_no_dates(spark) -> None:
    with pytest.raises(LifecycleError, match="run `score` before `monitor`"):
        scoring_dates(spark.createDataFrame([], "scoring_date date"))


def test_the_window_ends_on_the_last_logged_day_or_a_day_within_the_log() -> None:
    first, last = date(2026, 4, 24), date(2026, 5, 1)

    assert last_window_day(None, first, last) == last
    assert last_window_day(date(2026, 4, 28), first, last) == date(2026, 4, 28)
    logged = "the inference log has scoring dates from 2026-04-24 to 2026-05-01;"
    for outside in (date(2026, 4, 23), date(2026, 5, 2)):
        with pytest.raises(UsageError, match=f"--window-end {outside}: {logged}"):
            last_window_day(outside, first, last)
