"""The champion's baseline: the training rows a model version learned from, kept in a table of its own.

Monitoring compares live data with these rows. They cannot be read back from `training_set` by time
travel when needed: that table is rewritten daily and Unity Catalog vacuums old versions (7 days by
default). So `promote` copies them here while they are still readable, keyed by model version.
"""

from __future__ import annotations

from mlflow.entities.model_registry import ModelVersion
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from ..config import Config
from ..contracts.model import TRAINING_VERSION_TAG
from ..contracts.tables import Table
from ..errors import LifecycleError
from ..features.spec import TRAINING_SET_COLUMNS
from ..tables import read_table, replace_where, table_exists

MODEL_VERSION_COLUMN = "model_version"


def _version_rows(version: str) -> str:
    return f"{MODEL_VERSION_COLUMN} = '{version}'"


def has_baseline(spark: SparkSession, config: Config, version: str) -> bool:
    table = config.table(Table.CHAMPION_BASELINES)
    return table_exists(spark, table) and not read_table(spark, table).where(_version_rows(version)).isEmpty()


def snapshot_baseline(spark: SparkSession, config: Config, version: ModelVersion) -> int:
    """Copy the training rows of `version` into the baseline table (replacing its earlier copy)."""
    number = str(version.version)
    if TRAINING_VERSION_TAG not in version.tags:
        raise LifecycleError(
            f"model version {number} has no {TRAINING_VERSION_TAG} tag: it was not registered by `train`"
        )
    training_version = int(version.tags[TRAINING_VERSION_TAG])
    try:
        rows = read_table(spark, config.table(Table.TRAINING_SET), version=training_version)
        rows = rows.select(*TRAINING_SET_COLUMNS).withColumn(MODEL_VERSION_COLUMN, F.lit(number))
        replace_where(rows, config.table(Table.CHAMPION_BASELINES), _version_rows(number))
    except Exception as error:
        raise LifecycleError(
            f"cannot snapshot the baseline of model version {number}: "
            f"training_set version {training_version} "
            f"is not readable ({str(error).strip().splitlines()[0][:300]}); if it was vacuumed, retrain and "
            "promote a new version"
        ) from error
    return read_table(spark, config.table(Table.CHAMPION_BASELINES)).where(_version_rows(number)).count()


def read_baseline(spark: SparkSession, config: Config, version: str) -> DataFrame:
    """The baseline rows of a model version (TRAINING_SET_COLUMNS)."""
    if not has_baseline(spark, config, version):
        raise LifecycleError(
            f"no baseline snapshot of model version {version} in {Table.CHAMPION_BASELINES}: run "
            f"`promote --version {version}` to take it (promote snapshots the champion's training rows)"
        )
    return (
        read_table(spark, config.table(Table.CHAMPION_BASELINES))
        .where(_version_rows(version))
        .select(*TRAINING_SET_COLUMNS)
    )
