"""The @champion as a Scorer, pinned to the version the alias points at when scoring starts.

Two paths score the same model, a normal MLflow model (what `mlflow models serve` and `spark_udf`
load): "native" applies its scikit-learn pipeline with mapInArrow (native.py), "pyfunc" goes through
mlflow's spark_udf, which works for any flavor but converts and checks every Arrow batch against the
signature. "auto" takes the native path when the model has the sklearn flavor.
"""

from __future__ import annotations

import mlflow
from mlflow import MlflowClient
from mlflow.models import get_model_info
from pyspark.sql import SparkSession

from ..config import Config
from ..contracts.model import CHAMPION
from ..errors import ConfigError, LifecycleError, NothingToDo
from ..tracking import configure_mlflow
from ..training.registry import version_by_alias, version_uri
from .native import sklearn_scorer
from .scoring import Scorer, column_scorer
from .spec import AUTO, NATIVE, PYFUNC, SCORING_PATHS

SKLEARN_FLAVOR = "sklearn"
ARROW_BATCH_SETTING = "spark.sql.execution.arrow.maxRecordsPerBatch"
# Bigger Arrow batches cut the pyfunc UDF's per-batch cost (1M rows on 2 cores): 10k -> 100k rows per
# batch ~2.5x faster, 100k -> 500k ~3% more. The native path gathers batches itself: 10k or 500k cost it
# the same CPU. Set for both, so a session's batch size does not depend on which path was built first.
# Serverless keeps its default: it refuses the setting.
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


def champion_scorer(
    spark: SparkSession, config: Config, version: str | None = None, path: str = AUTO
) -> tuple[Scorer, str]:
    """(scorer, version): the champion's probabilities by `path` (auto, native or pyfunc), and its version.

    The alias is resolved once (or `version` given): the version recorded with the predictions is the
    one that made them.
    """
    if path not in SCORING_PATHS:
        raise ConfigError(f"scoring path {path!r}: expected one of {', '.join(SCORING_PATHS)}")
    version = version or champion_version(config)
    uri = version_uri(config.model_name, version)
    flavors = get_model_info(uri).flavors  # reads the MLmodel file only
    if path == NATIVE and SKLEARN_FLAVOR not in flavors:
        raise LifecycleError(
            f"{uri} has no {SKLEARN_FLAVOR} flavor (it has {', '.join(sorted(flavors))}): "
            f"the {NATIVE} scoring path needs one; use {PYFUNC} (or {AUTO})"
        )
    if not config.serverless:
        spark.conf.set(ARROW_BATCH_SETTING, ARROW_BATCH_ROWS)
    if path == PYFUNC or SKLEARN_FLAVOR not in flavors:
        return _pyfunc_scorer(spark, uri), version
    model = mlflow.sklearn.load_model(uri)
    if not hasattr(model, "predict_proba"):
        raise LifecycleError(f"{uri} has no predict_proba: scoring needs the churn probability")
    return sklearn_scorer(model), version


def _pyfunc_scorer(spark: SparkSession, uri: str) -> Scorer:
    """mlflow's spark_udf of the model, returning its class probabilities."""
    predict = mlflow.pyfunc.spark_udf(spark, uri, result_type="array<double>", env_manager="local")
    return column_scorer(predict, PYFUNC)
