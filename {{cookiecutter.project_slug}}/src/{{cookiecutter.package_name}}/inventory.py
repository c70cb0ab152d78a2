"""`tables`: every lifecycle table with its row count and Delta version (what is in the lakehouse)."""

from __future__ import annotations

import argparse

from .commands import Command, Context, DataAccess
from .config import TABLES


def lifecycle_tables(context: Context) -> dict[str, dict]:
    """Each existing lifecycle table: its rows, Delta version and identifier (also in run-all's summary)."""
    from .tables import read_table, table_exists, table_version

    spark = context.spark
    inventory = {}
    for short_name in TABLES:
        table = context.config.table(short_name)
        if table_exists(spark, table):
            inventory[short_name] = {
                "rows": read_table(spark, table).count(),
                "version": table_version(spark, table),
                "identifier": table.identifier,
            }
    return inventory


def _run(context: Context, args: argparse.Namespace) -> dict:
    return {"tables": lifecycle_tables(context)}


COMMANDS = [
    Command(
        name="tables",
        help="list the lifecycle tables with their row counts and versions",
        run=_run,
        data=DataAccess.READ,
    )
]
