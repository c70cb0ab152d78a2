"""Thresholds applied to statistics: each metric gets its threshold and a status (ok, warn, alert, info)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..config import MonitoringThresholds
from .drift import Statistic

OK, WARN, ALERT, INFO = "ok", "warn", "alert", "info"


@dataclass(frozen=True)
class MetricResult:
    feature: str
    metric: str
    value: float
    threshold: float | None
    status: str


@dataclass(frozen=True)
class Rule:
    threshold: Callable[[MonitoringThresholds], float]
    # True when larger values are worse (PSI, null rate); False when smaller ones are (AUC, p-value).
    higher_is_worse: bool
    # The limit is itself an alert (>=) for PSI and KS; for rates and quality it must be crossed.
    alert_at_limit: bool = False
    warn: Callable[[MonitoringThresholds], float] | None = None


RULES: dict[str, Rule] = {
    "psi": Rule(lambda t: t.psi_alert, True, alert_at_limit=True, warn=lambda t: t.psi_warn),
    "ks": Rule(lambda t: t.ks_alert, True, alert_at_limit=True),
    "chi2_p_value": Rule(lambda t: t.chi2_p_value_alert, False),
    "null_rate": Rule(lambda t: t.max_null_rate, True),
    "range_violation_rate": Rule(lambda t: t.max_range_violation_rate, True),
    "unseen_category_rate": Rule(lambda t: t.max_range_violation_rate, True),
    "auc": Rule(lambda t: t.min_auc, False),
    "log_loss": Rule(lambda t: t.max_log_loss, True),
}
# Metrics also logged to the monitoring window's MLflow run (per feature), to chart them across windows.
LOGGED_TO_MLFLOW = ("psi", "ks", "auc", "log_loss")


def _crosses(value: float, limit: float, rule: Rule) -> bool:
    if rule.higher_is_worse:
        return value >= limit if rule.alert_at_limit else value > limit
    return value <= limit if rule.alert_at_limit else value < limit


def assess(statistic: Statistic, thresholds: MonitoringThresholds) -> MetricResult:
    """The statistic with its alert threshold and status; metrics without a rule are `info`."""
    rule = RULES.get(statistic.metric)
    if rule is None:
        return MetricResult(statistic.feature, statistic.metric, statistic.value, None, INFO)
    limit = rule.threshold(thresholds)
    if _crosses(statistic.value, limit, rule):
        status = ALERT
    elif rule.warn is not None and _crosses(statistic.value, rule.warn(thresholds), rule):
        status = WARN
    else:
        status = OK
    return MetricResult(statistic.feature, statistic.metric, statistic.value, limit, status)


def alerts(results: list[MetricResult]) -> list[MetricResult]:
    return [result for result in results if result.status == ALERT]
