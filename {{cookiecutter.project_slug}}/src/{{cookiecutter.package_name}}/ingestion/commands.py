"""`ingest`: new landing files -> accepted rows in bronze tables, rejected rows in quarantine."""

from __future__ import annotations

import argparse

from ..arguments import bounded_int
from ..commands import Command, Context
from ..contracts.landing import DATASETS
from ..progress import logger


def _add_ingest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-files-per-batch",
        type=bounded_int(1, 100_000),
        default=None,
        help="process at most this many files per micro-batch (default: all new files in one batch)",
    )


def run_ingest(context: Context, args: argparse.Namespace) -> dict:
    from .ingest import ingest_dataset

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


COMMANDS = [
    Command(
        name="ingest",
        help="load new landing files into bronze tables; invalid rows go to quarantine",
        run=run_ingest,
        add_arguments=_add_ingest_arguments,
    ),
]
