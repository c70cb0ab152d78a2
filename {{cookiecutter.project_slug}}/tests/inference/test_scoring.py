"""score_features and scoring_spine on hand-written frames, with a stand-in model."""

from datetime import date, datetime

from chispa import assert_df_equality
from pyspark.sql import functions as F

from {{ cookiecutter.package_name }}.inference.schema import (
    INFERENCE_LOG_COLUMNS,
    INFERENCE_LOG_SCHEMA,
    PREDICTIONS_COLUMNS,
)
from {{ cookiecutter.package_name }}.inference.scoring import score_features, scoring_spine, to_predictions

LOOKED_UP_SCHEMA = (
    "customer_id string, as_of_ts timestamp, feature_ts timestamp, events_30d long, purchases_30d long, "
    "amount_30d double, support_contacts_30d long, avg_session_minutes_30d double, mobile_share_30d double, "
    "days_since_last_activity double, main_channel_30d string"
)
FEATURES_SCHEMA = "customer_id string, feature_ts timestamp, events_30d long"
AS_OF = datetime(2026, 4, 30, 12)
SCORED_AT = datetime(2026, 5, 1, 6, 30)


def fake_model(features):
    """P(churn) = events_30d / 10, as the [P(0), P(1)] array a classifier's predict_proba gives."""
    probability = features.getField("events_30d") / 10
    return F.array(1 - probability, probability)


def test_each_row_gets_its_probability_label_and_model_version(spark) -> None:
    looked_up = spark.createDataFrame(
        [
            ("a", AS_OF, datetime(2026, 4, 29), 7, 2, 10.0, 1, 3.5, 0.25, 1.5, "web"),
            ("b", AS_OF, datetime(2026, 4, 30), 5, 0, 0.0, 0, None, 0.0, 0.5, None),
            ("c", AS_OF, datetime(2026, 4, 1), 2, 1, 5.0, 3, 1.0, 1.0, 29.5, "store"),
        ],
        LOOKED_UP_SCHEMA,
    )

    scored = score_features(looked_up, fake_model, "s.model", "7", "2026-05-01 06:30:00")

    common = ("s.model", "7", SCORED_AT)
    expected = spark.createDataFrame(
        [
            (
                "a",
                date(2026, 4, 30),
                AS_OF,
                datetime(2026, 4, 29),
                7.0,
                2.0,
                10.0,
                1.0,
                3.5,
                0.25,
                1.5,
                "web",
                0.7,
                1,
                *common,
            ),
            (
                "b",
                date(2026, 4, 30),
                AS_OF,
                datetime(2026, 4, 30),
                5.0,
                0.0,
                0.0,
                0.0,
                None,
                0.0,
                0.5,
                None,
                0.5,
                1,
                *common,
            ),
            (
                "c",
                date(2026, 4, 30),
                AS_OF,
                datetime(2026, 4, 1),
                2.0,
                1.0,
                5.0,
                3.0,
                1.0,
                1.0,
                29.5,
                "store",
                0.2,
                0,
                *common,
            ),
        ],
        INFERENCE_LOG_SCHEMA,
    )
    assert scored.columns == list(INFERENCE_LOG_COLUMNS)
    assert_df_equality(scored, expected, ignore_row_order=True, ignore_nullable=True)
    assert to_predictions(scored).columns == list(PREDICTIONS_COLUMNS)


def test_an_empty_frame_scores_to_an_empty_log(spark) -> None:
    scored = score_features(
        spark.createDataFrame([], LOOKED_UP_SCHEMA), fake_model, "m", "1", "2026-05-01 00:00:00"
    )

    assert_df_equality(scored, spark.createDataFrame([], INFERENCE_LOG_SCHEMA), ignore_nullable=True)


def test_the_spine_holds_each_customer_known_at_the_as_of_time_once(spark) -> None:
    features = spark.createDataFrame(
        [
            ("a", datetime(2026, 4, 1), 1),
            ("a", datetime(2026, 4, 2), 2),
            ("b", datetime(2026, 4, 2, 0, 0, 1), 3),  # one second too late
            ("c", datetime(2026, 4, 2), 4),
            (None, datetime(2026, 4, 1), 5),
        ],
        FEATURES_SCHEMA,
    )

    spine = scoring_spine(features.where(F.col("customer_id").isNotNull()), "2026-04-02 00:00:00")

    expected = spark.createDataFrame(
        [("a", datetime(2026, 4, 2)), ("c", datetime(2026, 4, 2))], "customer_id string, as_of_ts timestamp"
    )
    assert_df_equality(spine, expected, ignore_row_order=True, ignore_nullable=True)
