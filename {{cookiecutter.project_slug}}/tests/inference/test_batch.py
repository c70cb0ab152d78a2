"""Batch scoring into Delta tables: exact content, rerun safety, --as-of. A stand-in model keeps it exact."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from {{ cookiecutter.package_name }}.config import load_config
from {{ cookiecutter.package_name }}.errors import LifecycleError, UsageError
from {{ cookiecutter.package_name }}.features.spec import FEATURES_SCHEMA
from {{ cookiecutter.package_name }}.inference.batch import score_batch
from {{ cookiecutter.package_name }}.inference.schema import PREDICTIONS_SCHEMA
from {{ cookiecutter.package_name }}.inference.scoring import column_scorer
from {{ cookiecutter.package_name }}.tables import append_to_table, overwrite_table, read_table, table_exists

from feature_rows import feature_row
from model_helpers import probability_from_events

STAND_IN = column_scorer(probability_from_events, "stand-in")  # P(churn) = events_30d / 10


@pytest.fixture
def lakehouse(spark, tmp_path: Path):
    config = load_config("local", home=tmp_path)
    rows = [
        feature_row("a", datetime(2026, 4, 28), events_30d=1),
        feature_row("a", datetime(2026, 4, 30), events_30d=2),
        feature_row("b", datetime(2026, 4, 29), events_30d=3),
        feature_row("c", datetime(2026, 5, 1), events_30d=9),  # the latest feature_ts: the default as-of
    ]
    overwrite_table(spark.createDataFrame(rows, FEATURES_SCHEMA), config.table("customer_features"))
    return config


def _predictions(spark, rows):
    return spark.createDataFrame(rows, PREDICTIONS_SCHEMA)


def test_scoring_uses_each_customers_latest_snapshot_at_the_latest_feature_ts(spark, lakehouse) -> None:
    summary = score_batch(spark, lakehouse, STAND_IN, "3", "2026-05-02 08:00:00")

    as_of, scored_at = datetime(2026, 5, 1), datetime(2026, 5, 2, 8)
    common = (lakehouse.model_name, "3", scored_at)
    expected = _predictions(
        spark,
        [
            ("a", date(2026, 5, 1), as_of, 0.2, 0, *common),
            ("b", date(2026, 5, 1), as_of, 0.3, 0, *common),
            ("c", date(2026, 5, 1), as_of, 0.9, 1, *common),
        ],
    )
    predictions = read_table(spark, lakehouse.table("predictions"))
    assert_df_equality(predictions, expected, ignore_row_order=True, ignore_nullable=True)
    log = read_table(spark, lakehouse.table("inference_log"))
    days_since = {row.customer_id: row.days_since_last_activity for row in log.collect()}
    assert days_since == {"a": 1.0, "b": 2.0, "c": 0.0}
    assert summary["scored_rows"] == 3 and summary["predictions_inserted"] == 3
    assert (summary["as_of"], summary["scoring_date"]) == ("2026-05-01 00:00:00", "2026-05-01")


def test_a_rerun_for_the_same_date_leaves_one_row_per_customer(spark, lakehouse) -> None:
    score_batch(spark, lakehouse, STAND_IN, "3", "2026-05-02 08:00:00")
    summary = score_batch(spark, lakehouse, STAND_IN, "4", "2026-05-02 09:00:00")

    predictions = read_table(spark, lakehouse.table("predictions"))
    log = read_table(spark, lakehouse.table("inference_log"))
    assert sorted((row.customer_id, row.model_version) for row in predictions.collect()) == [
        ("a", "4"),
        ("b", "4"),
        ("c", "4"),
    ]
    assert sorted((row.customer_id, row.model_version) for row in log.collect()) == [
        ("a", "4"),
        ("b", "4"),
        ("c", "4"),
    ]
    assert (summary["predictions_inserted"], summary["predictions_updated"]) == (0, 3)


def test_an_earlier_as_of_sees_only_what_was_known_then_and_adds_a_date(spark, lakehouse) -> None:
    score_batch(spark, lakehouse, STAND_IN, "3", "2026-05-02 08:00:00")
    summary = score_batch(spark, lakehouse, STAND_IN, "3", "2026-05-02 08:00:00", as_of="2026-04-29 12:00:00")

    earlier = read_table(spark, lakehouse.table("predictions")).where(F.col("scoring_date") == "2026-04-29")
    rows = sorted((row.customer_id, row.prediction) for row in earlier.collect())
    assert rows == [("a", 0.1), ("b", 0.3)]  # a's snapshot of 04-28; c was unknown on 04-29
    assert summary["predictions_inserted"] == 2
    assert read_table(spark, lakehouse.table("inference_log")).count() == 5


def test_new_feature_rows_after_a_rerun_update_only_that_date(spark, lakehouse) -> None:
    score_batch(spark, lakehouse, STAND_IN, "3", "2026-05-02 08:00:00")
    append_to_table(
        spark.createDataFrame([feature_row("d", datetime(2026, 5, 1), events_30d=5)], FEATURES_SCHEMA),
        lakehouse.table("customer_features"),
    )

    summary = score_batch(spark, lakehouse, STAND_IN, "3", "2026-05-02 08:00:00")

    assert (summary["predictions_inserted"], summary["predictions_updated"]) == (1, 0)
    assert read_table(spark, lakehouse.table("inference_log")).count() == 4


def test_scoring_before_features_exist_says_what_to_run(spark, tmp_path: Path) -> None:
    empty = load_config("local", home=tmp_path / "empty")

    with pytest.raises(LifecycleError, match="customer_features` does not exist: run `features` first"):
        score_batch(spark, empty, STAND_IN, "1", "2026-05-02 08:00:00")


def test_the_scored_row_count_ignores_other_dates_rows_the_replace_rewrites(spark, lakehouse) -> None:
    score_batch(spark, lakehouse, STAND_IN, "3", "2026-05-02 08:00:00", as_of="2026-04-29 12:00:00")
    score_batch(spark, lakehouse, STAND_IN, "3", "2026-05-02 08:00:00")
    log_table = lakehouse.table("inference_log")
    # One file holding both dates: replacing 05-01 must rewrite the 04-29 rows next to it.
    overwrite_table(read_table(spark, log_table).coalesce(1), log_table)

    summary = score_batch(spark, lakehouse, STAND_IN, "3", "2026-05-02 09:00:00")

    assert summary["scored_rows"] == 3
    dates = sorted((row.scoring_date, row.customer_id) for row in read_table(spark, log_table).collect())
    assert dates == [
        (date(2026, 4, 29), "a"),
        (date(2026, 4, 29), "b"),
        (date(2026, 5, 1), "a"),
        (date(2026, 5, 1), "b"),
        (date(2026, 5, 1), "c"),
    ]


def test_an_as_of_before_the_first_features_is_a_usage_error_naming_their_range(spark, lakehouse) -> None:
    with pytest.raises(
        UsageError,
        match=r"--as-of 2026-01-01 00:00:00: no features are known that early; .* has feature_ts "
        r"from 2026-04-28 00:00:00 to 2026-05-01 00:00:00",
    ):
        score_batch(spark, lakehouse, STAND_IN, "3", "2026-05-02 08:00:00", as_of="2026-01-01 00:00:00")
    assert not table_exists(spark, lakehouse.table("inference_log"))
