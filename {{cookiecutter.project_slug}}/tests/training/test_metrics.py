"""Classification metrics on tiny vectors with values worked out by hand."""

import math

import pytest

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.training.metrics import classification_metrics


def test_metrics_of_a_small_example() -> None:
    metrics = classification_metrics([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.8])

    # Pairs (positive, negative) ranked right: (0.4>0.1), (0.8>0.1), (0.8>0.6); wrong: (0.4<0.6) -> 3/4.
    assert metrics["auc"] == 0.75
    expected_log_loss = -(math.log(0.9) + math.log(0.4) + math.log(0.4) + math.log(0.8)) / 4
    assert metrics["log_loss"] == pytest.approx(expected_log_loss, rel=1e-12)
    # Predicted at 0.5: [0, 1, 0, 1] -> one true positive, one false positive, one false negative.
    assert metrics["accuracy"] == 0.5
    assert metrics["precision"] == 0.5
    assert metrics["recall"] == 0.5
    assert metrics["f1"] == 0.5
    assert metrics["positive_rate"] == 0.5
    assert metrics["rows"] == 4.0


def test_a_single_class_cannot_be_evaluated() -> None:
    with pytest.raises(LifecycleError, match="3 rows holding a single class"):
        classification_metrics([1, 1, 1], [0.2, 0.5, 0.9])
