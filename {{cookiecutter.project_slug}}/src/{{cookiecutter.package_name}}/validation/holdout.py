"""The holdout a model version is judged on: its training table, at the Delta version it was trained
on, from the holdout start recorded on the version. Rebuilt the same way at every validation."""

from __future__ import annotations

import pandas as pd
from mlflow.entities.model_registry import ModelVersion
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from ..config import Config
from ..contracts.model import HOLDOUT_START_TAG, TRAINING_VERSION_TAG
from ..errors import LifecycleError
from ..features.spec import LABEL_TS_COLUMN, TRAINING_SET_COLUMNS
from ..training.sample import training_rows

REQUIRED_TAGS = (TRAINING_VERSION_TAG, HOLDOUT_START_TAG)


def load_holdout(spark: SparkSession, config: Config, version: ModelVersion) -> pd.DataFrame:
    """The version's holdout rows (TRAINING_SET_COLUMNS) as pandas."""
    missing = [tag for tag in REQUIRED_TAGS if tag not in version.tags]
    if missing:
        raise LifecycleError(
            f"model version {version.version} lacks tag(s) {missing}: it was not registered by `train`, "
            "so its holdout is unknown; validate a version registered by `train`"
        )
    frame = training_rows(spark, config, int(version.tags[TRAINING_VERSION_TAG]))
    holdout_start = pd.Timestamp(version.tags[HOLDOUT_START_TAG])
    rows = frame.where(
        F.col(LABEL_TS_COLUMN) >= F.lit(holdout_start.strftime("%Y-%m-%d %H:%M:%S")).cast("timestamp")
    )
    return rows.select(*TRAINING_SET_COLUMNS).toPandas()
