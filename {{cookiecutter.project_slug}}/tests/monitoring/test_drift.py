"""Drift statistics on hand-computed examples."""

import math

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.monitoring.drift import (
    PSI_FLOOR,
    Statistic,
    aligned_columns,
    bin_labels,
    chi_square,
    drift_statistics,
    ks_statistic,
    psi,
)
from {{ cookiecutter.package_name }}.monitoring.profile import NumericProfile, Profile

COLUMNS = ["feature", "bin", "category", "is_null", "out_of_range", "count"]


def test_psi_of_two_bins() -> None:
    # shares 0.5/0.5 -> 0.3/0.7: (0.3-0.5) ln(0.3/0.5) + (0.7-0.5) ln(0.7/0.5) = 0.2 ln(7/3)
    assert psi(np.array([50, 50]), np.array([30, 70])) == pytest.approx(0.2 * math.log(7 / 3), rel=1e-12)


def test_psi_is_zero_for_identical_shares_whatever_the_sizes() -> None:
    assert psi(np.array([10, 30]), np.array([100, 300])) == 0.0


def test_psi_floors_an_empty_bin() -> None:
    expected = (0.5 - 1) * math.log(0.5) + (0.5 - PSI_FLOOR) * math.log(0.5 / PSI_FLOOR)
    assert psi(np.array([100, 0]), np.array([50, 50])) == pytest.approx(expected, rel=1e-12)


def test_ks_is_the_largest_gap_between_cumulative_shares() -> None:
    # cumulative 0.1 0.3 0.6 1.0 against 0.4 0.7 0.9 1.0
    assert ks_statistic(np.array([10, 20, 30, 40]), np.array([40, 30, 20, 10])) == pytest.approx(0.4)


def test_chi_square_of_a_two_by_two_table() -> None:
    statistic, p_value = chi_square(np.array([50, 50]), np.array([30, 70]))

    # expected counts 40/60 per row: 2 * (10^2/40 + 10^2/60) = 25/3; one degree of freedom
    assert statistic == pytest.approx(25 / 3, rel=1e-12)
    assert p_value == pytest.approx(math.erfc(math.sqrt(25 / 6)), rel=1e-9)


def test_chi_square_of_an_empty_side_finds_no_difference_instead_of_nan() -> None:
    """A window (or reference) without a single value: no evidence either way, not a NaN p-value."""
    assert chi_square(np.array([0, 0]), np.array([3, 4])) == (0.0, 1.0)
    assert chi_square(np.array([5, 2]), np.array([0, 0])) == (0.0, 1.0)


def test_chi_square_ignores_categories_empty_on_both_sides_and_needs_two() -> None:
    assert chi_square(np.array([50, 0, 50]), np.array([30, 0, 70]))[0] == pytest.approx(25 / 3)
    assert chi_square(np.array([5, 0]), np.array([7, 0])) == (0.0, 1.0)


def test_bin_labels() -> None:
    assert bin_labels(NumericProfile((1.0, 2.5), 0.0, 9.0)) == ("<= 1", "(1, 2.5]", "> 2.5")
    assert bin_labels(NumericProfile((), 0.0, 0.0)) == ("all",)


def _counts(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


PROFILE = Profile({"x": NumericProfile((1.0,), 0.0, 2.0)}, ("c",))
REFERENCE = _counts(
    [
        ("x", 0, None, False, False, 50),
        ("x", 1, None, False, False, 50),
        ("c", None, "a", False, False, 50),
        ("c", None, "b", False, False, 50),
    ]
)


def test_drift_statistics_from_counts() -> None:
    window = _counts(
        [
            ("x", 0, None, False, False, 27),
            ("x", 0, None, False, True, 3),  # 3 values below the reference minimum
            ("x", 1, None, False, False, 70),
            ("x", None, None, True, False, 25),  # 25 of 125 are null
            ("c", None, "a", False, False, 30),
            ("c", None, "b", False, False, 60),
            ("c", None, "new", False, False, 10),  # a category the reference never had
        ]
    )

    statistics = {(s.feature, s.metric): s.value for s in drift_statistics(REFERENCE, window, PROFILE)}

    r_floor = PSI_FLOOR
    categorical_psi = (
        (0.3 - 0.5) * math.log(0.3 / 0.5)
        + (0.6 - 0.5) * math.log(0.6 / 0.5)
        + (0.1 - r_floor) * math.log(0.1 / r_floor)
    )
    _, p_value = chi_square(np.array([50, 50, 0]), np.array([30, 60, 10]))
    assert statistics == pytest.approx(
        {
            ("x", "null_rate"): 0.2,
            ("x", "psi"): 0.2 * math.log(7 / 3),
            ("x", "ks"): 0.2,
            ("x", "range_violation_rate"): 0.03,
            ("c", "null_rate"): 0.0,
            ("c", "psi"): categorical_psi,
            ("c", "chi2_p_value"): p_value,
            ("c", "unseen_category_rate"): 0.1,
        },
        rel=1e-12,
    )


def test_a_column_null_throughout_the_window_reports_only_its_null_rate() -> None:
    window = _counts([("x", None, None, True, False, 4), ("c", None, "a", False, False, 4)])

    statistics = drift_statistics(REFERENCE, window, PROFILE)

    assert [s for s in statistics if s.feature == "x"] == [Statistic("x", "null_rate", 1.0)]


def test_aligned_columns_fill_missing_bins_and_categories_with_zero() -> None:
    window = _counts([("x", 1, None, False, False, 5), ("c", None, "z", False, False, 2)])

    x, c = aligned_columns(REFERENCE, window, PROFILE)

    assert (x.labels, x.reference.tolist(), x.window.tolist()) == (("<= 1", "> 1"), [50, 50], [0, 5])
    assert (c.labels, c.reference.tolist(), c.window.tolist()) == (("a", "b", "z"), [50, 50, 0], [0, 0, 2])
