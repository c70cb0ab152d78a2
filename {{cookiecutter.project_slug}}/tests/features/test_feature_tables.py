"""The table helpers this stage added: keep-first MERGE and the Unity Catalog primary key."""

import pytest
from chispa import assert_df_equality

from {{ cookiecutter.package_name }}.config import TableName
from {{ cookiecutter.package_name }}.tables import (
    insert_new_rows,
    keep_first,
    primary_key_statements,
    read_table,
)

SCHEMA = "event_id string, amount double"


@pytest.fixture
def table(tmp_path) -> TableName:
    path = str(tmp_path / "events")
    return TableName("events", f"delta.`{path}`", path)


def test_insert_new_rows_keeps_the_first_row_written_per_key(spark, table) -> None:
    insert_new_rows(spark.createDataFrame([("a", 1.0), ("b", 2.0)], SCHEMA), table, ["event_id"])
    insert_new_rows(spark.createDataFrame([("b", 20.0), ("c", 3.0)], SCHEMA), table, ["event_id"])
    insert_new_rows(spark.createDataFrame([("b", 20.0), ("c", 3.0)], SCHEMA), table, ["event_id"])

    expected = spark.createDataFrame([("a", 1.0), ("b", 2.0), ("c", 3.0)], SCHEMA)
    assert_df_equality(read_table(spark, table), expected, ignore_row_order=True)


@pytest.mark.parametrize(
    "split", [[[0, 1, 2, 3]], [[0, 1], [2, 3]], [[3], [2], [1], [0]], [[2, 3], [0, 1], [2]]]
)
def test_keep_first_keeps_the_same_rows_however_they_are_split_and_replayed(spark, table, split) -> None:
    rows = [("a", 5.0), ("b", 2.0), ("a", 1.0), ("b", 2.5)]
    order = [("amount", True)]
    for call in split:
        # One row per key in each call, as the caller guarantees (it deduplicates with the same order).
        firsts = {}
        for event_id, amount in sorted(rows[index] for index in call):
            firsts.setdefault(event_id, (event_id, amount))
        keep_first(spark.createDataFrame(list(firsts.values()), SCHEMA), table, ["event_id"], order)

    expected = spark.createDataFrame([("a", 1.0), ("b", 2.0)], SCHEMA)
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
