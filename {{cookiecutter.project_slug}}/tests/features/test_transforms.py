"""Customer features on hand-written events: windows, boundaries, nulls, late and duplicate events."""

from datetime import UTC, datetime

from chispa import assert_df_equality

from {{ cookiecutter.package_name }}.features.transforms import customer_features

from feature_rows import feature_row, features_frame

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

    expected = features_frame(
        spark,
        [
            feature_row(
                "a",
                ts(3, 1),
                events_30d=1,
                purchases_30d=0,
                amount_30d=0.0,
                support_contacts_30d=0,
                avg_session_minutes_30d=2.0,
                mobile_share_30d=0.0,
                main_channel_30d="web",
            ),
            feature_row(
                "a",
                ts(3, 2),
                events_30d=3,
                purchases_30d=1,
                amount_30d=10.0,
                support_contacts_30d=0,
                avg_session_minutes_30d=3.5,
                mobile_share_30d=1 / 3,
                main_channel_30d="web",
            ),
            feature_row(
                "a",
                ts(3, 3),
                events_30d=4,
                purchases_30d=1,
                amount_30d=10.0,
                support_contacts_30d=1,
                avg_session_minutes_30d=10 / 3,
                mobile_share_30d=0.5,
                main_channel_30d="mobile_app",
            ),
            # Window [Mar 2 00:00, Apr 1 00:00): e3, e4, e5; a three-way channel tie.
            feature_row(
                "a",
                ts(4, 1),
                events_30d=3,
                purchases_30d=2,
                amount_30d=20.5,
                support_contacts_30d=1,
                avg_session_minutes_30d=11 / 3,
                mobile_share_30d=1 / 3,
                main_channel_30d="mobile_app",
            ),
            feature_row(
                "b",
                ts(3, 6),
                events_30d=2,
                purchases_30d=0,
                amount_30d=0.0,
                support_contacts_30d=0,
                avg_session_minutes_30d=None,
                mobile_share_30d=0.0,
                main_channel_30d="store",
            ),
            feature_row(
                "c",
                ts(3, 6),
                events_30d=1,
                purchases_30d=1,
                amount_30d=5.0,
                support_contacts_30d=0,
                avg_session_minutes_30d=1.0,
                mobile_share_30d=0.0,
                main_channel_30d=None,
            ),
        ],
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

    expected = features_frame(
        spark,
        [
            feature_row(
                "a",
                ts(3, 2),
                events_30d=1,
                purchases_30d=1,
                amount_30d=1.25,
                support_contacts_30d=0,
                avg_session_minutes_30d=1.0,
                mobile_share_30d=0.0,
                main_channel_30d="web",
            ),
            feature_row(
                "a",
                ts(4, 1),
                events_30d=1,
                purchases_30d=1,
                amount_30d=2.5,
                support_contacts_30d=0,
                avg_session_minutes_30d=1.0,
                mobile_share_30d=0.0,
                main_channel_30d="web",
            ),
        ],
    )
    assert_df_equality(result, expected, ignore_row_order=True, ignore_nullable=True)


def test_no_events_give_no_feature_rows(spark) -> None:
    result = customer_features(spark.createDataFrame([], EVENTS_SCHEMA))

    assert_df_equality(result, features_frame(spark, []), ignore_nullable=True)
