"""Monitoring windows: whole scoring days [start, end) of the inference log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from ..errors import LifecycleError, UsageError
from ..inference.schema import SCORING_DATE_COLUMN


@dataclass(frozen=True)
class MonitoringWindow:
    start: date  # first scoring date in the window
    end: date  # first scoring date after it (exclusive)

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> MonitoringWindow:
        """The window of the same length just before this one (the prediction drift reference)."""
        return MonitoringWindow(self.start - timedelta(days=self.days), self.start)

    def sql_condition(self) -> str:
        """This window's rows in the monitoring table, for Delta replaceWhere."""
        return f"window_start = DATE'{self.start.isoformat()}' AND window_end = DATE'{self.end.isoformat()}'"


def window_ending(last_day: date, days: int) -> MonitoringWindow:
    """The `days` scoring days ending with `last_day` (included)."""
    if days < 1:
        raise LifecycleError(f"window_days must be at least 1, got {days}")
    return MonitoringWindow(last_day - timedelta(days=days - 1), last_day + timedelta(days=1))


def rows_in(inference: DataFrame, window: MonitoringWindow) -> DataFrame:
    scoring_date = F.col(SCORING_DATE_COLUMN)
    return inference.where((scoring_date >= F.lit(window.start)) & (scoring_date < F.lit(window.end)))


def scoring_dates(inference: DataFrame) -> tuple[date, date]:
    """The first and the last scoring date in the log (one Spark job); a clear error when it is empty."""
    first, last = inference.agg(F.min(SCORING_DATE_COLUMN), F.max(SCORING_DATE_COLUMN)).first()
    if last is None:
        raise LifecycleError("the inference log is empty: run `score` before `monitor`")
    return first, last


def last_window_day(requested: date | None, first: date, last: date) -> date:
    """The window's last day: `requested` (--window-end) if the log has that day, else the log's last."""
    if requested is None:
        return last
    if not first <= requested <= last:
        raise UsageError(
            f"--window-end {requested}: the inference log has scoring dates from {first} to {last}; "
            "pick a day within them or leave --window-end out"
        )
    return requested
