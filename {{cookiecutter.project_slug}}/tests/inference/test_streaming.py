"""Streaming scoring with availableNow: new feature rows only, same scoring function, no duplicates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from chispa import assert_df_equality

from {{ cookiecutter.package_name }}.config import load_config
from {{ cookiecutter.package_name }}.features.spec import FEATURES_SCHEMA
from {{ cookiecutter.package_name }}.inference.scoring import column_scorer
from {{ cookiecutter.package_name }}.inference.streaming import micro_batch_spine, run_scoring_stream
from {{ cookiecutter.package_name }}.tables import append_to_table, read_table

from feature_rows import feature_row
from model_helpers import probability_from_events

STAND_IN = column_scorer(probability_from_events, "stand-in")  # P(churn) = events_30d / 10


def test_the_micro_batch_spine_takes_each_customers_newest_row_per_day(spark) -> None:
    batch = spark.createDataFrame(
        [
            feature_row("a", datetime(2026, 5, 1, 1), events_30d=1),
            feature_row("a", datetime(2026, 5, 1, 7), events_30d=2),
            feature_row("a", datetime(2026, 5, 2, 3), events_30d=3),
            feature_row("b", datetime(2026, 5, 1, 2), events_30d=4),
            feature_row("b", None, events_30d=5),
        ],
        FEATURES_SCHEMA,
    )

    expected = spark.createDataFrame(
        [("a", datetime(2026, 5, 1, 7)), ("a", datetime(2026, 5, 2, 3)), ("b", datetime(2026, 5, 1, 2))],
        "customer_id string, as_of_ts timestamp",
    )
    assert_df_equality(micro_batch_spine(batch), expected, ignore_row_order=True, ignore_nullable=True)


def test_the_stream_scores_only_new_rows_and_a_restart_rescoring_nothing_twice(spark, tmp_path: Path) -> None:
    config = load_config("local", home=tmp_path)
    features = config.table("customer_features")
    append_to_table(
        spark.createDataFrame(
            [
                feature_row("a", datetime(2026, 5, 1), events_30d=2),
                feature_row("b", datetime(2026, 5, 1), events_30d=6),
            ],
            FEATURES_SCHEMA,
        ),
        features,
    )

    first = run_scoring_stream(spark, config, STAND_IN, "5")
    append_to_table(
        spark.createDataFrame(
            [
                feature_row("a", datetime(2026, 5, 1, 12), events_30d=4),
                feature_row("c", datetime(2026, 5, 2), events_30d=8),
            ],
            FEATURES_SCHEMA,
        ),
        features,
    )
    second = run_scoring_stream(spark, config, STAND_IN, "5")
    third = run_scoring_stream(spark, config, STAND_IN, "5")

    predictions = read_table(spark, config.table("predictions"))
    rows = sorted((r.customer_id, r.scoring_date, r.as_of_ts, r.prediction) for r in predictions.collect())
    assert rows == [
        ("a", date(2026, 5, 1), datetime(2026, 5, 1, 12), 0.4),  # the noon snapshot replaced the midnight one
        ("b", date(2026, 5, 1), datetime(2026, 5, 1), 0.6),
        ("c", date(2026, 5, 2), datetime(2026, 5, 2), 0.8),
    ]
    log = read_table(spark, config.table("inference_log"))
    assert sorted((r.customer_id, r.scoring_date, r.model_version) for r in log.collect()) == [
        ("a", date(2026, 5, 1), "5"),
        ("b", date(2026, 5, 1), "5"),
        ("c", date(2026, 5, 2), "5"),
    ]
    assert (first["micro_batches"], second["micro_batches"], third["micro_batches"]) == (1, 1, 0)
