"""One window against its references: drift of every feature and of the prediction, and model quality.

Spark jobs: two over the baseline (profile, counts), two over the prediction reference window, two over
the monitored window (all columns binned and counted together; its predictions on fixed bins) and one
join for quality.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from pyspark.sql import DataFrame

from ..config import MonitoringThresholds
from ..errors import LifecycleError
from ..features.spec import CATEGORICAL_FEATURES, NUMERIC_FEATURES
from ..inference.schema import MODEL_VERSION_COLUMN, PREDICTION_COLUMN
from ..progress import logger
from .assess import MetricResult, assess
from .binning import bucket_counts, collect_counts
from .drift import BinnedColumn, Statistic, aligned_columns, drift_statistics
from .predictions import PredictionHistogram, prediction_histogram
from .profile import EmptyReferenceError, Profile, profile_reference
from .quality import Quality, measure_quality

WINDOW_FEATURE = "window"  # the `feature` of whole-window facts such as its row count


@dataclass(frozen=True)
class WindowInputs:
    baseline: DataFrame  # the training set: the reference of every feature
    window: DataFrame  # inference-log rows of the monitored window
    # Inference-log rows of an earlier window: only those of model versions that also scored the window
    # count, so a new champion's different scores are not taken for drift.
    prediction_reference: DataFrame | None = None
    labels: DataFrame | None = None


@dataclass(frozen=True)
class WindowAnalysis:
    results: list[MetricResult]
    columns: list[BinnedColumn]  # reference vs window counts per column, for the report
    window_rows: int
    baseline_rows: int
    quality: Quality | None
    # The window's predictions on fixed bins, for the report (None: the window holds no predictions).
    predictions: PredictionHistogram | None

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(column.feature for column in self.columns)


def same_model_rows(reference: DataFrame, window: DataFrame) -> DataFrame:
    """The reference rows scored by a model version that also scored the window."""
    versions = window.select(MODEL_VERSION_COLUMN).distinct()
    return reference.join(versions, MODEL_VERSION_COLUMN, "left_semi")


def _prediction_reference(
    reference: DataFrame | None, window: DataFrame, bins: int
) -> tuple[Profile, pd.DataFrame] | None:
    if reference is None:
        return None
    reference = same_model_rows(reference, window)
    try:
        profile = profile_reference(reference, (PREDICTION_COLUMN,), (), bins)
    except EmptyReferenceError:
        logger.info("monitor: no earlier window scored by the same model, prediction drift is skipped")
        return None
    return profile, collect_counts(bucket_counts(reference, profile))


def analyse_window(
    inputs: WindowInputs,
    thresholds: MonitoringThresholds,
    numeric: tuple[str, ...] = NUMERIC_FEATURES,
    categorical: tuple[str, ...] = CATEGORICAL_FEATURES,
) -> WindowAnalysis:
    profile = profile_reference(inputs.baseline, numeric, categorical, thresholds.quantile_bins)
    reference_counts = collect_counts(bucket_counts(inputs.baseline, profile))
    baseline_column = profile.columns[0]
    baseline_rows = int(reference_counts.loc[reference_counts["feature"] == baseline_column, "count"].sum())
    prediction = _prediction_reference(inputs.prediction_reference, inputs.window, thresholds.quantile_bins)
    if prediction is not None:
        profile = profile.merged(prediction[0])
        reference_counts = pd.concat([reference_counts, prediction[1]], ignore_index=True)

    window_counts = collect_counts(bucket_counts(inputs.window, profile))
    if window_counts.empty:
        raise LifecycleError("the monitored window has no inference-log rows: pick another --window-end")
    first_column = profile.columns[0]
    window_rows = int(window_counts.loc[window_counts["feature"] == first_column, "count"].sum())
    statistics = [Statistic(WINDOW_FEATURE, "rows", float(window_rows))]
    statistics += drift_statistics(reference_counts, window_counts, profile)

    quality = None
    if inputs.labels is not None:
        quality = measure_quality(inputs.window, inputs.labels, thresholds.label_horizon_days)
        if quality.labeled_rows:
            statistics += quality.statistics()
        else:
            logger.info("monitor: no labels have arrived for this window yet, quality is not measured")
    return WindowAnalysis(
        results=[assess(statistic, thresholds) for statistic in statistics],
        columns=aligned_columns(reference_counts, window_counts, profile),
        window_rows=window_rows,
        baseline_rows=baseline_rows,
        quality=quality,
        predictions=(
            prediction_histogram(inputs.window, quality.groups if quality else None)
            if PREDICTION_COLUMN in inputs.window.columns
            else None
        ),
    )
