"""Drift statistics from binned counts (see binning.py): PSI, KS, chi-square, null and range rates.

The counts are a few hundred rows whatever the data size, so the formulas run on the driver in numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

from .profile import NumericProfile, Profile

# Empty bins would make PSI infinite; their share is floored at this (a common convention).
PSI_FLOOR = 1e-4


@dataclass(frozen=True)
class Statistic:
    feature: str
    metric: str
    value: float


@dataclass(frozen=True)
class BinnedColumn:
    """One column's non-null counts on shared bins, reference and window side by side."""

    feature: str
    labels: tuple[str, ...]
    reference: np.ndarray
    window: np.ndarray


def psi(reference: np.ndarray, window: np.ndarray) -> float:
    """Population stability index: sum over bins of (w - r) * ln(w / r), on shares floored at PSI_FLOOR."""
    r = np.maximum(np.asarray(reference, dtype=float) / np.sum(reference), PSI_FLOOR)
    w = np.maximum(np.asarray(window, dtype=float) / np.sum(window), PSI_FLOOR)
    return float(np.sum((w - r) * np.log(w / r)))


def ks_statistic(reference: np.ndarray, window: np.ndarray) -> float:
    """Largest gap between the two cumulative distributions, at the bin edges (ordered bins)."""
    r = np.cumsum(reference) / np.sum(reference)
    w = np.cumsum(window) / np.sum(window)
    return float(np.max(np.abs(r - w)))


def chi_square(reference: np.ndarray, window: np.ndarray) -> tuple[float, float]:
    """Chi-square test that both samples share the category frequencies: (statistic, p-value).

    SciPy's test of the 2 x K contingency table over the categories seen on either side (K - 1 degrees
    of freedom, no continuity correction). Fewer than two categories, or an empty side: no evidence
    of a difference (0, 1).
    """
    table = np.vstack([reference, window]).astype(float)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 0.0, 1.0
    result = chi2_contingency(table, correction=False)
    return float(result.statistic), float(result.pvalue)


def bin_labels(profile: NumericProfile) -> tuple[str, ...]:
    edges = profile.edges
    if not edges:
        return ("all",)
    inner = [f"({low:.4g}, {high:.4g}]" for low, high in pairwise(edges)]
    return (f"<= {edges[0]:.4g}", *inner, f"> {edges[-1]:.4g}")


def _feature_rows(counts: pd.DataFrame, feature: str) -> pd.DataFrame:
    return counts[counts["feature"] == feature]


def align_numeric(
    reference: pd.DataFrame, window: pd.DataFrame, feature: str, profile: NumericProfile
) -> BinnedColumn:
    bins = np.arange(len(profile.edges) + 1)

    def per_bin(counts: pd.DataFrame) -> np.ndarray:
        rows = _feature_rows(counts, feature)
        rows = rows[~rows["is_null"]]
        return rows.groupby("bin")["count"].sum().reindex(bins, fill_value=0).to_numpy(dtype=np.int64)

    return BinnedColumn(feature, bin_labels(profile), per_bin(reference), per_bin(window))


def align_categorical(reference: pd.DataFrame, window: pd.DataFrame, feature: str) -> BinnedColumn:
    def per_category(counts: pd.DataFrame) -> pd.Series:
        rows = _feature_rows(counts, feature)
        return rows[~rows["is_null"]].groupby("category")["count"].sum()

    r, w = per_category(reference), per_category(window)
    categories = sorted(set(r.index) | set(w.index))
    return BinnedColumn(
        feature,
        tuple(categories),
        r.reindex(categories, fill_value=0).to_numpy(dtype=np.int64),
        w.reindex(categories, fill_value=0).to_numpy(dtype=np.int64),
    )


def aligned_columns(reference: pd.DataFrame, window: pd.DataFrame, profile: Profile) -> list[BinnedColumn]:
    """Every profiled column's counts on shared bins (numeric) or categories (categorical)."""
    columns = [align_numeric(reference, window, name, numeric) for name, numeric in profile.numeric.items()]
    return columns + [align_categorical(reference, window, name) for name in profile.categorical]


def _rate(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def drift_statistics(reference: pd.DataFrame, window: pd.DataFrame, profile: Profile) -> list[Statistic]:
    """Per column: psi and null_rate; numeric: ks and range_violation_rate; categorical: chi2_p_value and
    unseen_category_rate. Distribution statistics are left out for a column with no non-null value in
    the window (its null_rate says why)."""
    statistics = []
    for column in aligned_columns(reference, window, profile):
        rows = _feature_rows(window, column.feature)
        total = int(rows["count"].sum())
        present = int(column.window.sum())
        statistics.append(Statistic(column.feature, "null_rate", _rate(total - present, total)))
        if present == 0 or column.reference.sum() == 0:
            continue
        statistics.append(Statistic(column.feature, "psi", psi(column.reference, column.window)))
        if column.feature in profile.numeric:
            statistics.append(Statistic(column.feature, "ks", ks_statistic(column.reference, column.window)))
            outside = int(rows.loc[rows["out_of_range"], "count"].sum())
            statistics.append(Statistic(column.feature, "range_violation_rate", _rate(outside, present)))
        else:
            _, p_value = chi_square(column.reference, column.window)
            statistics.append(Statistic(column.feature, "chi2_p_value", p_value))
            unseen = int(column.window[column.reference == 0].sum())
            statistics.append(Statistic(column.feature, "unseen_category_rate", _rate(unseen, present)))
    return statistics
