"""`train` as a pipeline: the training set table (at one Delta version) in, a registered model version out."""

from __future__ import annotations

from pyspark.sql import SparkSession

from ..config import Config
from ..contracts.model import JOB_RUN_ID_TAG, TRAINING_VERSION_TAG
from ..contracts.tables import Table
from ..errors import LifecycleError
from ..features.spec import TRAINING_SET_COLUMNS
from ..tables import table_exists, table_version
from .lineage import git_commit, training_dataset
from .sample import training_rows
from .train import train_and_register

FEATURE_TABLES = (Table.CUSTOMER_FEATURES, Table.TRAINING_SET)


def train_from_table(
    spark: SparkSession, config: Config, job_run_id: str | None = None, trials: int = 0, seed: int = 0
) -> dict:
    """Train on the current training set, tagging the version with the table version it read."""
    table = config.table(Table.TRAINING_SET)
    if not table_exists(spark, table):
        raise LifecycleError(f"the training set {table.identifier} does not exist: run `features` first")
    version = table_version(spark, table)
    frame = training_rows(spark, config, version)
    missing = [column for column in TRAINING_SET_COLUMNS if column not in frame.columns]
    if missing:
        raise LifecycleError(f"{table.identifier} lacks column(s) {missing}: rebuild it with `features`")
    lineage = {
        "git_commit": git_commit(),
        "training_table": table.identifier,
        TRAINING_VERSION_TAG: str(version),
        "feature_tables": ",".join(config.table(name).identifier for name in FEATURE_TABLES),
    }
    if job_run_id:
        lineage[JOB_RUN_ID_TAG] = job_run_id
    training_set = frame.select(*TRAINING_SET_COLUMNS).toPandas()
    dataset = training_dataset(training_set, table, version)
    return train_and_register(config, training_set, lineage, trials=trials, seed=seed, dataset=dataset)
