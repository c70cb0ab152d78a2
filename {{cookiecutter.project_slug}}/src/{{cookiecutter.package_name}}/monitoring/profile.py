"""The reference side of a drift comparison: quantile bin edges and the value range per numeric column.

One aggregation over the reference (the training set for features, an earlier inference window for the
prediction) gives everything later passes need; the window is then binned on the same edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from ..errors import LifecycleError


class EmptyReferenceError(LifecycleError):
    """The reference frame has no rows."""


# percentile_approx's default accuracy: rank error at most 1/10000 of the row count.
PERCENTILE_ACCURACY = 10_000


@dataclass(frozen=True)
class NumericProfile:
    """Bins are (-inf, e0], (e0, e1], ..., (e_last, +inf): len(edges) + 1 bins, numbered from 0."""

    edges: tuple[float, ...]
    minimum: float
    maximum: float


@dataclass(frozen=True)
class Profile:
    numeric: dict[str, NumericProfile] = field(default_factory=dict)
    categorical: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.numeric, *self.categorical)

    def merged(self, other: Profile) -> Profile:
        """Both profiles' columns, so one pass over a window bins columns of different references."""
        overlap = set(self.columns) & set(other.columns)
        if overlap:
            raise ValueError(f"columns {sorted(overlap)} are profiled twice")
        return Profile({**self.numeric, **other.numeric}, (*self.categorical, *other.categorical))


def quantile_levels(bins: int) -> list[float]:
    """The inner cut points of `bins` equal-frequency bins: 1/bins, 2/bins, ..., (bins-1)/bins."""
    if bins < 2:
        raise ValueError(f"quantile bins must be at least 2, got {bins}")
    return [i / bins for i in range(1, bins)]


def distinct_edges(quantiles: list[float]) -> tuple[float, ...]:
    """Sorted distinct cut points: a discrete column repeats quantiles, and a bin needs two distinct edges."""
    return tuple(sorted(set(float(value) for value in quantiles)))


def profile_reference(
    reference: DataFrame, numeric: tuple[str, ...], categorical: tuple[str, ...], bins: int
) -> Profile:
    """Quantile edges, min and max of each numeric column, in one aggregation (one Spark job)."""
    missing = [column for column in (*numeric, *categorical) if column not in reference.columns]
    if missing:
        raise LifecycleError(
            f"the monitoring reference lacks column(s) {missing}; it has {reference.columns}"
        )
    if not numeric:
        return Profile({}, tuple(categorical))
    levels = quantile_levels(bins)
    aggregates = [F.count(F.lit(1)).alias("__rows")]
    for index, column in enumerate(numeric):
        value = F.col(f"`{column}`").cast("double")
        value = F.when(~F.isnan(value), value)
        aggregates += [
            F.percentile_approx(value, levels, PERCENTILE_ACCURACY).alias(f"q{index}"),
            F.min(value).alias(f"min{index}"),
            F.max(value).alias(f"max{index}"),
        ]
    row = reference.agg(*aggregates).first()
    if row["__rows"] == 0:
        raise EmptyReferenceError("the monitoring reference is empty: nothing to compare the window with")
    profiles = {}
    for index, column in enumerate(numeric):
        if row[f"q{index}"] is None:
            raise LifecycleError(f"reference column {column!r} has only null values: it cannot be binned")
        profiles[column] = NumericProfile(
            distinct_edges(row[f"q{index}"]), float(row[f"min{index}"]), float(row[f"max{index}"])
        )
    return Profile(profiles, tuple(categorical))
