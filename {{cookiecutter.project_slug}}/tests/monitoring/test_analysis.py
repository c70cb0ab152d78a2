"""One window against its references, on hand-made frames: which metrics come out, and from what."""

import pytest

from {{ cookiecutter.package_name }}.config import MonitoringThresholds
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.monitoring.analysis import WindowInputs, analyse_window, same_model_rows

SCHEMA = "x double, c string, prediction double, model_version string"
THRESHOLDS = MonitoringThresholds(quantile_bins=2)


def _frame(spark, rows):
    return spark.createDataFrame(rows, SCHEMA)


@pytest.fixture
def baseline(spark):
    return _frame(spark, [(float(x), "a" if x % 2 else "b", None, None) for x in range(1, 11)])


@pytest.fixture
def window(spark):
    return _frame(spark, [(float(x), "a" if x % 2 else "b", x / 10, "2") for x in range(1, 11)])


def _by_key(analysis) -> dict[tuple[str, str], tuple[float, str]]:
    return {(r.feature, r.metric): (r.value, r.status) for r in analysis.results}


def test_a_window_like_its_baseline_and_reference_has_no_drift(spark, baseline, window) -> None:
    # Version 1 scored very differently; only version 2's rows are the prediction reference.
    reference = window.unionByName(_frame(spark, [(1.0, "a", 0.99, "1")] * 10))

    analysis = analyse_window(WindowInputs(baseline, window, reference), THRESHOLDS, ("x",), ("c",))

    assert analysis.window_rows == 10 and analysis.quality is None
    assert analysis.predictions.counts.sum() == 10 and analysis.predictions.positives is None
    assert analysis.features == ("x", "prediction", "c")
    assert _by_key(analysis) == {
        ("window", "rows"): (10.0, "info"),
        ("x", "null_rate"): (0.0, "ok"),
        ("x", "psi"): (0.0, "ok"),
        ("x", "ks"): (0.0, "ok"),
        ("x", "range_violation_rate"): (0.0, "ok"),
        ("prediction", "null_rate"): (0.0, "ok"),
        ("prediction", "psi"): (0.0, "ok"),
        ("prediction", "ks"): (0.0, "ok"),
        ("prediction", "range_violation_rate"): (0.0, "ok"),
        ("c", "null_rate"): (0.0, "ok"),
        ("c", "psi"): (0.0, "ok"),
        ("c", "chi2_p_value"): (1.0, "ok"),
        ("c", "unseen_category_rate"): (0.0, "ok"),
    }


def test_prediction_drift_is_skipped_without_a_reference_of_the_same_model(spark, baseline, window) -> None:
    other_model = _frame(spark, [(1.0, "a", 0.99, "1")] * 10)

    analysis = analyse_window(WindowInputs(baseline, window, other_model), THRESHOLDS, ("x",), ("c",))

    assert "prediction" not in analysis.features
    assert not [r for r in analysis.results if r.feature == "prediction"]


def test_same_model_rows_keeps_versions_that_scored_the_window(spark, window) -> None:
    reference = _frame(spark, [(1.0, "a", 0.1, "1"), (2.0, "b", 0.2, "2"), (3.0, "b", 0.3, None)])

    kept = same_model_rows(reference, window).collect()

    assert [(row.x, row.model_version) for row in kept] == [(2.0, "2")]


def test_an_empty_window_is_a_clear_error(spark, baseline) -> None:
    empty = _frame(spark, [])

    with pytest.raises(LifecycleError, match="no inference-log rows"):
        analyse_window(WindowInputs(baseline, empty), THRESHOLDS, ("x",), ("c",))
