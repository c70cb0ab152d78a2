"""The pipeline's inputs, and that it logs with skops and loads back through pyfunc."""

from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.features.spec import LABEL_COLUMN, MODEL_FEATURES
from {{ cookiecutter.package_name }}.training.model import (
    SKOPS_TRUSTED_TYPES,
    build_pipeline,
    pip_requirements,
    positive_probability,
    to_model_input,
)

from model_helpers import synthetic_training_set


def test_model_input_has_the_features_in_order_with_signature_types() -> None:
    frame = synthetic_training_set(customers=3).head(3)
    frame["events_30d"] = [1, 2, 3]  # ints become float64
    frame["main_channel_30d"] = ["web", None, np.nan]

    model_input = to_model_input(frame.iloc[:, ::-1])

    assert list(model_input.columns) == list(MODEL_FEATURES)
    assert list(model_input["events_30d"]) == [1.0, 2.0, 3.0]
    assert model_input["events_30d"].dtype == np.float64
    assert list(model_input["main_channel_30d"]) == ["web", None, None]


def test_a_missing_feature_column_is_named() -> None:
    frame = synthetic_training_set(customers=3).drop(columns=["mobile_share_30d"])

    with pytest.raises(ValueError, match=r"lacks model feature column\(s\) \['mobile_share_30d'\]"):
        to_model_input(frame)


def test_the_pipeline_logs_with_skops_and_predicts_the_same_through_pyfunc(tmp_path: Path) -> None:
    training_set = synthetic_training_set(customers=200)
    features = to_model_input(training_set)
    model = build_pipeline({"max_iter": 20}).fit(features, training_set[LABEL_COLUMN])
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    experiment = mlflow.create_experiment("model", artifact_location=(tmp_path / "artifacts").as_uri())

    with mlflow.start_run(experiment_id=experiment):
        logged = mlflow.sklearn.log_model(
            model,
            name="model",
            input_example=features.head(2),
            pip_requirements=pip_requirements(),
            pyfunc_predict_fn="predict_proba",
            skops_trusted_types=SKOPS_TRUSTED_TYPES,
        )
    loaded = mlflow.pyfunc.load_model(logged.model_uri)

    expected = model.predict_proba(features.head(50))[:, 1]
    assert np.array_equal(positive_probability(loaded, features.head(50)), expected)
    assert np.array_equal(positive_probability(model, features.head(50)), expected)
    assert (tmp_path / "artifacts").exists()


def test_requirements_pin_the_installed_versions() -> None:
    from importlib.metadata import version

    assert pip_requirements() == [
        f"mlflow=={version('mlflow')}",
        f"scikit-learn=={version('scikit-learn')}",
        f"skops=={version('skops')}",
        f"pandas=={version('pandas')}",
        f"numpy=={version('numpy')}",
    ]


def test_unknown_categories_and_missing_values_are_scored() -> None:
    training_set = synthetic_training_set(customers=100)
    model = build_pipeline({"max_iter": 10}).fit(to_model_input(training_set), training_set[LABEL_COLUMN])
    odd = to_model_input(training_set.head(2)).assign(
        main_channel_30d=["kiosk", None], amount_30d=[np.nan, 1.0]
    )

    probabilities = positive_probability(model, pd.DataFrame(odd))

    assert probabilities.shape == (2,)
    assert ((probabilities > 0) & (probabilities < 1)).all()
