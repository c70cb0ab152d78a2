"""Binned counts of every profiled column of a frame, in one pass over it.

Each row is expanded into one (feature, bin or category) entry per column and the entries are counted
in a single aggregation, so a window of any size shrinks to a few hundred rows of counts. The
statistics (PSI, KS, chi-square, null and range rates) are then computed from those counts alone.
"""

from __future__ import annotations

import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from .profile import NumericProfile, Profile

COUNT_COLUMNS = ("feature", "bin", "category", "is_null", "out_of_range", "count")
COUNTS_SCHEMA = (
    "feature string, bin int, category string, is_null boolean, out_of_range boolean, count bigint"
)


def _numeric_entry(column: str, profile: NumericProfile) -> Column:
    value = F.col(f"`{column}`").cast("double")
    is_null = value.isNull() | F.isnan(value)
    bin_index = F.lit(len(profile.edges))
    # Bins are closed on the right: a value equal to an edge belongs to the bin below it.
    for index in reversed(range(len(profile.edges))):
        bin_index = F.when(value <= F.lit(profile.edges[index]), F.lit(index)).otherwise(bin_index)
    return F.struct(
        F.lit(column).alias("feature"),
        F.when(~is_null, bin_index).cast("int").alias("bin"),
        F.lit(None).cast("string").alias("category"),
        is_null.alias("is_null"),
        (~is_null & ((value < F.lit(profile.minimum)) | (value > F.lit(profile.maximum)))).alias(
            "out_of_range"
        ),
    )


def _categorical_entry(column: str) -> Column:
    value = F.col(f"`{column}`").cast("string")
    return F.struct(
        F.lit(column).alias("feature"),
        F.lit(None).cast("int").alias("bin"),
        value.alias("category"),
        value.isNull().alias("is_null"),
        F.lit(False).alias("out_of_range"),
    )


def bucket_counts(frame: DataFrame, profile: Profile) -> DataFrame:
    """Rows (feature, bin, category, is_null, out_of_range, count) for every profiled column.

    Numeric columns fill `bin` (null when the value is null or NaN) and flag values outside the
    profile's [min, max]; categorical columns fill `category`. Lazy: nothing runs until it is read.
    """
    missing = [column for column in profile.columns if column not in frame.columns]
    if missing:
        raise ValueError(f"the frame lacks profiled column(s) {missing}; it has {frame.columns}")
    entries = [_numeric_entry(column, numeric) for column, numeric in profile.numeric.items()]
    entries += [_categorical_entry(column) for column in profile.categorical]
    expanded = frame.select(F.inline(F.array(*entries)))
    return expanded.groupBy("feature", "bin", "category", "is_null", "out_of_range").agg(
        F.count(F.lit(1)).alias("count")
    )


def collect_counts(counts: DataFrame) -> pd.DataFrame:
    """Run the counting pass and bring its few rows to the driver (one Spark job)."""
    rows = [row.asDict() for row in counts.collect()]
    frame = pd.DataFrame(rows, columns=list(COUNT_COLUMNS))
    return frame.astype({"count": "int64"})
