"""Hand-made training sets and registry set-ups for the model-stage tests (training, validation,
deployment, inference). tests/ is on pythonpath, so test modules import this by name."""

from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd
from mlflow.models import infer_signature
from sklearn.linear_model import LogisticRegression

from {{ cookiecutter.package_name }}.features.spec import (
    CATEGORICAL_FEATURES,
    ENTITY_COLUMN,
    FEATURE_TS_COLUMN,
    LABEL_COLUMN,
    LABEL_TS_COLUMN,
    MODEL_FEATURES,
    NUMERIC_FEATURES,
    TRAINING_SET_COLUMNS,
)

LABEL_DATES = ("2026-03-01", "2026-03-31", "2026-04-30")


def synthetic_training_set(customers: int = 300, seed: int = 7, shuffle_labels: bool = False) -> pd.DataFrame:
    """TRAINING_SET_COLUMNS for `customers` customers at each of LABEL_DATES; churn follows the features.

    Churn rises with support contacts and falls with activity, strongly enough for an AUC near 0.9.
    `shuffle_labels` permutes the labels: the same data with no signal left.
    """
    rng = np.random.default_rng(seed)
    frames = []
    for label_date in LABEL_DATES:
        label_ts = pd.Timestamp(label_date)
        events = rng.poisson(12, customers).astype(float)
        support = rng.poisson(1.5, customers).astype(float)
        logit = -0.5 + 1.5 * (support - 1.5) - 0.6 * (events - 12)
        frame = pd.DataFrame(
            {
                ENTITY_COLUMN: [f"C{number:05d}" for number in range(customers)],
                LABEL_TS_COLUMN: [label_ts] * customers,
                FEATURE_TS_COLUMN: [label_ts - pd.Timedelta(days=1)] * customers,
                "events_30d": events,
                "purchases_30d": np.round(events * rng.uniform(0.1, 0.4, customers)),
                "amount_30d": np.round(rng.gamma(2.0, 20.0, customers), 2),
                "support_contacts_30d": support,
                "avg_session_minutes_30d": np.round(rng.gamma(2.0, 5.0, customers), 2),
                "mobile_share_30d": np.round(rng.uniform(0, 1, customers), 3),
                "days_since_last_activity": np.round(rng.uniform(0, 10, customers), 3),
                CATEGORICAL_FEATURES[0]: rng.choice(["web", "mobile_app", "store", None], customers),
                LABEL_COLUMN: (rng.uniform(size=customers) < 1 / (1 + np.exp(-logit))).astype(int),
            }
        )
        _add_noise_features(frame, rng)
        frames.append(frame)
    training_set = pd.concat(frames, ignore_index=True)
    if shuffle_labels:
        training_set[LABEL_COLUMN] = rng.permutation(training_set[LABEL_COLUMN].to_numpy())
    assert set(MODEL_FEATURES) <= set(training_set.columns)
    return training_set[list(TRAINING_SET_COLUMNS)]


def _add_noise_features(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    """Model features not named above get noise, so a new feature column needs no change here."""
    for name in NUMERIC_FEATURES:
        if name not in frame:
            frame[name] = rng.uniform(0, 1, len(frame))
    for name in CATEGORICAL_FEATURES:
        if name not in frame:
            frame[name] = rng.choice(["a", "b", None], len(frame))


def training_set_frame(spark, training_set: pd.DataFrame):
    """The pandas training set as a Spark frame with the table's types (timestamps, string categorical)."""
    return spark.createDataFrame(training_set)


def probability_from_events(features):
    """A stand-in for the champion UDF: P(churn) = events_30d / 10, as [P(no churn), P(churn)]."""
    from pyspark.sql import functions as F

    probability = features.getField("events_30d") / 10
    return F.array(1 - probability, probability)


def register_tiny_version(model_name: str, experiment_id: str, tags: dict[str, str] | None = None) -> str:
    """Log a tiny one-feature model in `experiment_id` and register it with `tags` (in the create call,
    as `train` does); returns the new version."""
    features = pd.DataFrame({"x": np.arange(10, dtype=float)})
    model = LogisticRegression().fit(features, (features["x"] > 4).astype(int))
    with mlflow.start_run(experiment_id=experiment_id):
        logged = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(features, model.predict(features)),
            pip_requirements=["scikit-learn"],
        )
    return str(mlflow.register_model(logged.model_uri, model_name, tags=tags).version)
