"""The @champion model as a Spark UDF, pinned to the version the alias points at when scoring starts."""

from __future__ import annotations

import mlflow
from mlflow import MlflowClient
from pyspark.sql import SparkSession

from ..config import Config
from ..contracts.model import CHAMPION
from ..errors import NothingToDo
from ..tracking import configure_mlflow
from ..training.registry import version_by_alias, version_uri
from .scoring import Predict

# Bigger Arrow batches cut the per-batch overhead of the Python UDF: 10k -> 100k rows per batch was
# ~2.5x; 100k -> 500k ~3% more (benchmarks/run_benchmarks.py, 1M rows on 2 cores).
ARROW_BATCH_ROWS = "500000"


def champion_version(config: Config) -> str:
    """The version @champion points at now; none yet means nothing to score (no Spark needed to know)."""
    configure_mlflow(config)
    champion = version_by_alias(MlflowClient(), config.model_name, CHAMPION)
    if champion is None:
        raise NothingToDo(
            f"no @{CHAMPION} of {config.model_name} yet: nothing to score until a version passes `validate` "
            "and is promoted"
        )
    return str(champion.version)


def champion_udf(spark: SparkSession, config: Config, version: str | None = None) -> tuple[Predict, str]:
    """(predict, version): the champion's probabilities as an array<double> UDF, and its version.

    The alias is resolved once (or `version` given): the version recorded with the predictions is the
    one that made them.
    """
    version = version or champion_version(config)
    if not config.serverless:  # serverless compute allows only a few Spark settings, not this one
        spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", ARROW_BATCH_ROWS)
    predict = mlflow.pyfunc.spark_udf(
        spark, version_uri(config.model_name, version), result_type="array<double>", env_manager="local"
    )
    return predict, version
