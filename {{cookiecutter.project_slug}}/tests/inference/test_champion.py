"""The @champion's two scoring paths on a real logged model: the native mapInPandas path and mlflow's
spark_udf give the probabilities the pipeline gives in-process; which path `auto` takes; serverless."""

from __future__ import annotations

import dataclasses
import json
import textwrap
from datetime import datetime
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow import MlflowClient
from mlflow.models import infer_signature
from pyspark.sql import functions as F
from pyspark.sql.conf import RuntimeConfig
from sklearn.dummy import DummyRegressor

from {{ cookiecutter.package_name }} import cli
from {{ cookiecutter.package_name }}.config import load_config
from {{ cookiecutter.package_name }}.errors import ConfigError, LifecycleError
from {{ cookiecutter.package_name }}.features.spec import (
    CATEGORICAL_FEATURES,
    ENTITY_COLUMN,
    FEATURE_TS_COLUMN,
    FEATURES_SCHEMA,
    LABEL_TS_COLUMN,
    MODEL_FEATURES,
)
from {{ cookiecutter.package_name }}.inference.champion import ARROW_BATCH_SETTING, champion_scorer
from {{ cookiecutter.package_name }}.inference.schema import AS_OF_COLUMN
from {{ cookiecutter.package_name }}.inference.scoring import score_features
from {{ cookiecutter.package_name }}.tables import overwrite_table, read_table
from {{ cookiecutter.package_name }}.tracking import configure_mlflow
from {{ cookiecutter.package_name }}.training.model import to_model_input
from {{ cookiecutter.package_name }}.training.registry import version_uri
from {{ cookiecutter.package_name }}.training.train import train_and_register

from feature_rows import feature_row, varied
from model_helpers import synthetic_training_set

LINEAGE = {"git_commit": "test", "training_table": "t", "training_table_version": "0", "feature_tables": "t"}
# A pyfunc model of another flavor, logged from code: P(churn) = events_30d / 10.
PYFUNC_MODEL_CODE = """
import mlflow
import numpy as np


class EventsModel(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        probability = model_input["events_30d"].to_numpy() / 10
        return np.column_stack([1 - probability, probability])


mlflow.models.set_model(EventsModel())
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("champion")


@pytest.fixture(scope="module")
def champion_home(home: Path):
    """A home whose @champion (version 1) is the project's pipeline, trained and logged as `train` does."""
    config = load_config("local", home=home)
    train_and_register(config, synthetic_training_set(), LINEAGE)
    MlflowClient().set_registered_model_alias(config.model_name, "champion", "1")
    return config


def _rows() -> pd.DataFrame:
    """Looked-up feature rows as scoring gets them, with missing values and an unseen channel."""
    rows = synthetic_training_set(customers=8, seed=11).rename(columns={LABEL_TS_COLUMN: AS_OF_COLUMN})
    rows = rows[[ENTITY_COLUMN, AS_OF_COLUMN, FEATURE_TS_COLUMN, *MODEL_FEATURES]].head(12)
    rows.loc[1, "events_30d"] = None
    rows.loc[2, "amount_30d"] = None
    rows.loc[3, CATEGORICAL_FEATURES[0]] = None
    rows.loc[4, CATEGORICAL_FEATURES[0]] = "fax"
    rows[ENTITY_COLUMN] = [f"row{number:02d}" for number in range(len(rows))]
    return rows


def _scored(spark, rows: pd.DataFrame, scorer) -> list[float]:
    # The features table stores counts as bigint: the path must cast them as the signature says.
    features = spark.createDataFrame(rows).withColumn("events_30d", F.col("events_30d").cast("bigint"))
    scored = score_features(features.repartition(3), scorer, "m", "1", "2026-05-01 00:00:00")
    return [row.prediction for row in scored.orderBy(ENTITY_COLUMN).collect()]


def test_the_native_and_pyfunc_paths_give_the_in_process_probabilities(spark, champion_home) -> None:
    rows = _rows()
    pipeline = mlflow.sklearn.load_model(version_uri(champion_home.model_name, "1"))
    in_process = pipeline.predict_proba(to_model_input(rows))[:, 1]

    native, version = champion_scorer(spark, champion_home)
    pyfunc, _ = champion_scorer(spark, champion_home, path="pyfunc")

    assert (native.path, pyfunc.path, version) == ("native", "pyfunc", "1")
    assert len(set(in_process.round(6))) > 5  # the rows get different probabilities
    np.testing.assert_allclose(_scored(spark, rows, native), in_process, rtol=0, atol=1e-12)
    np.testing.assert_allclose(_scored(spark, rows, pyfunc), in_process, rtol=0, atol=1e-12)


def _score(home: Path, monkeypatch, capsys, *arguments: str) -> tuple[dict, str]:
    monkeypatch.setenv("LAKEHOUSE_HOME", str(home))
    assert cli.main(["score", "--json", *arguments]) == 0
    output = capsys.readouterr()
    return json.loads(output.out.strip().splitlines()[-1]), output.err


def test_score_says_which_path_scored_and_both_write_the_same_predictions(
    spark, home, champion_home, monkeypatch, capsys
) -> None:
    rows = [feature_row(f"c{number}", datetime(2026, 5, 1), **varied(number, "web")) for number in range(4)]
    overwrite_table(spark.createDataFrame(rows, FEATURES_SCHEMA), champion_home.table("customer_features"))
    predictions = champion_home.table("predictions")

    native, native_log = _score(home, monkeypatch, capsys)
    by_native = {row.customer_id: row.prediction for row in read_table(spark, predictions).collect()}
    pyfunc, pyfunc_log = _score(home, monkeypatch, capsys, "--scoring-path", "pyfunc")
    by_pyfunc = {row.customer_id: row.prediction for row in read_table(spark, predictions).collect()}

    assert (native["scoring_path"], pyfunc["scoring_path"]) == ("native", "pyfunc")
    assert "score: version 1 of " in native_log and " scores by the native path" in native_log
    assert " scores by the pyfunc path" in pyfunc_log
    assert sorted(by_native) == ["c0", "c1", "c2", "c3"] and len(set(by_native.values())) > 1
    assert by_native == pytest.approx(by_pyfunc, abs=1e-12)


def test_an_unknown_path_is_a_config_error(spark, champion_home) -> None:
    with pytest.raises(ConfigError, match="scoring path 'fast': expected one of auto, native, pyfunc"):
        champion_scorer(spark, champion_home, path="fast")


def _register_events_model(config, code_dir: Path) -> str:
    """Register a pyfunc-only model (no sklearn flavor) as a new version; returns the version."""
    code = code_dir / "events_model.py"
    code.write_text(textwrap.dedent(PYFUNC_MODEL_CODE))
    example = to_model_input(_rows())
    probability = example["events_30d"].to_numpy() / 10
    experiment_id = configure_mlflow(config)
    with mlflow.start_run(experiment_id=experiment_id):
        logged = mlflow.pyfunc.log_model(
            name="model",
            python_model=str(code),
            signature=infer_signature(example, np.column_stack([1 - probability, probability])),
            pip_requirements=["mlflow"],
        )
    return str(mlflow.register_model(logged.model_uri, config.model_name).version)


def test_a_model_without_the_sklearn_flavor_scores_through_pyfunc(spark, tmp_path: Path) -> None:
    config = load_config("local", home=tmp_path)
    version = _register_events_model(config, tmp_path)
    rows = _rows().head(4).assign(events_30d=[2.0, 6.0, 0.0, 9.0])

    scorer, _ = champion_scorer(spark, config, version)

    assert scorer.path == "pyfunc"
    np.testing.assert_allclose(_scored(spark, rows, scorer), [0.2, 0.6, 0.0, 0.9], atol=1e-12)
    with pytest.raises(LifecycleError, match=r"has no sklearn flavor \(it has python_function\): the native"):
        champion_scorer(spark, config, version, path="native")


def test_a_sklearn_model_without_probabilities_is_refused(spark, tmp_path: Path) -> None:
    config = load_config("local", home=tmp_path)
    features = to_model_input(_rows())[["events_30d"]]
    experiment_id = configure_mlflow(config)
    with mlflow.start_run(experiment_id=experiment_id):
        logged = mlflow.sklearn.log_model(
            DummyRegressor().fit(features, np.arange(len(features))), name="model", pip_requirements=[]
        )
    version = str(mlflow.register_model(logged.model_uri, config.model_name).version)

    with pytest.raises(LifecycleError, match="has no predict_proba: scoring needs the churn probability"):
        champion_scorer(spark, config, version)


def test_on_serverless_neither_path_sets_a_spark_setting(
    spark, champion_home, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Serverless compute refuses most settings (databricks_twin/serverless_limits.py): none is set.
    Classic compute gets bigger Arrow batches on both paths."""
    settings: list[str] = []
    monkeypatch.setattr(RuntimeConfig, "set", lambda conf, key, value: settings.append(key))

    for serverless in (True, False):
        config = dataclasses.replace(champion_home, serverless=serverless)
        for path in ("native", "pyfunc"):
            scorer, _ = champion_scorer(spark, config, path=path)
            assert len(_scored(spark, _rows().head(3), scorer)) == 3
        if serverless:
            assert settings == []

    assert settings == [ARROW_BATCH_SETTING, ARROW_BATCH_SETTING]
