"""score_features and scoring_spine on hand-written frames, with a stand-in model."""

from datetime import datetime

import pyarrow as pa
from chispa import assert_df_equality
from pyspark.sql import functions as F

from {{ cookiecutter.package_name }}.features.lookup import LOOKUP_COLUMNS
from {{ cookiecutter.package_name }}.features.spec import NUMERIC_FEATURES
from {{ cookiecutter.package_name }}.inference.native import gathered
from {{ cookiecutter.package_name }}.inference.schema import (
    INFERENCE_LOG_COLUMNS,
    INFERENCE_LOG_SCHEMA,
    PREDICTIONS_COLUMNS,
)
from {{ cookiecutter.package_name }}.inference.scoring import (
    column_scorer,
    score_features,
    scoring_spine,
    to_predictions,
)

from feature_rows import ordered, schema, varied

LOOKED_UP_COLUMNS = ("customer_id", "as_of_ts", *LOOKUP_COLUMNS)
LOOKED_UP_SCHEMA = f"customer_id string, as_of_ts timestamp, {schema(LOOKUP_COLUMNS)}"
LOOKUP_DAYS = "days_since_last_activity"
FEATURES_SCHEMA = "customer_id string, feature_ts timestamp, events_30d long"
AS_OF = datetime(2026, 4, 30, 12)
SCORED_AT = datetime(2026, 5, 1, 6, 30)


def _looked_up_row(customer: str, feature_ts: datetime, **features) -> tuple:
    values = {"customer_id": customer, "as_of_ts": AS_OF, "feature_ts": feature_ts, **features}
    return ordered(values, LOOKED_UP_COLUMNS)


def _logged(customer: str, feature_ts: datetime, features: dict, prediction: float, label: int) -> tuple:
    """The inference-log row of a looked-up row: its features as double, the model's output, when."""
    looked_up = dict(zip(LOOKED_UP_COLUMNS, _looked_up_row(customer, feature_ts, **features), strict=True))
    as_double = {
        name: None if looked_up[name] is None else float(looked_up[name]) for name in NUMERIC_FEATURES
    }
    outputs = {
        "prediction": prediction,
        "predicted_label": label,
        "model_name": "s.model",
        "model_version": "7",
    }
    values = {**looked_up, **as_double, **outputs, "scoring_date": AS_OF.date(), "scored_at": SCORED_AT}
    return tuple(values[column] for column in INFERENCE_LOG_COLUMNS)


def fake_model(features):
    """P(churn) = events_30d / 10, as the [P(0), P(1)] array a classifier's predict_proba gives."""
    probability = features.getField("events_30d") / 10
    return F.array(1 - probability, probability)


FAKE_SCORER = column_scorer(fake_model, "stand-in")


def test_each_row_gets_its_probability_label_and_model_version(spark) -> None:
    rows = {
        "a": (datetime(2026, 4, 29), {**varied(1, "web"), "events_30d": 7, LOOKUP_DAYS: 1.5}),
        "b": (datetime(2026, 4, 30), {"events_30d": 5, "avg_session_minutes_30d": None, LOOKUP_DAYS: 0.5}),
        "c": (datetime(2026, 4, 1), {**varied(3, "store"), "events_30d": 2, LOOKUP_DAYS: 29.5}),
    }
    looked_up = spark.createDataFrame(
        [_looked_up_row(customer, ts, **features) for customer, (ts, features) in rows.items()],
        LOOKED_UP_SCHEMA,
    )

    scored = score_features(looked_up, FAKE_SCORER, "s.model", "7", "2026-05-01 06:30:00")

    outputs = {"a": (0.7, 1), "b": (0.5, 1), "c": (0.2, 0)}
    expected = spark.createDataFrame(
        [_logged(customer, ts, features, *outputs[customer]) for customer, (ts, features) in rows.items()],
        INFERENCE_LOG_SCHEMA,
    )
    assert scored.columns == list(INFERENCE_LOG_COLUMNS)
    assert_df_equality(scored, expected, ignore_row_order=True, ignore_nullable=True)
    assert to_predictions(scored).columns == list(PREDICTIONS_COLUMNS)


def test_an_empty_frame_scores_to_an_empty_log(spark) -> None:
    scored = score_features(
        spark.createDataFrame([], LOOKED_UP_SCHEMA), FAKE_SCORER, "m", "1", "2026-05-01 00:00:00"
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


def test_batches_are_gathered_to_at_least_the_rows_asked_for_the_rest_last() -> None:
    sizes = ((0, 3), (3, 3), (6, 3), (9, 1))
    batches = [pa.RecordBatch.from_pydict({"x": list(range(start, start + size))}) for start, size in sizes]

    tables = list(gathered(iter(batches), 5))

    assert [table.column("x").to_pylist() for table in tables] == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9]]
    assert list(gathered(iter([]), 5)) == []
