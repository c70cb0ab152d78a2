"""Classification metrics of a probability vector against 0/1 labels."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    log_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)

from ..contracts.model import DECISION_THRESHOLD
from ..errors import LifecycleError


def classification_metrics(labels, probabilities) -> dict[str, float]:
    """auc, log_loss, accuracy, precision, recall, f1 (at DECISION_THRESHOLD), positive_rate, rows."""
    y = np.asarray(labels).astype(int)
    p = np.asarray(probabilities, dtype=float)
    if len(np.unique(y)) < 2:
        raise LifecycleError(
            f"cannot evaluate on {len(y)} rows holding a single class: AUC needs both labels"
        )
    predicted = (p >= DECISION_THRESHOLD).astype(int)
    return {
        "auc": float(roc_auc_score(y, p)),
        "log_loss": float(log_loss(y, p, labels=[0, 1])),
        "accuracy": float(accuracy_score(y, predicted)),
        "precision": float(precision_score(y, predicted, zero_division=0)),
        "recall": float(recall_score(y, predicted, zero_division=0)),
        "f1": float(f1_score(y, predicted, zero_division=0)),
        "positive_rate": float(y.mean()),
        "rows": float(len(y)),
    }
