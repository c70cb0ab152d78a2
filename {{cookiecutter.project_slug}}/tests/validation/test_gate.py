"""The gate's checks and messages, on metrics written by hand."""

import pytest

from {{ cookiecutter.package_name }}.config import GateThresholds
from {{ cookiecutter.package_name }}.validation.gate import Check, evaluate_gate

THRESHOLDS = GateThresholds(min_auc=0.70, max_log_loss=0.60, max_auc_drop_vs_champion=0.01)


def test_the_first_model_passes_on_thresholds_alone() -> None:
    result = evaluate_gate("1", {"auc": 0.8, "log_loss": 0.5}, THRESHOLDS)

    assert result.passed
    assert result.checks == (
        Check("min_auc", True, 0.8, 0.70, "auc 0.8000 >= minimum 0.7000"),
        Check("max_log_loss", True, 0.5, 0.60, "log_loss 0.5000 <= maximum 0.6000"),
    )
    assert result.summary() == (
        "gate passed for version 1 (no champion yet): auc 0.8000 >= minimum 0.7000; "
        "log_loss 0.5000 <= maximum 0.6000"
    )


def test_each_failed_threshold_says_by_how_much() -> None:
    result = evaluate_gate("2", {"auc": 0.55, "log_loss": 0.75}, THRESHOLDS)

    assert not result.passed
    assert [check.message for check in result.failures] == [
        "auc 0.5500 is below the minimum 0.7000 by 0.1500",
        "log_loss 0.7500 is above the maximum 0.6000 by 0.1500",
    ]


def test_worse_than_the_champion_beyond_the_tolerance_fails() -> None:
    result = evaluate_gate(
        "3", {"auc": 0.80, "log_loss": 0.5}, THRESHOLDS, "2", {"auc": 0.825, "log_loss": 0.4}
    )

    (failure,) = result.failures
    assert failure.name == "auc_vs_champion"
    assert failure.value == pytest.approx(0.025)
    assert failure.message == (
        "auc 0.8000 is 0.0250 below champion version 2 (0.8250); "
        "the allowed drop is 0.0100, exceeded by 0.0150"
    )
    assert result.as_dict()["passed"] is False and result.as_dict()["champion_version"] == "2"


@pytest.mark.parametrize(
    ("champion_auc", "passed"), [(0.805, True), (0.81, True), (0.8101, False), (0.7, True)]
)
def test_the_champion_tolerance_boundary(champion_auc: float, passed: bool) -> None:
    result = evaluate_gate(
        "3", {"auc": 0.80, "log_loss": 0.5}, THRESHOLDS, "2", {"auc": champion_auc, "log_loss": 0.4}
    )

    assert result.passed is passed


def test_thresholds_are_inclusive() -> None:
    assert evaluate_gate("1", {"auc": 0.70, "log_loss": 0.60}, THRESHOLDS).passed


def test_champion_version_and_metrics_come_together() -> None:
    with pytest.raises(ValueError, match="both champion_version and champion metrics"):
        evaluate_gate("1", {"auc": 0.8, "log_loss": 0.5}, THRESHOLDS, champion_version="1")
