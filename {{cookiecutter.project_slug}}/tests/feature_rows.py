"""Rows of the feature contract, by column name.

A test names the key and the features it is about; every other feature gets a neutral value, and
column order and types come from features/spec.py. Adding a feature column then breaks only the tests
about feature values (the transform's), not every test that needs a feature row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from {{ cookiecutter.package_name }}.features.spec import (
    CATEGORICAL_FEATURES,
    ENTITY_COLUMN,
    FEATURE_COLUMNS,
    FEATURE_TS_COLUMN,
    FEATURES_SCHEMA,
    LABEL_COLUMN,
    LABEL_TS_COLUMN,
    LOOKUP_NUMERIC_FEATURES,
    STORED_NUMERIC_TYPES,
    TRAINING_SET_COLUMNS,
)

TYPES = {
    ENTITY_COLUMN: "string",
    FEATURE_TS_COLUMN: "timestamp",
    **STORED_NUMERIC_TYPES,
    **dict.fromkeys(LOOKUP_NUMERIC_FEATURES, "double"),
    **dict.fromkeys(CATEGORICAL_FEATURES, "string"),
    LABEL_TS_COLUMN: "timestamp",
    LABEL_COLUMN: "int",
}
NEUTRAL = {
    **{name: 0 if spark_type == "bigint" else 0.0 for name, spark_type in STORED_NUMERIC_TYPES.items()},
    **dict.fromkeys(LOOKUP_NUMERIC_FEATURES, 0.0),
    **dict.fromkeys(CATEGORICAL_FEATURES),
}


def schema(columns: Iterable[str]) -> str:
    """A DDL schema for contract columns, e.g. schema(TRAINING_SET_COLUMNS)."""
    return ", ".join(f"{column} {TYPES[column]}" for column in columns)


def ordered(values: Mapping[str, object], columns: Iterable[str]) -> tuple:
    """`values` as a row of `columns`; a name that is not one of them is a mistake in the test."""
    columns = tuple(columns)
    unknown = sorted(set(values) - set(columns))
    if unknown:
        raise TypeError(f"not columns of this row: {unknown}")
    return tuple({**NEUTRAL, **values}[column] for column in columns)


def varied(number: int, channel: str | None = None) -> dict:
    """Feature values that differ per column and per `number`, so a value in the wrong place shows."""
    values: dict[str, object] = dict.fromkeys(CATEGORICAL_FEATURES, channel)
    for position, (name, spark_type) in enumerate(STORED_NUMERIC_TYPES.items(), start=1):
        value = number * 10 + position
        values[name] = value if spark_type == "bigint" else value + 0.5
    return values


def feature_row(customer_id: str | None, feature_ts, **features) -> tuple:
    """A customer_features row (FEATURES_SCHEMA order)."""
    return ordered({ENTITY_COLUMN: customer_id, FEATURE_TS_COLUMN: feature_ts, **features}, FEATURE_COLUMNS)


def features_frame(spark, rows: Iterable[tuple]):
    return spark.createDataFrame(list(rows), FEATURES_SCHEMA)


def training_row(customer_id: str, label_ts, feature_ts, churned: int, **features) -> tuple:
    """A training_set row (TRAINING_SET_COLUMNS order)."""
    values = {
        ENTITY_COLUMN: customer_id,
        LABEL_TS_COLUMN: label_ts,
        FEATURE_TS_COLUMN: feature_ts,
        LABEL_COLUMN: churned,
        **features,
    }
    return ordered(values, TRAINING_SET_COLUMNS)
