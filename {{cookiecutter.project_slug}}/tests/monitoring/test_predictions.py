"""The window's predictions on fixed probability bins, and the labeled ones by label."""

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.monitoring.predictions import (
    PredictionHistogram,
    labeled_counts,
    prediction_histogram,
    window_counts,
)
from {{ cookiecutter.package_name }}.monitoring.quality import SCORE_GROUP_COLUMNS


def _bins(**counts: int) -> np.ndarray:
    expected = np.zeros(20, dtype=np.int64)
    for name, count in counts.items():
        expected[int(name.removeprefix("b"))] = count
    return expected


def test_window_counts_bin_every_prediction_once_and_skip_missing_ones(spark) -> None:
    scores = [0.0, 0.04, 0.05, 0.049996, 0.51, 0.99, 1.0, None]
    window = spark.createDataFrame([(score,) for score in scores], "prediction double")

    counts = window_counts(window)

    # 0.049996 rounds to 0.05 as quality's score groups do; 1.0 is in the last bin.
    np.testing.assert_array_equal(counts, _bins(b0=2, b1=2, b10=1, b19=2))


def test_labeled_counts_come_from_the_score_groups() -> None:
    groups = pd.DataFrame(
        [(0.05, 1, 2, 0.0), (0.07, 0, 1, 0.0), (1.0, 3, 0, 0.0)], columns=list(SCORE_GROUP_COLUMNS)
    )

    positives, negatives = labeled_counts(groups)

    np.testing.assert_array_equal(positives, _bins(b1=1, b19=3))
    np.testing.assert_array_equal(negatives, _bins(b1=3))


def test_without_labels_the_histogram_has_no_labeled_split(spark) -> None:
    window = spark.createDataFrame([(0.3,), (0.8,)], "prediction double")

    histogram = prediction_histogram(window, None)

    assert histogram.positives is None and histogram.negatives is None
    np.testing.assert_array_equal(histogram.counts, _bins(b6=1, b16=1))
    np.testing.assert_allclose(histogram.edges, np.linspace(0, 1, 21))
    assert isinstance(histogram, PredictionHistogram)
