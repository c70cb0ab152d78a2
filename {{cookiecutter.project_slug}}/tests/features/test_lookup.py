"""The point-in-time lookup: latest feature row at or before the as-of time, never a later one."""

from datetime import UTC, datetime

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from {{ cookiecutter.package_name }}.features.lookup import LOOKUP_COLUMNS, point_in_time_lookup
from {{ cookiecutter.package_name }}.features.spec import MODEL_FEATURES

from feature_rows import feature_row, features_frame, ordered, schema, varied

SPINE_SCHEMA = "customer_id string, label_ts timestamp, churned long"
OUTPUT_SCHEMA = f"{SPINE_SCHEMA}, {schema(LOOKUP_COLUMNS)}"
NO_FEATURES = (None,) * len(LOOKUP_COLUMNS)


def day(d: int, hour: int = 0) -> datetime:
    return datetime(2026, 3, d, hour, tzinfo=UTC)


@pytest.fixture
def features(spark):
    # Distinct values per row and column, so a wrong match shows up in every column.
    return features_frame(
        spark,
        [
            feature_row("a", day(2), **varied(1, "web")),
            feature_row("a", day(5), **varied(2, "store")),
            feature_row("a", day(9), **varied(3, "mobile_app")),
            feature_row("b", day(4), **varied(7, "web")),
        ],
    )


def test_output_columns_are_the_spine_then_the_lookup_columns(spark, features) -> None:
    spine = spark.createDataFrame([("a", day(6), 1)], SPINE_SCHEMA)

    result = point_in_time_lookup(features, spine, "label_ts")

    assert result.columns == [*spine.columns, *LOOKUP_COLUMNS]
    assert set(MODEL_FEATURES) <= set(result.columns)


def test_a_naive_latest_row_join_leaks_the_future_and_the_lookup_does_not(spark, features) -> None:
    spine = spark.createDataFrame([("a", day(6), 1)], SPINE_SCHEMA)
    latest_per_customer = features.groupBy("customer_id").agg(F.max("feature_ts").alias("feature_ts"))
    naive = spine.join(features.join(latest_per_customer, ["customer_id", "feature_ts"]), "customer_id")
    # The naive join picks the row of day 9, three days after the label.
    assert naive.select("events_30d").first()[0] == varied(3)["events_30d"]

    result = point_in_time_lookup(features, spine, "label_ts")

    expected = spark.createDataFrame([("a", day(6), 1, *_looked_up(day(5), 2, "store", 1.0))], OUTPUT_SCHEMA)
    assert_df_equality(result, expected)


def _looked_up(ts: datetime, number: int, channel: str, days_since: float) -> tuple:
    values = {"feature_ts": ts, **varied(number, channel), "days_since_last_activity": days_since}
    return ordered(values, LOOKUP_COLUMNS)


def test_boundaries_missing_history_and_null_keys(spark, features) -> None:
    spine = spark.createDataFrame(
        [
            ("a", day(5), 1),  # exactly at a feature_ts: that row is known (computed from earlier events)
            ("a", day(4, 23), 0),  # an hour before day 5: the day-2 row, 2 days 23 hours old
            ("a", day(1), 0),  # before any feature row: kept with null features
            ("a", day(30), 1),  # long after the last row
            ("b", day(9), 0),  # another customer's rows never leak in
            ("c", day(9), 1),  # unknown customer
            (None, day(9), 0),  # null key
            ("a", None, 1),  # null as-of
        ],
        SPINE_SCHEMA,
    )

    result = point_in_time_lookup(features, spine, "label_ts")

    expected = spark.createDataFrame(
        [
            ("a", day(5), 1, *_looked_up(day(5), 2, "store", 0.0)),
            ("a", day(4, 23), 0, *_looked_up(day(2), 1, "web", 2 + 23 / 24)),
            ("a", day(1), 0, *NO_FEATURES),
            ("a", day(30), 1, *_looked_up(day(9), 3, "mobile_app", 21.0)),
            ("b", day(9), 0, *_looked_up(day(4), 7, "web", 5.0)),
            ("c", day(9), 1, *NO_FEATURES),
            (None, day(9), 0, *NO_FEATURES),
            ("a", None, 1, *NO_FEATURES),
        ],
        OUTPUT_SCHEMA,
    )
    assert_df_equality(result, expected, ignore_row_order=True)


def test_no_feature_rows_at_all_keeps_every_spine_row(spark, features) -> None:
    spine = spark.createDataFrame([("a", day(6), 1), ("a", day(6), 1)], SPINE_SCHEMA)

    result = point_in_time_lookup(features.limit(0), spine, "label_ts")

    expected = spark.createDataFrame([("a", day(6), 1, *NO_FEATURES)] * 2, OUTPUT_SCHEMA)
    assert_df_equality(result, expected)


def test_a_date_as_of_column_means_midnight_utc(spark, features) -> None:
    spine = spark.createDataFrame([("b", day(5).date())], "customer_id string, as_of date")

    result = point_in_time_lookup(features, spine, "as_of").select("feature_ts", "days_since_last_activity")

    assert result.collect()[0].asDict() == {
        "feature_ts": datetime(2026, 3, 4),
        "days_since_last_activity": 1.0,
    }


def test_missing_and_clashing_columns_are_clear_errors(spark, features) -> None:
    spine = spark.createDataFrame([("a", day(6), 1)], SPINE_SCHEMA)

    with pytest.raises(ValueError, match=r"spine frame lacks column\(s\) \['scored_at'\]"):
        point_in_time_lookup(features, spine, "scored_at")
    with pytest.raises(ValueError, match=r"features frame lacks column\(s\) \['main_channel_30d'\]"):
        point_in_time_lookup(features.drop("main_channel_30d"), spine, "label_ts")
    with pytest.raises(ValueError, match=r"already has column\(s\) \['events_30d'\]"):
        point_in_time_lookup(features, spine.withColumn("events_30d", F.lit(1)), "label_ts")
