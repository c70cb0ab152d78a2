"""Types of command-line values: a value no command can use is refused where it is parsed.

argparse turns a type's ArgumentTypeError into a usage error: exit 2 and one line on stderr (cli.py).
Every option that takes a value has one of these types or a fixed set of choices; tests/test_arguments.py
walks the parser and feeds every such option hostile values to keep it so. A value that is only wrong
for the data at hand (a model version that does not exist, a date outside the data) is a UsageError
(errors.py) raised by the command, with the values that do exist in its message.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from datetime import UTC, date, datetime

# Dates the lifecycle can hold (pandas' nanosecond timestamps end in 2262).
FIRST_DATE, LAST_DATE = date(1970, 1, 1), date(2199, 12, 31)
# What numpy's and scikit-learn's seeds accept (unsigned 32-bit).
MAX_SEED = 2**32 - 1
# Databricks job run ids and model versions are positive 64-bit integers.
MAX_ID = 2**63 - 1


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """A whole number from `low` to `high`, both included."""

    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {high}, got {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}, got {text}")
        return value

    return whole_number


def bounded_float(low: float, high: float) -> Callable[[str], float]:
    """A finite number from `low` to `high`, both included."""

    def number(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a number from {low:g} to {high:g}, got {text!r}"
            ) from None
        if not (math.isfinite(value) and low <= value <= high):
            raise argparse.ArgumentTypeError(f"must be a number from {low:g} to {high:g}, got {text}")
        return value

    return number


seed = bounded_int(0, MAX_SEED)
_id_number = bounded_int(1, MAX_ID)


def databricks_id(text: str) -> str:
    """A job run id or a model version, kept as text (as tags and the registry hold it)."""
    return str(_id_number(text))


def _within_dates(day: date, text: str) -> None:
    if not FIRST_DATE <= day <= LAST_DATE:
        raise argparse.ArgumentTypeError(f"must be a date from {FIRST_DATE} to {LAST_DATE}, got {text}")


def iso_date(text: str) -> date:
    """A day, YYYY-MM-DD."""
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO date like 2026-04-30, got {text!r}") from None
    _within_dates(value, text)
    return value


def utc_datetime(text: str) -> datetime:
    """An ISO date or timestamp, in UTC (taken as UTC unless it has an offset)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an ISO date or timestamp like 2026-04-30, got {text!r}"
        ) from None
    _within_dates(value.date(), text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
