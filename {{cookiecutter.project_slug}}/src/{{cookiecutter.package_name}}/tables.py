"""Reading and writing Delta tables by `TableName`, the same way locally and on Unity Catalog.

This is the I/O edge: transforms elsewhere take and return DataFrames and never touch storage.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .config import TableName

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, DataFrameWriter, SparkSession


def table_exists(spark: SparkSession, table: TableName) -> bool:
    if table.path is not None:
        from delta.tables import DeltaTable

        return DeltaTable.isDeltaTable(spark, table.path)
    return spark.catalog.tableExists(table.identifier)


def read_table(spark: SparkSession, table: TableName, version: int | None = None) -> DataFrame:
    """The table's current content, or the content at an older Delta `version` (time travel)."""
    reader = spark.read
    if version is not None:
        reader = reader.option("versionAsOf", version)
    return reader.table(table.identifier)


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


def upsert(spark: SparkSession, df: DataFrame, table: TableName, keys: Sequence[str]) -> None:
    """MERGE `df` into the table on `keys`: matched rows are updated, new rows inserted.

    Running the same batch again leaves the table content unchanged. The first call creates the table.
    `df` must hold at most one row per key (MERGE fails on ambiguous matches).
    """
    if not keys:
        raise ValueError("upsert needs at least one key column")
    if not table_exists(spark, table):
        _save(df.write.format("delta").mode("errorifexists"), table)
        return
    from delta.tables import DeltaTable

    match = " AND ".join(f"target.`{key}` <=> source.`{key}`" for key in keys)
    # Rewrite a matched row only when a value changed, so a rerun rewrites no files.
    changed = " OR ".join(
        f"NOT (target.`{column}` <=> source.`{column}`)" for column in df.columns if column not in keys
    )
    merge = DeltaTable.forName(spark, table.identifier).alias("target").merge(df.alias("source"), match)
    merge = merge.whenMatchedUpdateAll(condition=changed or None) if changed else merge
    merge.whenNotMatchedInsertAll().execute()


def table_version(spark: SparkSession, table: TableName) -> int:
    """The table's latest Delta version (for lineage tags and time travel)."""
    from delta.tables import DeltaTable

    return DeltaTable.forName(spark, table.identifier).history(1).select("version").first()[0]
