"""The training set: labels joined point-in-time with features, exactly the contract's columns."""

from datetime import UTC, datetime

from chispa import assert_df_equality

from {{ cookiecutter.package_name }}.features.spec import TRAINING_SET_COLUMNS
from {{ cookiecutter.package_name }}.features.training_set import build_training_set

from feature_rows import feature_row, features_frame, schema, training_row, varied

LABELS_SCHEMA = (
    "customer_id string, label_ts timestamp, churned int, source_file string, ingested_at timestamp"
)

B_FEATURES = {**varied(4, "mobile_app"), "avg_session_minutes_30d": None}


def day(d: int) -> datetime:
    return datetime(2026, 3, d, tzinfo=UTC)


def test_labels_get_the_latest_features_at_or_before_label_ts(spark) -> None:
    features = features_frame(
        spark,
        [
            feature_row("a", day(2), **varied(1, "web")),
            feature_row("a", day(10), **varied(2, "store")),
            feature_row("a", day(20), **varied(3, "mobile_app")),  # after every label: must not leak
            feature_row("b", day(3), **B_FEATURES),
        ],
    )
    labels = spark.createDataFrame(
        [
            ("a", day(10), 1, "f.csv", day(25)),  # exactly at a feature_ts: that row is used
            ("a", day(15), 0, "f.csv", day(25)),
            ("b", day(3), 1, "f.csv", day(25)),
            ("b", day(2), 0, "f.csv", day(25)),  # before any feature row: left out
            ("z", day(15), 1, "f.csv", day(25)),  # never active: left out
        ],
        LABELS_SCHEMA,
    )

    result = build_training_set(features, labels)

    expected = spark.createDataFrame(
        [
            training_row("a", day(10), day(10), 1, **varied(2, "store"), days_since_last_activity=0.0),
            training_row("a", day(15), day(10), 0, **varied(2, "store"), days_since_last_activity=5.0),
            training_row("b", day(3), day(3), 1, **B_FEATURES, days_since_last_activity=0.0),
        ],
        schema(TRAINING_SET_COLUMNS),
    )
    assert result.columns == list(TRAINING_SET_COLUMNS)
    assert_df_equality(result, expected, ignore_row_order=True, ignore_nullable=True)
