"""Time-based split of the training set into train, validation and test (the holdout) by label date.

Whole label dates go to one part: the latest dates are the holdout, the ones before them validation,
the rest train. So the model is always judged on labels later than anything it learned from.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..errors import LifecycleError
from ..features.spec import LABEL_TS_COLUMN

HOLDOUT_SHARE = 0.2
VALIDATION_SHARE = 0.2


@dataclass(frozen=True)
class TimeSplit:
    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    validation_start: pd.Timestamp
    test_start: pd.Timestamp


def split_by_label_date(frame: pd.DataFrame) -> TimeSplit:
    """Split rows on their label date: last ~20 % of the dates -> test, previous ~20 % -> validation."""
    if frame.empty:
        raise LifecycleError("the training set is empty: run `features` first (it builds training_set)")
    dates = sorted(pd.to_datetime(frame[LABEL_TS_COLUMN]).dropna().unique())
    if len(dates) < 3:
        raise LifecycleError(
            f"a time-based split needs at least 3 distinct {LABEL_TS_COLUMN} values, the training set has "
            f"{len(dates)}: generate more days of data (generate-data --days 120 gives 3)"
        )
    test_dates = max(1, round(len(dates) * HOLDOUT_SHARE))
    validation_dates = max(1, round(len(dates) * VALIDATION_SHARE))
    test_start = pd.Timestamp(dates[-test_dates])
    validation_start = pd.Timestamp(dates[-test_dates - validation_dates])
    return TimeSplit(
        train=holdout_rows(frame, None, validation_start),
        validation=holdout_rows(frame, validation_start, test_start),
        test=holdout_rows(frame, test_start, None),
        validation_start=validation_start,
        test_start=test_start,
    )


def holdout_rows(frame: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.DataFrame:
    """Rows whose label date is in [start, end); None means unbounded. Null label dates are dropped."""
    label_ts = pd.to_datetime(frame[LABEL_TS_COLUMN])
    keep = label_ts.notna()
    if start is not None:
        keep &= label_ts >= start
    if end is not None:
        keep &= label_ts < end
    return frame.loc[keep].reset_index(drop=True)
