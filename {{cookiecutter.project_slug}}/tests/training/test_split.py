"""The time-based split: whole label dates per part, latest dates held out."""

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.training.split import holdout_rows, split_by_label_date


def _frame(dates: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {"customer_id": [f"C{i}" for i in range(len(dates))], "label_ts": pd.to_datetime(dates)}
    )


def test_three_dates_give_one_date_per_part() -> None:
    frame = _frame(["2026-03-01", "2026-04-30", "2026-03-31", "2026-03-01", "2026-04-30"])

    split = split_by_label_date(frame)

    assert list(split.train["customer_id"]) == ["C0", "C3"]
    assert list(split.validation["customer_id"]) == ["C2"]
    assert list(split.test["customer_id"]) == ["C1", "C4"]
    assert split.validation_start == pd.Timestamp("2026-03-31")
    assert split.test_start == pd.Timestamp("2026-04-30")


def test_ten_dates_hold_out_the_last_two_and_validate_on_the_two_before() -> None:
    dates = [f"2026-01-{day:02d}" for day in range(1, 11)]

    split = split_by_label_date(_frame(dates))

    assert list(split.train["label_ts"].dt.day) == [1, 2, 3, 4, 5, 6]
    assert list(split.validation["label_ts"].dt.day) == [7, 8]
    assert list(split.test["label_ts"].dt.day) == [9, 10]


def test_rows_without_a_label_date_are_left_out() -> None:
    frame = _frame(["2026-03-01", "2026-03-31", "2026-04-30", None])

    split = split_by_label_date(frame)

    assert len(split.train) + len(split.validation) + len(split.test) == 3


def test_fewer_than_three_label_dates_is_a_clear_error() -> None:
    with pytest.raises(LifecycleError, match="at least 3 distinct label_ts values, the training set has 2"):
        split_by_label_date(_frame(["2026-03-01", "2026-03-31", "2026-03-31"]))


def test_an_empty_training_set_says_to_run_features() -> None:
    with pytest.raises(LifecycleError, match="training set is empty: run `features` first"):
        split_by_label_date(_frame([]))


def test_holdout_rows_is_half_open() -> None:
    frame = _frame(["2026-03-01", "2026-03-31", "2026-04-30"])

    rows = holdout_rows(frame, pd.Timestamp("2026-03-01"), pd.Timestamp("2026-04-30"))

    assert list(rows["customer_id"]) == ["C0", "C1"]
