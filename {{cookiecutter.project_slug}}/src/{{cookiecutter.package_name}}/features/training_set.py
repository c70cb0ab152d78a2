"""The training set: each label joined with the latest features known at its label_ts."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from .lookup import point_in_time_lookup
from .spec import ENTITY_COLUMN, FEATURE_TS_COLUMN, LABEL_COLUMN, LABEL_TS_COLUMN, TRAINING_SET_COLUMNS

SAMPLE_BUCKETS = 1_000_000


def label_spine(labels: DataFrame) -> DataFrame:
    """The label table's columns the training set needs (extra columns such as source_file dropped)."""
    return labels.select(ENTITY_COLUMN, LABEL_TS_COLUMN, LABEL_COLUMN)


def build_training_set(features: DataFrame, labels: DataFrame) -> DataFrame:
    """TRAINING_SET_COLUMNS for every label that has feature history at its label_ts.

    A label without any feature row at or before its label_ts (a customer with no events yet) has
    nothing to learn from and is left out; `features` reports how many (labels minus rows).
    """
    joined = point_in_time_lookup(features, label_spine(labels), LABEL_TS_COLUMN)
    return joined.where(F.col(FEATURE_TS_COLUMN).isNotNull()).select(*TRAINING_SET_COLUMNS)


def sample_rows(training_set: DataFrame, fraction: float) -> DataFrame:
    """About `fraction` of the rows, chosen by a hash of (customer, label_ts): the same rows on every read
    of the same table version, whatever its partitioning (a seeded random draw depends on it)."""
    bucket = F.pmod(F.xxhash64(ENTITY_COLUMN, LABEL_TS_COLUMN), F.lit(SAMPLE_BUCKETS))
    return training_set.where(bucket < F.lit(round(fraction * SAMPLE_BUCKETS)))
