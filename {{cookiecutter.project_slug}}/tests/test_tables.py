"""A real Delta round trip through the project's session: write, overwrite, merge, time travel."""

import pytest
from chispa import assert_df_equality

from {{ cookiecutter.package_name }}.config import TableName
from {{ cookiecutter.package_name }}.tables import (
    append_to_table,
    create_empty_table,
    overwrite_table,
    read_table,
    table_exists,
    table_version,
    upsert,
)

SCHEMA = "customer_id string, score double"


@pytest.fixture
def table(tmp_path) -> TableName:
    path = str(tmp_path / "scores")
    return TableName("scores", f"delta.`{path}`", path)


def test_write_overwrite_and_read_an_older_version(spark, table) -> None:
    first = spark.createDataFrame([("a", 1.0), ("b", 2.0)], SCHEMA)
    second = spark.createDataFrame([("c", 3.0)], SCHEMA)

    assert not table_exists(spark, table)
    overwrite_table(first, table)
    overwrite_table(second, table)

    assert table_exists(spark, table)
    assert table_version(spark, table) == 1
    assert_df_equality(read_table(spark, table), second, ignore_row_order=True)
    assert_df_equality(read_table(spark, table, version=0), first, ignore_row_order=True)


def test_upsert_updates_matches_inserts_the_rest_and_is_idempotent(spark, table) -> None:
    upsert(spark.createDataFrame([("a", 1.0), ("b", 2.0)], SCHEMA), table, keys=["customer_id"])
    batch = spark.createDataFrame([("b", 20.0), ("c", 30.0)], SCHEMA)

    upsert(batch, table, keys=["customer_id"])
    version_after_first_merge = table_version(spark, table)
    upsert(batch, table, keys=["customer_id"])

    expected = spark.createDataFrame([("a", 1.0), ("b", 20.0), ("c", 30.0)], SCHEMA)
    assert_df_equality(read_table(spark, table), expected, ignore_row_order=True)
    rerun = spark.sql(f"DESCRIBE HISTORY {table.identifier}").orderBy("version", ascending=False).first()
    assert rerun["version"] == version_after_first_merge + 1
    assert rerun["operationMetrics"]["numTargetRowsUpdated"] == "0"
    assert rerun["operationMetrics"]["numTargetRowsInserted"] == "0"


def test_append_adds_rows(spark, table) -> None:
    rows = spark.createDataFrame([("a", 1.0)], SCHEMA)
    append_to_table(rows, table)
    append_to_table(rows, table)

    assert read_table(spark, table).count() == 2


def test_an_empty_table_is_created_once_with_its_schema(spark, table) -> None:
    create_empty_table(spark, table, SCHEMA)
    append_to_table(spark.createDataFrame([("a", 1.0)], SCHEMA), table)
    create_empty_table(spark, table, "other string")  # exists: left as it is

    assert read_table(spark, table).schema == spark.createDataFrame([], SCHEMA).schema
    assert read_table(spark, table).count() == 1
    assert table_version(spark, table) == 1


def test_an_empty_table_is_created_by_name_as_in_a_catalog(spark) -> None:
    """On Databricks a table is a catalog name, not a path: the same SQL must create it there."""
    spark.sql("CREATE DATABASE IF NOT EXISTS empty_tables")
    table = TableName("named", "empty_tables.named")
    try:
        create_empty_table(spark, table, SCHEMA)
        create_empty_table(spark, table, SCHEMA)

        assert spark.catalog.tableExists(table.identifier)
        assert read_table(spark, table).schema == spark.createDataFrame([], SCHEMA).schema
    finally:
        spark.sql("DROP DATABASE IF EXISTS empty_tables CASCADE")


def test_upsert_needs_keys(spark, table) -> None:
    with pytest.raises(ValueError, match="at least one key"):
        upsert(spark.createDataFrame([("a", 1.0)], SCHEMA), table, keys=[])
