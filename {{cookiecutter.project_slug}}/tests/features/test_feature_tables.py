"""The table helpers this stage added: insert-only MERGE and the Unity Catalog primary key."""

import pytest
from chispa import assert_df_equality

from {{ cookiecutter.package_name }}.config import TableName
from {{ cookiecutter.package_name }}.tables import insert_new_rows, primary_key_statements, read_table

SCHEMA = "event_id string, amount double"


@pytest.fixture
def table(tmp_path) -> TableName:
    path = str(tmp_path / "events")
    return TableName("events", f"delta.`{path}`", path)


def test_insert_new_rows_keeps_the_first_row_per_key_and_counts_inserts(spark, table) -> None:
    first = insert_new_rows(spark.createDataFrame([("a", 1.0), ("b", 2.0)], SCHEMA), table, ["event_id"])
    second = insert_new_rows(spark.createDataFrame([("b", 20.0), ("c", 3.0)], SCHEMA), table, ["event_id"])
    replay = insert_new_rows(spark.createDataFrame([("b", 20.0), ("c", 3.0)], SCHEMA), table, ["event_id"])

    assert (first, second, replay) == (2, 1, 0)
    expected = spark.createDataFrame([("a", 1.0), ("b", 2.0), ("c", 3.0)], SCHEMA)
    assert_df_equality(read_table(spark, table), expected, ignore_row_order=True)


def test_primary_key_statements_for_unity_catalog_only(table) -> None:
    catalog_table = TableName("customer_features", "cat.sch.customer_features")

    assert primary_key_statements(table, ["customer_id"]) == []
    assert primary_key_statements(catalog_table, ["customer_id", "feature_ts"], timeseries="feature_ts") == [
        "ALTER TABLE cat.sch.customer_features ALTER COLUMN `customer_id` SET NOT NULL",
        "ALTER TABLE cat.sch.customer_features ALTER COLUMN `feature_ts` SET NOT NULL",
        "ALTER TABLE cat.sch.customer_features DROP CONSTRAINT IF EXISTS `customer_features_pk`",
        "ALTER TABLE cat.sch.customer_features ADD CONSTRAINT `customer_features_pk` "
        "PRIMARY KEY (`customer_id`, `feature_ts` TIMESERIES)",
    ]
