"""Customer features on hand-written events: windows, boundaries, nulls, late and duplicate events."""

from datetime import UTC, datetime

from chispa import assert_df_equality

from {{ cookiecutter.package_name }}.features.spec import FEATURES_SCHEMA
from {{ cookiecutter.package_name }}.features.transforms import customer_features

EVENTS_SCHEMA = (
    "event_id string, customer_id string, event_ts timestamp, event_type string, channel string, "
    "amount double, session_minutes double, items int"
)


def ts(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def test_thirty_day_windows_with_boundaries_nulls_late_and_duplicate_events(spark) -> None:
    events = spark.createDataFrame(
        [
            ("e1", "a", ts(3, 1, 10), "purchase", "web", 10.0, 5.0, 1),
            ("e2", "a", ts(3, 1, 23, 59, 59), "page_view", "mobile_app", 0.0, None, 0),
            # Exactly at the Mar 1 row's feature_ts: belongs to Mar 2, and starts the Mar 31 row's window.
            ("e3", "a", ts(3, 2), "support_contact", "mobile_app", 0.0, 3.0, 0),
            ("e3", "a", ts(3, 2), "support_contact", "mobile_app", 0.0, 3.0, 0),  # exact duplicate
            ("e1", "a", ts(3, 20), "purchase", "web", 10.0, 5.0, 1),  # same id re-sent later: dropped
            ("e4", "a", ts(3, 31), "purchase", "web", 20.5, 1.0, 2),
            ("e5", "a", ts(3, 31, 12), "purchase", "store", None, 7.0, 1),  # null amount
            (
                "e0",
                "a",
                ts(2, 28, 8),
                "page_view",
                "web",
                0.0,
                2.0,
                0,
            ),  # late: arrives last, counts by event time
            ("b1", "b", ts(3, 5, 10), "page_view", "web", 0.0, None, 0),
            ("b2", "b", ts(3, 5, 11), "page_view", "store", 0.0, None, 0),  # channel tie: store < web
            ("c1", "c", ts(3, 5), "purchase", None, 5.0, 1.0, 1),  # no channel
            ("x1", None, ts(3, 5), "purchase", "web", 5.0, 1.0, 1),  # no customer: not attributable
            ("x2", "a", None, "purchase", "web", 5.0, 1.0, 1),  # no time: not attributable
        ],
        EVENTS_SCHEMA,
    )

    result = customer_features(events)

    expected = spark.createDataFrame(
        [
            ("a", ts(3, 1), 1, 0, 0.0, 0, 2.0, 0.0, "web"),
            ("a", ts(3, 2), 3, 1, 10.0, 0, 3.5, 1 / 3, "web"),
            ("a", ts(3, 3), 4, 1, 10.0, 1, 10 / 3, 0.5, "mobile_app"),
            # Window [Mar 2 00:00, Apr 1 00:00): e3, e4, e5; a three-way channel tie.
            ("a", ts(4, 1), 3, 2, 20.5, 1, 11 / 3, 1 / 3, "mobile_app"),
            ("b", ts(3, 6), 2, 0, 0.0, 0, None, 0.0, "store"),
            ("c", ts(3, 6), 1, 1, 5.0, 0, 1.0, 0.0, None),
        ],
        FEATURES_SCHEMA,
    )
    assert_df_equality(result, expected, ignore_row_order=True, ignore_nullable=True)


def test_an_event_thirty_days_back_leaves_the_window(spark) -> None:
    events = spark.createDataFrame(
        [
            ("e1", "a", ts(3, 1, 23, 59, 59), "purchase", "web", 1.25, 1.0, 1),
            ("e2", "a", ts(3, 31), "purchase", "web", 2.5, 1.0, 1),  # window [Mar 2, Apr 1): e1 is out
        ],
        EVENTS_SCHEMA,
    )

    result = customer_features(events)

    expected = spark.createDataFrame(
        [
            ("a", ts(3, 2), 1, 1, 1.25, 0, 1.0, 0.0, "web"),
            ("a", ts(4, 1), 1, 1, 2.5, 0, 1.0, 0.0, "web"),
        ],
        FEATURES_SCHEMA,
    )
    assert_df_equality(result, expected, ignore_row_order=True, ignore_nullable=True)


def test_no_events_give_no_feature_rows(spark) -> None:
    result = customer_features(spark.createDataFrame([], EVENTS_SCHEMA))

    assert_df_equality(result, spark.createDataFrame([], FEATURES_SCHEMA), ignore_nullable=True)
