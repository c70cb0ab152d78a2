"""The model: a scikit-learn pipeline over MODEL_FEATURES, and how it is logged to MLflow.

Numeric features go to a HistGradientBoostingClassifier as they are (it handles missing values); the
categorical one is one-hot encoded with a "missing" category. Inputs are cast the same way at training
and scoring (numeric -> float64, categorical -> string or None) so the logged signature always matches.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from ..features.spec import CATEGORICAL_FEATURES, MODEL_FEATURES, NUMERIC_FEATURES

# Slow, shallow and regularised: the training part is small (a few hundred to a few thousand rows) and
# noisy; on the generated data these beat sklearn's defaults on validation AUC and log loss.
DEFAULT_PARAMS: dict[str, Any] = {
    "learning_rate": 0.02,
    "max_iter": 150,
    "max_leaf_nodes": 7,
    "min_samples_leaf": 80,
    "l2_regularization": 2.0,
}
RANDOM_STATE = 42

# mlflow.sklearn saves with skops, which refuses to load types it does not trust. These are the ones
# this pipeline holds beyond skops' defaults (checked by a test that logs and loads the model).
SKOPS_TRUSTED_TYPES = [
    "numpy.dtype",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
]
# Explicit requirements: inferring them costs ~12 s per log_model and lists wrong packages. Pinned to
# the versions that trained the model, since a skops file is only guaranteed to load with the same ones.
MODEL_PACKAGES = ("mlflow", "scikit-learn", "skops", "pandas", "numpy")


def pip_requirements() -> list[str]:
    """The packages the logged model needs to load and predict, pinned to the installed versions."""
    return [f"{package}=={metadata.version(package)}" for package in MODEL_PACKAGES]


def to_model_input(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's input columns, in order, with the types of the logged signature."""
    missing = [column for column in MODEL_FEATURES if column not in frame.columns]
    if missing:
        raise ValueError(f"the frame lacks model feature column(s) {missing}; it has {list(frame.columns)}")
    numeric = frame[list(NUMERIC_FEATURES)].astype("float64")
    raw = frame[list(CATEGORICAL_FEATURES)].astype(object)
    categorical = raw.where(raw.notna(), None)
    return pd.concat([numeric, categorical], axis=1)[list(MODEL_FEATURES)]


def build_pipeline(params: dict[str, Any] | None = None) -> Pipeline:
    """An unfitted pipeline; `params` override DEFAULT_PARAMS for the classifier."""
    categorical = Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
            ("one_hot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
        ]
    )
    preprocess = ColumnTransformer(
        [
            ("numeric", "passthrough", list(NUMERIC_FEATURES)),
            ("categorical", categorical, list(CATEGORICAL_FEATURES)),
        ]
    )
    classifier = HistGradientBoostingClassifier(
        random_state=RANDOM_STATE, **{**DEFAULT_PARAMS, **(params or {})}
    )
    return Pipeline([("preprocess", preprocess), ("classifier", classifier)])


def positive_probability(model, features: pd.DataFrame):
    """P(label = 1) from a fitted sklearn pipeline or a pyfunc model logged with predict_proba."""
    if hasattr(model, "predict_proba"):
        return model.predict_proba(features)[:, 1]
    return np.asarray(model.predict(features))[:, 1]
