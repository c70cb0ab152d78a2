"""Streaming scoring: new feature rows as they land, scored by the same function as the batch.

Each micro-batch scores every (customer, day) it holds as of that customer's newest feature_ts that
day, and MERGEs into the inference log and the predictions on (customer_id, scoring_date), so replays
after a failure write no duplicates. Locally it runs with trigger(availableNow=True) and stops.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from ..config import Config
from ..contracts.tables import Table
from ..errors import LifecycleError
from ..features.lookup import point_in_time_lookup
from ..features.spec import ENTITY_COLUMN, FEATURE_TS_COLUMN
from ..progress import logger
from ..spark import cached
from ..tables import read_stream, read_table, table_exists, upsert
from .schema import AS_OF_COLUMN, PREDICTION_KEYS
from .scoring import Scorer, score_features, to_predictions

CHECKPOINT_NAME = "score_stream"


def micro_batch_spine(batch: DataFrame) -> DataFrame:
    """customer_id + as_of_ts: per customer and day in the batch, that day's newest feature_ts."""
    return (
        batch.where(F.col(FEATURE_TS_COLUMN).isNotNull())
        .groupBy(ENTITY_COLUMN, F.to_date(FEATURE_TS_COLUMN))
        .agg(F.max(FEATURE_TS_COLUMN).alias(AS_OF_COLUMN))
        .select(ENTITY_COLUMN, AS_OF_COLUMN)
    )


def run_scoring_stream(spark: SparkSession, config: Config, scorer: Scorer, model_version: str) -> dict:
    """Process every feature row not yet seen (availableNow), then stop; return the summary."""
    features_table = config.table(Table.CUSTOMER_FEATURES)
    if not table_exists(spark, features_table):
        raise LifecycleError(f"{features_table.identifier} does not exist: run `features` first")
    log_table, predictions_table = config.table(Table.INFERENCE_LOG), config.table(Table.PREDICTIONS)

    # Runs where the stream runs: on the driver classically, on the server over Spark Connect
    # (serverless), so it keeps no state here and uses the batch's own session.
    def score_micro_batch(batch: DataFrame, batch_id: int) -> None:
        scored_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        features = read_table(batch.sparkSession, features_table)
        scored = score_features(
            point_in_time_lookup(features, micro_batch_spine(batch), AS_OF_COLUMN),
            scorer,
            config.model_name,
            model_version,
            scored_at,
        )
        with cached(scored, config) as rows:
            upsert(rows, log_table, PREDICTION_KEYS)
            upsert(to_predictions(rows), predictions_table, PREDICTION_KEYS)
        logger.info("score stream: micro-batch %d written", batch_id)

    # Feature rows rewritten by MERGE updates are skipped: they are re-scored by the next batch run.
    source = read_stream(spark, features_table, skipChangeCommits="true")
    query = (
        source.writeStream.foreachBatch(score_micro_batch)
        .option("checkpointLocation", config.checkpoint(CHECKPOINT_NAME))
        .trigger(availableNow=True)
        .start()
    )
    query.awaitTermination()
    return {
        "model_name": config.model_name,
        "model_version": model_version,
        "micro_batches": micro_batches_with_rows(query.recentProgress),
        "checkpoint": config.checkpoint(CHECKPOINT_NAME),
        "tables": [log_table.identifier, predictions_table.identifier],
    }


def micro_batches_with_rows(progress: list) -> int:
    """How many micro-batches of a finished query read rows (from its progress, as the driver sees it)."""
    return len({entry.batchId for entry in progress if entry.numInputRows > 0})
