"""Batch scoring: every known customer's latest feature snapshot as of one timestamp.

Writes the inference log (that scoring date's rows replaced) and MERGEs the predictions from it, so a
rerun for the same date leaves exactly one row per customer in both tables.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from ..config import Config, TableName
from ..contracts.tables import Table
from ..errors import LifecycleError, UsageError
from ..features.lookup import point_in_time_lookup
from ..features.spec import FEATURE_TS_COLUMN
from ..tables import last_operation_metrics, read_table, replace_where, table_exists, upsert
from .schema import AS_OF_COLUMN, PREDICTION_KEYS, SCORING_DATE_COLUMN
from .scoring import Scorer, score_features, scoring_spine, to_predictions

TIMESTAMP_FORMAT = "yyyy-MM-dd HH:mm:ss"


def feature_ts_range(features: DataFrame) -> tuple[str | None, str | None]:
    """The first and the newest feature_ts as 'yyyy-MM-dd HH:mm:ss' (session time zone); None when empty."""
    first, last = features.select(
        F.date_format(F.min(FEATURE_TS_COLUMN), TIMESTAMP_FORMAT),
        F.date_format(F.max(FEATURE_TS_COLUMN), TIMESTAMP_FORMAT),
    ).first()
    return first, last


def score_batch(
    spark: SparkSession,
    config: Config,
    scorer: Scorer,
    model_version: str,
    scored_at: str,
    as_of: str | None = None,
) -> dict:
    """Score as of `as_of` (default: the latest feature_ts) and write both tables; return the summary."""
    features_table = config.table(Table.CUSTOMER_FEATURES)
    features = _read_features(spark, features_table)
    as_of = _resolve_as_of(features, features_table.identifier, as_of)
    scoring_date = as_of[:10]
    spine = scoring_spine(features, as_of)
    scored = score_features(
        point_in_time_lookup(features, spine, AS_OF_COLUMN),
        scorer,
        config.model_name,
        model_version,
        scored_at,
    )
    log_table = config.table(Table.INFERENCE_LOG)
    replace_where(scored, log_table, f"{SCORING_DATE_COLUMN} = DATE'{scoring_date}'")
    predictions_table = config.table(Table.PREDICTIONS)
    merged = _merge_predictions(spark, log_table, predictions_table, scoring_date)
    # The MERGE's source is the date's log rows (a replaceWhere's own count also holds rows it rewrote).
    scored_rows = merged.get("numSourceRows", merged.get("numOutputRows", 0))
    return {
        "model_name": config.model_name,
        "model_version": model_version,
        "as_of": as_of,
        "scoring_date": scoring_date,
        "scored_rows": scored_rows,
        "predictions_inserted": merged.get("numTargetRowsInserted", merged.get("numOutputRows", 0)),
        "predictions_updated": merged.get("numTargetRowsUpdated", 0),
        "tables": [log_table.identifier, predictions_table.identifier],
    }


def _read_features(spark: SparkSession, features_table: TableName) -> DataFrame:
    if not table_exists(spark, features_table):
        raise LifecycleError(f"{features_table.identifier} does not exist: run `features` first")
    return read_table(spark, features_table)


def _resolve_as_of(features: DataFrame, identifier: str, as_of: str | None) -> str:
    """`as_of`, or the newest feature_ts when None; an as-of before the first feature_ts is refused."""
    first, last = feature_ts_range(features)
    if last is None:
        raise LifecycleError(f"{identifier} is empty: run `ingest` and `features` first")
    if as_of is not None and as_of < first:
        raise UsageError(
            f"--as-of {as_of}: no features are known that early; {identifier} has "
            f"feature_ts from {first} to {last}"
        )
    return as_of or last


def _merge_predictions(
    spark: SparkSession, log_table: TableName, predictions_table: TableName, scoring_date: str
) -> dict:
    """MERGE the scoring date's inference-log rows into the predictions; return the MERGE's metrics."""
    # Predictions come from the rows just logged: the model runs once per customer.
    todays_log = read_table(spark, log_table).where(
        F.col(SCORING_DATE_COLUMN) == F.lit(scoring_date).cast("date")
    )
    upsert(to_predictions(todays_log), predictions_table, PREDICTION_KEYS)
    return last_operation_metrics(spark, predictions_table)
