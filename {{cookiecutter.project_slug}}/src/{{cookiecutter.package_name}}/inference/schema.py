"""The tables scoring writes: `predictions` (one row per customer and scoring date) and
`inference_log` (what the model saw and said, read by monitoring). These columns are a contract.

- predictions: keyed (customer_id, scoring_date); a rerun for the same date updates in place (MERGE).
- inference_log: at most one row per (customer_id, scoring_date); a batch rerun for a scoring date
  replaces that date's rows. Numeric features are stored as double, the categorical one as string.
"""

from __future__ import annotations

from ..features.spec import CATEGORICAL_FEATURES, ENTITY_COLUMN, FEATURE_TS_COLUMN, NUMERIC_FEATURES

SCORING_DATE_COLUMN = "scoring_date"  # date: the day of as_of_ts (UTC)
AS_OF_COLUMN = "as_of_ts"  # timestamp: features are the latest snapshot at or before it
PREDICTION_COLUMN = "prediction"  # double: probability of churn (the positive class)
PREDICTED_LABEL_COLUMN = "predicted_label"  # int: 1 when prediction >= DECISION_THRESHOLD
MODEL_NAME_COLUMN = "model_name"  # string: registered model name
MODEL_VERSION_COLUMN = "model_version"  # string: registered model version
SCORED_AT_COLUMN = "scored_at"  # timestamp: when the scoring ran

PREDICTION_KEYS = (ENTITY_COLUMN, SCORING_DATE_COLUMN)

_OUTPUT_COLUMNS = (
    PREDICTION_COLUMN,
    PREDICTED_LABEL_COLUMN,
    MODEL_NAME_COLUMN,
    MODEL_VERSION_COLUMN,
    SCORED_AT_COLUMN,
)
PREDICTIONS_COLUMNS = (ENTITY_COLUMN, SCORING_DATE_COLUMN, AS_OF_COLUMN, *_OUTPUT_COLUMNS)
# feature_ts: the feature snapshot the row was scored with (null when the customer had none yet).
INFERENCE_LOG_COLUMNS = (
    ENTITY_COLUMN,
    SCORING_DATE_COLUMN,
    AS_OF_COLUMN,
    FEATURE_TS_COLUMN,
    *NUMERIC_FEATURES,
    *CATEGORICAL_FEATURES,
    *_OUTPUT_COLUMNS,
)

_TYPES = {
    ENTITY_COLUMN: "string",
    SCORING_DATE_COLUMN: "date",
    AS_OF_COLUMN: "timestamp",
    FEATURE_TS_COLUMN: "timestamp",
    **dict.fromkeys(NUMERIC_FEATURES, "double"),
    **dict.fromkeys(CATEGORICAL_FEATURES, "string"),
    PREDICTION_COLUMN: "double",
    PREDICTED_LABEL_COLUMN: "int",
    MODEL_NAME_COLUMN: "string",
    MODEL_VERSION_COLUMN: "string",
    SCORED_AT_COLUMN: "timestamp",
}


def ddl(columns: tuple[str, ...]) -> str:
    """A Spark DDL schema string, e.g. for `spark.createDataFrame(rows, ddl(INFERENCE_LOG_COLUMNS))`."""
    return ", ".join(f"`{column}` {_TYPES[column]}" for column in columns)


PREDICTIONS_SCHEMA = ddl(PREDICTIONS_COLUMNS)
INFERENCE_LOG_SCHEMA = ddl(INFERENCE_LOG_COLUMNS)
