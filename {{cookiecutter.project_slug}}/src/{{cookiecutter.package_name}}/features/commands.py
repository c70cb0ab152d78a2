"""`ingest` (landing files -> bronze + quarantine) and `features` (bronze -> features -> training set)."""

from __future__ import annotations

import argparse

from ..arguments import bounded_int
from ..commands import Command, Context
from ..errors import LifecycleError
from ..progress import logger
from ..tables import (
    declare_primary_key,
    last_operation_metrics,
    overwrite_table,
    read_table,
    table_exists,
    table_version,
    upsert,
)
from .ingest import ingest_dataset
from .schema import DATASETS, EVENTS, LABELS
from .spec import FEATURE_TS_COLUMN, KEY_COLUMNS
from .training_set import build_training_set
from .transforms import customer_features

FEATURES_TABLE = "customer_features"
TRAINING_SET_TABLE = "training_set"


def _add_ingest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-files-per-batch",
        type=bounded_int(1, 100_000),
        default=None,
        help="process at most this many files per micro-batch (default: all new files in one batch)",
    )


def run_ingest(context: Context, args: argparse.Namespace) -> dict:
    summary: dict = {}
    for dataset in DATASETS:
        result = ingest_dataset(context.spark, context.config, dataset, args.max_files_per_batch)
        logger.info(
            "ingest %s: %d rows in = %d accepted + %d quarantined + %d duplicates (%d files, %d batches)",
            dataset.name,
            result.rows_in,
            result.accepted,
            result.quarantined,
            result.duplicates,
            result.files,
            result.batches,
        )
        summary.update(result.summary())
    config = context.config
    summary["tables"] = {
        dataset.name: {
            "accepted": config.table(dataset.table).identifier,
            "quarantine": config.table(dataset.quarantine_table).identifier,
        }
        for dataset in DATASETS
    }
    return summary


def run_features(context: Context, args: argparse.Namespace) -> dict:
    spark, config = context.spark, context.config
    bronze, labels = config.table(EVENTS.table), config.table(LABELS.table)
    for table in (bronze, labels):
        if not table_exists(spark, table):
            raise LifecycleError(f"table {table.identifier} does not exist yet: run `ingest` first")

    features_table = config.table(FEATURES_TABLE)
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

    training_table = config.table(TRAINING_SET_TABLE)
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


COMMANDS = [
    Command(
        name="ingest",
        help="load new landing files into bronze tables; invalid rows go to quarantine",
        run=run_ingest,
        add_arguments=_add_ingest_arguments,
    ),
    Command(
        name="features",
        help="compute customer features from bronze (MERGE) and rebuild the training set",
        run=run_features,
    ),
]
