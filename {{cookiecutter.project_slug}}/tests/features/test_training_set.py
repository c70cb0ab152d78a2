"""The training set: labels joined point-in-time with features, exactly the contract's columns."""

from datetime import UTC, datetime

from chispa import assert_df_equality

from {{ cookiecutter.package_name }}.features.spec import FEATURES_SCHEMA, TRAINING_SET_COLUMNS
from {{ cookiecutter.package_name }}.features.training_set import build_training_set

LABELS_SCHEMA = (
    "customer_id string, label_ts timestamp, churned int, source_file string, ingested_at timestamp"
)
TRAINING_SCHEMA = (
    "customer_id string, label_ts timestamp, feature_ts timestamp, events_30d bigint, purchases_30d bigint, "
    "amount_30d double, support_contacts_30d bigint, avg_session_minutes_30d double, "
    "mobile_share_30d double, days_since_last_activity double, main_channel_30d string, churned int"
)


def day(d: int) -> datetime:
    return datetime(2026, 3, d, tzinfo=UTC)


def test_labels_get_the_latest_features_at_or_before_label_ts(spark) -> None:
    features = spark.createDataFrame(
        [
            ("a", day(2), 1, 0, 0.0, 0, 2.0, 0.0, "web"),
            ("a", day(10), 5, 2, 30.0, 1, 4.0, 0.2, "store"),
            ("a", day(20), 9, 4, 80.0, 2, 6.0, 0.4, "mobile_app"),  # after every label: must not leak
            ("b", day(3), 2, 1, 12.5, 0, None, 1.0, "mobile_app"),
        ],
        FEATURES_SCHEMA,
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
            ("a", day(10), day(10), 5, 2, 30.0, 1, 4.0, 0.2, 0.0, "store", 1),
            ("a", day(15), day(10), 5, 2, 30.0, 1, 4.0, 0.2, 5.0, "store", 0),
            ("b", day(3), day(3), 2, 1, 12.5, 0, None, 1.0, 0.0, "mobile_app", 1),
        ],
        TRAINING_SCHEMA,
    )
    assert result.columns == list(TRAINING_SET_COLUMNS)
    assert_df_equality(result, expected, ignore_row_order=True, ignore_nullable=True)
