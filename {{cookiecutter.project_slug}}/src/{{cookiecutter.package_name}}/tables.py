"""Reading and writing Delta tables by `TableName`, the same way locally and on Unity Catalog.

This is the I/O edge: transforms elsewhere take and return DataFrames and never touch storage. Only
DataFrame and SQL APIs are used (no `delta.tables.DeltaTable`), so it runs over Spark Connect too.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from pyspark.sql import DataFrame, DataFrameWriter, SparkSession

from .config import TableName


def table_exists(spark: SparkSession, table: TableName) -> bool:
    if table.path is not None:
        # A path-based table is a folder with a Delta log (on this machine: no Spark call needed).
        return Path(table.path, "_delta_log").is_dir()
    return spark.catalog.tableExists(table.identifier)


def read_table(spark: SparkSession, table: TableName, version: int | None = None) -> DataFrame:
    """The table's current content, or the content at an older Delta `version` (time travel)."""
    reader = spark.read
    if version is not None:
        reader = reader.option("versionAsOf", version)
    return reader.table(table.identifier)


# Write modes are spelled the way Spark Connect accepts them too ("error", not "errorifexists").
def _save(writer: DataFrameWriter, table: TableName) -> None:
    # A path-based identifier cannot be appended to before its folder exists; the path can.
    if table.path is not None:
        writer.save(table.path)
    else:
        writer.saveAsTable(table.identifier)


def overwrite_table(df: DataFrame, table: TableName) -> None:
    _save(df.write.format("delta").mode("overwrite").option("overwriteSchema", "true"), table)


def append_to_table(df: DataFrame, table: TableName) -> None:
    _save(df.write.format("delta").mode("append"), table)


def replace_where(df: DataFrame, table: TableName, condition: str) -> None:
    """Replace the rows matching the SQL `condition` with `df`, atomically (Delta replaceWhere).

    Rerunning with the same condition replaces the same rows, so a rerun never duplicates them.
    Every row of `df` must match `condition` (Delta refuses the write otherwise). Creates the table.
    """
    writer = df.write.format("delta").mode("overwrite").option("replaceWhere", condition)
    _save(writer, table)


def create_empty_table(spark: SparkSession, table: TableName, schema: str) -> None:
    """Create the table with this DDL schema and no rows, unless it exists (a metadata-only commit:
    writing an empty DataFrame costs a Spark job, about 3x as long)."""
    spark.sql(f"CREATE TABLE IF NOT EXISTS {table.identifier} ({schema}) USING DELTA")


def _merge(df: DataFrame, table: TableName, keys: Sequence[str], replace_when: str | None) -> None:
    """MERGE `df` into the table on `keys` in SQL (it works on Spark Connect and serverless too).

    New keys are inserted; matched rows are replaced where the SQL condition `replace_when` (over
    `source` and `target`) holds, and never when it is None.
    """
    spark = df.sparkSession
    view = f"merge_source_{uuid.uuid4().hex}"
    match = " AND ".join(f"target.`{key}` <=> source.`{key}`" for key in keys)
    update = f"WHEN MATCHED AND ({replace_when}) THEN UPDATE SET * " if replace_when else ""
    df.createOrReplaceTempView(view)
    try:
        spark.sql(
            f"MERGE INTO {table.identifier} AS target USING {view} AS source ON {match} "
            f"{update}WHEN NOT MATCHED THEN INSERT *"
        )
    finally:
        spark.catalog.dropTempView(view)


def _any_value_changed(df: DataFrame, keys: Sequence[str]) -> str | None:
    changed = [
        f"NOT (target.`{column}` <=> source.`{column}`)" for column in df.columns if column not in keys
    ]
    return " OR ".join(changed) or None


def precedes(order: Sequence[tuple[str, bool]]) -> str:
    """SQL: the source row comes before the target row in `order` ((column, ascending) pairs)."""
    clauses = []
    for position, (column, ascending) in enumerate(order):
        equal_before = [f"source.`{earlier}` <=> target.`{earlier}`" for earlier, _ in order[:position]]
        comparison = f"source.`{column}` {'<' if ascending else '>'} target.`{column}`"
        clauses.append("(" + " AND ".join([*equal_before, comparison]) + ")")
    return " OR ".join(clauses)


def upsert(df: DataFrame, table: TableName, keys: Sequence[str]) -> None:
    """MERGE `df` into the table on `keys`: matched rows are updated, new rows inserted.

    Running the same batch again leaves the table content unchanged. The first call creates the table.
    `df` must hold at most one row per key (MERGE fails on ambiguous matches).
    """
    if not keys:
        raise ValueError("upsert needs at least one key column")
    if not table_exists(df.sparkSession, table):
        _save(df.write.format("delta").mode("error"), table)
        return
    # Rewrite a matched row only when a value changed, so a rerun rewrites no files.
    _merge(df, table, keys, replace_when=_any_value_changed(df, keys))


def insert_new_rows(df: DataFrame, table: TableName, keys: Sequence[str]) -> None:
    """Insert the rows of `df` whose keys the table lacks (MERGE, insert only).

    Rows already present are left exactly as they are (the first write wins), so replaying a batch
    changes nothing. `df` must hold at most one row per key. The first call creates the table.
    """
    keep_first(df, table, keys, order=())


def keep_first(
    df: DataFrame, table: TableName, keys: Sequence[str], order: Sequence[tuple[str, bool]]
) -> None:
    """Merge `df` so that the table keeps, per key, the first row in `order` of all rows ever merged.

    `order` holds (column, ascending) pairs; a row replaces the stored one only when it comes strictly
    before it, so the result does not depend on how rows were split into calls, and replaying a call
    changes nothing. Empty `order`: the first row written wins. `df` must hold one row per key.
    """
    if not keys:
        raise ValueError("keep_first needs at least one key column")
    if not table_exists(df.sparkSession, table):
        _save(df.write.format("delta").mode("error"), table)
        return
    _merge(df, table, keys, replace_when=precedes(order) if order else None)


def primary_key_statements(table: TableName, keys: Sequence[str], timeseries: str | None = None) -> list[str]:
    """SQL that declares a Unity Catalog primary key (which marks a feature table); [] for local tables.

    `timeseries` names the key column that is the feature timestamp (point-in-time lookups use it).
    """
    if table.path is not None:
        return []
    columns = ", ".join(f"`{key}`{' TIMESERIES' if key == timeseries else ''}" for key in keys)
    name = f"{table.short_name}_pk"
    return [
        *[f"ALTER TABLE {table.identifier} ALTER COLUMN `{key}` SET NOT NULL" for key in keys],
        f"ALTER TABLE {table.identifier} DROP CONSTRAINT IF EXISTS `{name}`",
        f"ALTER TABLE {table.identifier} ADD CONSTRAINT `{name}` PRIMARY KEY ({columns})",
    ]


def declare_primary_key(
    spark: SparkSession, table: TableName, keys: Sequence[str], timeseries: str | None = None
) -> None:
    """Run `primary_key_statements` (nothing happens for local path-based tables)."""
    for statement in primary_key_statements(table, keys, timeseries):
        spark.sql(statement)


def _latest_commit(spark: SparkSession, table: TableName):
    return (
        spark.sql(f"DESCRIBE HISTORY {table.identifier} LIMIT 1")
        .select("version", "operationMetrics")
        .first()
    )


def table_version(spark: SparkSession, table: TableName) -> int:
    """The table's latest Delta version (for lineage tags and time travel)."""
    return int(_latest_commit(spark, table)["version"])


def read_stream(spark: SparkSession, table: TableName, **options: str) -> DataFrame:
    """The table as a streaming source (Delta options such as skipChangeCommits as keywords)."""
    reader = spark.readStream.format("delta").options(**options)
    return reader.load(table.path) if table.path is not None else reader.table(table.identifier)


def last_operation_metrics(spark: SparkSession, table: TableName) -> dict[str, int]:
    """Row counts Delta recorded for the latest commit (numOutputRows, numTargetRowsInserted, ...)."""
    metrics = _latest_commit(spark, table)["operationMetrics"]
    return {key: int(value) for key, value in (metrics or {}).items() if value.isdigit()}
