"""Binned counts in one pass: bins closed on the right, nulls and NaN apart, range flags, categories."""

import pandas as pd
from chispa import assert_df_equality

from {{ cookiecutter.package_name }}.monitoring.binning import COUNTS_SCHEMA, bucket_counts, collect_counts
from {{ cookiecutter.package_name }}.monitoring.profile import NumericProfile, Profile

PROFILE = Profile({"x": NumericProfile(edges=(1.0, 2.0), minimum=0.0, maximum=3.0)}, ("c",))


def test_bucket_counts_of_a_tiny_frame(spark) -> None:
    frame = spark.createDataFrame(
        [
            (0.0, "a"),
            (1.0, "a"),  # on an edge: the bin below
            (1.5, "b"),
            (2.0, None),
            (2.5, "a"),
            (5.0, "z"),  # above the reference maximum
            (-1.0, "b"),  # below the reference minimum
            (None, "a"),
            (float("nan"), "b"),
        ],
        "x double, c string",
    )

    counts = bucket_counts(frame, PROFILE)

    expected = spark.createDataFrame(
        [
            ("x", 0, None, False, False, 2),
            ("x", 0, None, False, True, 1),
            ("x", 1, None, False, False, 2),
            ("x", 2, None, False, False, 1),
            ("x", 2, None, False, True, 1),
            ("x", None, None, True, False, 2),
            ("c", None, "a", False, False, 4),
            ("c", None, "b", False, False, 3),
            ("c", None, "z", False, False, 1),
            ("c", None, None, True, False, 1),
        ],
        COUNTS_SCHEMA,
    )
    assert_df_equality(counts, expected, ignore_row_order=True, ignore_nullable=True)


def test_an_empty_frame_has_no_counts(spark) -> None:
    empty = spark.createDataFrame([], "x double, c string")

    collected = collect_counts(bucket_counts(empty, PROFILE))

    assert collected.empty
    assert list(collected.columns) == ["feature", "bin", "category", "is_null", "out_of_range", "count"]


def test_collect_counts_brings_the_rows_to_pandas(spark) -> None:
    frame = spark.createDataFrame([(0.5, "a"), (0.7, "a")], "x double, c string")

    collected = collect_counts(bucket_counts(frame, PROFILE)).sort_values("feature", ignore_index=True)

    assert collected[["feature", "category", "count"]].to_dict("records") == [
        {"feature": "c", "category": "a", "count": 2},
        {"feature": "x", "category": None, "count": 2},
    ]
    assert collected["count"].dtype == "int64"
    assert isinstance(collected, pd.DataFrame)
