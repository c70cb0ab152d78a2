"""The scoring function shared by batch and streaming: features in, inference-log rows out.

Pure given a `Scorer`, which adds PREDICTION_COLUMN to a frame of MODEL_FEATURES (inference/native.py
applies the sklearn pipeline with mapInArrow; `column_scorer` wraps the mlflow spark_udf of the
champion, or any Column function of that shape in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from ..contracts.model import DECISION_THRESHOLD
from ..features.spec import (
    CATEGORICAL_FEATURES,
    ENTITY_COLUMN,
    FEATURE_TS_COLUMN,
    MODEL_FEATURES,
    NUMERIC_FEATURES,
)
from .schema import (
    AS_OF_COLUMN,
    INFERENCE_LOG_COLUMNS,
    MODEL_NAME_COLUMN,
    MODEL_VERSION_COLUMN,
    PREDICTED_LABEL_COLUMN,
    PREDICTION_COLUMN,
    PREDICTIONS_COLUMNS,
    SCORED_AT_COLUMN,
    SCORING_DATE_COLUMN,
)
from .spec import PYFUNC

# struct Column of MODEL_FEATURES -> array<double> Column of class probabilities (mlflow's spark_udf).
Predict = Callable[[Column], Column]


@dataclass(frozen=True)
class Scorer:
    """How a model scores: `apply` adds PREDICTION_COLUMN (double, P(positive class)) to a frame holding
    MODEL_FEATURES with the signature's types, keeping its other columns; `path` names the way."""

    path: str
    apply: Callable[[DataFrame], DataFrame]


def column_scorer(predict: Predict, path: str = PYFUNC) -> Scorer:
    """A Scorer from a Column function such as the pyfunc spark_udf: P(positive) is its second element."""

    def apply(frame: DataFrame) -> DataFrame:
        probabilities = predict(F.struct(*[F.col(name) for name in MODEL_FEATURES]))
        return frame.withColumn(PREDICTION_COLUMN, F.element_at(probabilities, 2).cast("double"))

    return Scorer(path, apply)


def score_features(
    features: DataFrame, scorer: Scorer, model_name: str, model_version: str, scored_at: str
) -> DataFrame:
    """Inference-log rows (INFERENCE_LOG_COLUMNS) for `features`: one row per input row.

    `features` holds customer_id, as_of_ts, feature_ts and MODEL_FEATURES (the point-in-time lookup's
    output). Inputs are cast to the model signature's types (numeric double, categorical string).
    `scored_at` is a 'yyyy-MM-dd HH:mm:ss' UTC timestamp string, the same for every row of a run.
    """
    typed = features.select(
        F.col(ENTITY_COLUMN).cast("string").alias(ENTITY_COLUMN),
        F.col(AS_OF_COLUMN).cast("timestamp").alias(AS_OF_COLUMN),
        F.col(FEATURE_TS_COLUMN).cast("timestamp").alias(FEATURE_TS_COLUMN),
        *[F.col(name).cast("double").alias(name) for name in NUMERIC_FEATURES],
        *[F.col(name).cast("string").alias(name) for name in CATEGORICAL_FEATURES],
    )
    return (
        scorer.apply(typed)
        .select(
            F.col(ENTITY_COLUMN),
            F.to_date(AS_OF_COLUMN).alias(SCORING_DATE_COLUMN),
            F.col(AS_OF_COLUMN),
            F.col(FEATURE_TS_COLUMN),
            *[F.col(name) for name in MODEL_FEATURES],
            F.col(PREDICTION_COLUMN),
            (F.col(PREDICTION_COLUMN) >= F.lit(DECISION_THRESHOLD)).cast("int").alias(PREDICTED_LABEL_COLUMN),
            F.lit(model_name).alias(MODEL_NAME_COLUMN),
            F.lit(str(model_version)).alias(MODEL_VERSION_COLUMN),
            F.to_timestamp(F.lit(scored_at)).alias(SCORED_AT_COLUMN),
        )
        .select(*INFERENCE_LOG_COLUMNS)
    )


def to_predictions(inference_log: DataFrame) -> DataFrame:
    """The predictions table's columns from inference-log rows."""
    return inference_log.select(*PREDICTIONS_COLUMNS)


def scoring_spine(features: DataFrame, as_of: str) -> DataFrame:
    """customer_id + as_of_ts for every customer with a feature row at or before `as_of`.

    `as_of` is a 'yyyy-MM-dd HH:mm:ss' UTC timestamp string.
    """
    as_of_ts = F.to_timestamp(F.lit(as_of))
    return (
        features.where(F.col(FEATURE_TS_COLUMN) <= as_of_ts)
        .select(F.col(ENTITY_COLUMN))
        .distinct()
        .withColumn(AS_OF_COLUMN, as_of_ts)
    )
