"""Fit the pipeline on the time split, log everything to MLflow and register the model version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mlflow
import pandas as pd
from mlflow.data.dataset import Dataset
from mlflow.models import infer_signature

from ..config import Config
from ..contracts.model import HOLDOUT_START_TAG, TRAINING_VERSION_TAG
from ..features.spec import LABEL_COLUMN
from ..progress import logger
from ..tracking import configure_mlflow
from .explain import evaluation_figures, importance_figure, permutation_importances
from .metrics import classification_metrics
from .model import SKOPS_TRUSTED_TYPES, build_pipeline, pip_requirements, positive_probability, to_model_input
from .split import TimeSplit, split_by_label_date
from .tuning import sample_params

INPUT_EXAMPLE_ROWS = 5


@dataclass(frozen=True)
class FittedModel:
    model: Any
    params: dict[str, Any]
    validation: dict[str, float]


def fit(split: TimeSplit, params: dict[str, Any] | None = None) -> FittedModel:
    """Fit on the train part and measure on the validation part."""
    model = build_pipeline(params).fit(to_model_input(split.train), split.train[LABEL_COLUMN].astype(int))
    probabilities = positive_probability(model, to_model_input(split.validation))
    validation = classification_metrics(split.validation[LABEL_COLUMN], probabilities)
    return FittedModel(model, dict(params or {}), validation)


def _prefixed(prefix: str, metrics: dict[str, float]) -> dict[str, float]:
    return {f"{prefix}_{name}": value for name, value in metrics.items()}


def _search(split: TimeSplit, trials: int, seed: int) -> FittedModel:
    """One nested MLflow run per trial; the best validation AUC wins (ties: the earlier trial)."""
    best: FittedModel | None = None
    for number, params in enumerate(sample_params(trials, seed)):
        with mlflow.start_run(run_name=f"trial-{number}", nested=True):
            candidate = fit(split, params)
            mlflow.log_params(params)
            mlflow.log_metrics(_prefixed("validation", candidate.validation))
        logger.info("trial %d: validation auc %.4f with %s", number, candidate.validation["auc"], params)
        if best is None or candidate.validation["auc"] > best.validation["auc"]:
            best = candidate
    return best


def train_and_register(
    config: Config,
    training_set: pd.DataFrame,
    lineage: dict[str, str],
    trials: int = 0,
    seed: int = 0,
    dataset: Dataset | None = None,
) -> dict:
    """Train (with a random search of `trials` when > 0), log to MLflow, register a new version.

    `lineage` becomes tags on the run and on the version; `dataset` (the training table at the version
    read) the run's training input, which the test metrics and the logged model refer to. Returns the
    summary of the `train` command.
    """
    split = split_by_label_date(training_set)
    experiment_id = configure_mlflow(config)
    with mlflow.start_run(experiment_id=experiment_id, run_name="train") as run:
        if dataset is not None:
            mlflow.log_input(dataset, context="training")
        fitted = _search(split, trials, seed) if trials > 0 else fit(split)
        test_features = to_model_input(split.test)
        test_probabilities = positive_probability(fitted.model, test_features)
        test = classification_metrics(split.test[LABEL_COLUMN], test_probabilities)
        split_facts = _split_facts(split)
        logged = _log_model(fitted.model, test_features)
        _log_fit(fitted, test, trials, {**lineage, **split_facts}, logged.model_id, dataset)
        importances = _log_importances(fitted.model, split)
        _log_evaluation(split.test[LABEL_COLUMN], test_probabilities)
    tags = {**lineage, **split_facts, "test_auc": f"{test['auc']:.6f}"}
    version = str(mlflow.register_model(logged.model_uri, config.model_name, tags=tags).version)
    return {
        "model_name": config.model_name,
        "model_version": version,
        "run_id": run.info.run_id,
        "validation_auc": round(fitted.validation["auc"], 4),
        "test_auc": round(test["auc"], 4),
        "test_log_loss": round(test["log_loss"], 4),
        "rows": {"train": len(split.train), "validation": len(split.validation), "test": len(split.test)},
        "tuning_trials": trials,
        "top_feature": importances["feature"].iloc[0],
        **{key: lineage[key] for key in ("git_commit", TRAINING_VERSION_TAG)},
    }


def _split_facts(split: TimeSplit) -> dict[str, str]:
    """Where the split cut and how many rows each part got, as tag values."""
    return {
        "validation_start": split.validation_start.isoformat(),
        HOLDOUT_START_TAG: split.test_start.isoformat(),
        "train_rows": str(len(split.train)),
        "validation_rows": str(len(split.validation)),
        "test_rows": str(len(split.test)),
    }


def _log_fit(
    fitted: FittedModel,
    test: dict[str, float],
    trials: int,
    tags: dict[str, str],
    model_id: str,
    dataset: Dataset | None,
) -> None:
    """Parameters, tags and metrics; the metrics also on the logged model (MLflow 3), with the training
    dataset they came from, so the model's page shows them."""
    mlflow.log_params({**fitted.model.named_steps["classifier"].get_params(), "tuning_trials": trials})
    mlflow.log_metrics(
        {**_prefixed("validation", fitted.validation), **_prefixed("test", test)},
        model_id=model_id,
        dataset=dataset,
    )
    mlflow.set_tags(tags)


def _log_evaluation(labels: pd.Series, probabilities) -> None:
    """The test set's ROC, precision-recall and calibration curves, under evaluation/."""
    for name, figure in evaluation_figures(labels.astype(int), probabilities).items():
        mlflow.log_figure(figure, f"evaluation/{name}")


def _log_importances(model: Any, split: TimeSplit) -> pd.DataFrame:
    """Permutation importances on the validation part, logged as a CSV and a figure."""
    validation_features = to_model_input(split.validation)
    importances = permutation_importances(
        model, validation_features, split.validation[LABEL_COLUMN].astype(int)
    )
    mlflow.log_text(importances.to_csv(index=False), "explain/permutation_importance.csv")
    mlflow.log_figure(importance_figure(importances), "explain/permutation_importance.png")
    return importances


def _log_model(model: Any, test_features: pd.DataFrame) -> Any:
    """Log the model with its signature and an input example.

    Registered afterwards with its tags in the one create call: on Databricks a new version starts the
    deployment job, whose `validate` reads the tags, so they must exist from the version's first moment.
    """
    signature = infer_signature(test_features, model.predict_proba(test_features))
    return mlflow.sklearn.log_model(
        model,
        name="model",
        signature=signature,
        input_example=test_features.head(INPUT_EXAMPLE_ROWS),
        pip_requirements=pip_requirements(),
        pyfunc_predict_fn="predict_proba",
        skops_trusted_types=SKOPS_TRUSTED_TYPES,
    )
