"""The window's predicted probabilities on fixed bins of [0, 1], split by label where labels have
arrived: the report's prediction-distribution plot, drawn for every window (the prediction's drift
needs an earlier window of the same model; this does not).

One Spark job over the window; the labeled split comes from quality's score groups, already collected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from ..inference.schema import PREDICTION_COLUMN
from .quality import SCORE_DECIMALS

PREDICTION_BINS = 20


@dataclass(frozen=True)
class PredictionHistogram:
    counts: np.ndarray  # the window's predictions per bin
    # Labeled predictions per bin by label (1, 0); None while no label of the window has arrived.
    positives: np.ndarray | None = None
    negatives: np.ndarray | None = None

    @property
    def edges(self) -> np.ndarray:
        return np.linspace(0.0, 1.0, len(self.counts) + 1)


def bin_of(score: Column, bins: int = PREDICTION_BINS) -> Column:
    """The bin of a probability: [k/bins, (k+1)/bins), 1.0 in the last one, anything outside clipped."""
    return F.least(F.greatest(F.floor(score * bins), F.lit(0)), F.lit(bins - 1)).cast("int")


def window_counts(window: DataFrame, bins: int = PREDICTION_BINS) -> np.ndarray:
    """Predictions per bin, binned on the rounded score as quality's groups are, so the labeled counts
    of a bin never exceed its predictions."""
    score = F.round(F.col(PREDICTION_COLUMN), SCORE_DECIMALS)
    rows = (
        window.where(F.col(PREDICTION_COLUMN).isNotNull())
        .groupBy(bin_of(score, bins).alias("bin"))
        .count()
        .collect()
    )
    counts = np.zeros(bins, dtype=np.int64)
    for row in rows:
        counts[row["bin"]] = row["count"]
    return counts


def labeled_counts(groups: pd.DataFrame, bins: int = PREDICTION_BINS) -> tuple[np.ndarray, np.ndarray]:
    """Positives and negatives per bin from quality's score groups (score, positives, negatives, ...)."""
    index = np.clip(np.floor(groups["score"].to_numpy(dtype=float) * bins), 0, bins - 1).astype(int)
    positives = np.bincount(index, weights=groups["positives"].to_numpy(dtype=float), minlength=bins)
    negatives = np.bincount(index, weights=groups["negatives"].to_numpy(dtype=float), minlength=bins)
    return positives.astype(np.int64), negatives.astype(np.int64)


def prediction_histogram(
    window: DataFrame, score_groups: pd.DataFrame | None, bins: int = PREDICTION_BINS
) -> PredictionHistogram:
    counts = window_counts(window, bins)
    if score_groups is None or score_groups.empty:
        return PredictionHistogram(counts)
    return PredictionHistogram(counts, *labeled_counts(score_groups, bins))
