"""`features`: bronze -> customer features (MERGE) -> the training set, and what the run did."""

from __future__ import annotations

from pyspark.sql import SparkSession

from ..config import Config
from ..contracts.landing import EVENTS, LABELS
from ..contracts.tables import Table
from ..errors import LifecycleError
from ..tables import (
    declare_primary_key,
    last_operation_metrics,
    overwrite_table,
    read_table,
    table_exists,
    table_version,
    upsert,
)
from .spec import FEATURE_TS_COLUMN, KEY_COLUMNS
from .training_set import build_training_set
from .transforms import customer_features


def build_features(spark: SparkSession, config: Config) -> dict:
    """Bronze -> customer features (MERGE) -> the training set; the `features` command's summary."""
    bronze, labels = config.table(EVENTS.table), config.table(LABELS.table)
    for table in (bronze, labels):
        if not table_exists(spark, table):
            raise LifecycleError(f"table {table.identifier} does not exist yet: run `ingest` first")

    features_table = config.table(Table.CUSTOMER_FEATURES)
    created = not table_exists(spark, features_table)
    before = None if created else table_version(spark, features_table)
    upsert(customer_features(read_table(spark, bronze)), features_table, KEY_COLUMNS)
    # A MERGE that changes nothing may commit nothing: then no metrics of this run exist.
    merged = (
        last_operation_metrics(spark, features_table)
        if table_version(spark, features_table) != before
        else {}
    )
    # Every run, not only the creating one: a run that failed between the write and the declaration
    # would otherwise leave the table without its key for good. The statements are idempotent.
    declare_primary_key(spark, features_table, KEY_COLUMNS, timeseries=FEATURE_TS_COLUMN)

    training_table = config.table(Table.TRAINING_SET)
    label_rows = read_table(spark, labels)
    overwrite_table(build_training_set(read_table(spark, features_table), label_rows), training_table)
    training_rows = read_table(spark, training_table).count()
    label_count = label_rows.count()
    return {
        "feature_rows": read_table(spark, features_table).count(),
        # On the first run the table is created by a plain write (all rows are new).
        "feature_rows_inserted": int(merged.get("numTargetRowsInserted", merged.get("numOutputRows", 0))),
        "feature_rows_updated": int(merged.get("numTargetRowsUpdated", 0)),
        "labels": label_count,
        "training_rows": training_rows,
        "labels_without_history": label_count - training_rows,
        "tables": {
            "features": features_table.identifier,
            "training_set": training_table.identifier,
        },
        "versions": {
            "features": table_version(spark, features_table),
            "training_set": table_version(spark, training_table),
        },
    }
