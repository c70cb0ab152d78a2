"""What explains the model: permutation feature importances (AUC drop) as a table and a bar plot, and
the test set's ROC, precision-recall and calibration curves."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from sklearn.calibration import CalibrationDisplay
from sklearn.inspection import permutation_importance
from sklearn.metrics import PrecisionRecallDisplay, RocCurveDisplay

N_REPEATS = 5
CALIBRATION_BINS = 10


def permutation_importances(model, features: pd.DataFrame, labels, seed: int = 0) -> pd.DataFrame:
    """One row per input feature: mean and std of the AUC drop when it is shuffled, largest first."""
    result = permutation_importance(
        model, features, labels, scoring="roc_auc", n_repeats=N_REPEATS, random_state=seed, n_jobs=1
    )
    table = pd.DataFrame(
        {
            "feature": list(features.columns),
            "importance_mean": result.importances_mean,
            "importance_std": result.importances_std,
        }
    )
    return table.sort_values(["importance_mean", "feature"], ascending=[False, True], ignore_index=True)


def importance_figure(table: pd.DataFrame) -> Figure:
    """A horizontal bar chart of the importances (the caller logs and closes it).

    A bare Figure draws with its own canvas: no pyplot, so no GUI backend is chosen or needed.
    """
    figure = Figure(figsize=(7, 0.45 * len(table) + 1.2))
    axes = figure.subplots()
    ordered = table.iloc[::-1]
    axes.barh(ordered["feature"], ordered["importance_mean"], xerr=ordered["importance_std"], color="#3b75af")
    axes.set_xlabel("mean AUC drop when shuffled")
    axes.set_title("Permutation feature importance (validation set)")
    figure.tight_layout()
    return figure


def evaluation_figures(labels, probabilities) -> dict[str, Figure]:
    """ROC, precision-recall and calibration (reliability) curves of the predicted probabilities, by the
    artifact file name each is logged under. scikit-learn's displays draw on a bare Figure's axes."""
    figures = {}
    for name, draw in (
        ("roc_curve.png", lambda axes: RocCurveDisplay.from_predictions(labels, probabilities, ax=axes)),
        (
            "precision_recall_curve.png",
            lambda axes: PrecisionRecallDisplay.from_predictions(labels, probabilities, ax=axes),
        ),
        (
            "calibration_curve.png",
            lambda axes: CalibrationDisplay.from_predictions(
                labels, probabilities, n_bins=CALIBRATION_BINS, ax=axes
            ),
        ),
    ):
        figure = Figure(figsize=(5, 4.5))
        draw(figure.subplots())
        figure.suptitle(f"{name.removesuffix('.png').replace('_', ' ')} (test set)", fontsize=10)
        figure.tight_layout()
        figures[name] = figure
    return figures
