"""Statuses at and around every threshold."""

import pytest

from {{ cookiecutter.package_name }}.config import MonitoringThresholds
from {{ cookiecutter.package_name }}.monitoring.assess import MetricResult, alerts, assess
from {{ cookiecutter.package_name }}.monitoring.drift import Statistic

T = MonitoringThresholds(
    psi_warn=0.1,
    psi_alert=0.25,
    ks_alert=0.2,
    chi2_p_value_alert=0.001,
    max_null_rate=0.05,
    min_auc=0.65,
    max_log_loss=0.65,
    max_range_violation_rate=0.01,
)


@pytest.mark.parametrize(
    ("metric", "value", "threshold", "status"),
    [
        ("psi", 0.0999, 0.25, "ok"),
        ("psi", 0.1, 0.25, "warn"),
        ("psi", 0.2499, 0.25, "warn"),
        ("psi", 0.25, 0.25, "alert"),
        ("ks", 0.1999, 0.2, "ok"),
        ("ks", 0.2, 0.2, "alert"),
        ("chi2_p_value", 0.001, 0.001, "ok"),
        ("chi2_p_value", 0.0009, 0.001, "alert"),
        ("null_rate", 0.05, 0.05, "ok"),
        ("null_rate", 0.0501, 0.05, "alert"),
        ("range_violation_rate", 0.011, 0.01, "alert"),
        ("unseen_category_rate", 0.01, 0.01, "ok"),
        ("auc", 0.65, 0.65, "ok"),
        ("auc", 0.6499, 0.65, "alert"),
        ("log_loss", 0.66, 0.65, "alert"),
    ],
)
def test_status_per_metric(metric: str, value: float, threshold: float, status: str) -> None:
    assert assess(Statistic("f", metric, value), T) == MetricResult("f", metric, value, threshold, status)


def test_a_metric_without_a_rule_is_information() -> None:
    assert assess(Statistic("window", "rows", 10.0), T) == MetricResult("window", "rows", 10.0, None, "info")


def test_alerts_keeps_only_alerts() -> None:
    results = [
        MetricResult("a", "psi", 0.3, 0.25, "alert"),
        MetricResult("b", "psi", 0.15, 0.25, "warn"),
        MetricResult("c", "psi", 0.0, 0.25, "ok"),
    ]

    assert alerts(results) == [results[0]]
