"""Reference profiles: quantile cut points, distinct edges, min and max, clear errors."""

import pytest

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.monitoring.profile import (
    EmptyReferenceError,
    NumericProfile,
    Profile,
    distinct_edges,
    profile_reference,
    quantile_levels,
)


def test_quantile_levels_are_the_inner_cut_points() -> None:
    assert quantile_levels(4) == [0.25, 0.5, 0.75]
    with pytest.raises(ValueError, match="at least 2"):
        quantile_levels(1)


def test_repeated_quantiles_of_a_discrete_column_become_distinct_edges() -> None:
    assert distinct_edges([0, 0, 1, 1, 3]) == (0.0, 1.0, 3.0)


def test_profile_of_a_small_frame(spark) -> None:
    frame = spark.createDataFrame(
        [(float(value), "a", 1) for value in range(1, 9)] + [(None, None, 2), (float("nan"), "b", 2)],
        "x double, c string, k int",
    )

    profile = profile_reference(frame, ("x", "k"), ("c",), bins=4)

    # x: 8 values 1..8, quartile cut points 2, 4, 6 (NaN and null left out); k: 8 ones and 2 twos.
    assert profile == Profile(
        {"x": NumericProfile((2.0, 4.0, 6.0), 1.0, 8.0), "k": NumericProfile((1.0,), 1.0, 2.0)},
        ("c",),
    )


def test_an_empty_reference_is_a_clear_error(spark) -> None:
    empty = spark.createDataFrame([], "x double")

    with pytest.raises(EmptyReferenceError, match="reference is empty"):
        profile_reference(empty, ("x",), (), bins=10)


def test_an_all_null_column_cannot_be_binned(spark) -> None:
    frame = spark.createDataFrame([(None,), (None,)], "x double")

    with pytest.raises(LifecycleError, match="'x' has only null values"):
        profile_reference(frame, ("x",), (), bins=10)


def test_a_missing_column_is_named(spark) -> None:
    frame = spark.createDataFrame([(1.0,)], "x double")

    with pytest.raises(LifecycleError, match=r"lacks column\(s\) \['y'\]"):
        profile_reference(frame, ("x", "y"), (), bins=10)


def test_merging_profiles_refuses_a_column_twice() -> None:
    first = Profile({"x": NumericProfile((1.0,), 0.0, 2.0)}, ("c",))
    second = Profile({"p": NumericProfile((0.5,), 0.0, 1.0)})

    assert first.merged(second).columns == ("x", "p", "c")
    with pytest.raises(ValueError, match="profiled twice"):
        first.merged(first)
