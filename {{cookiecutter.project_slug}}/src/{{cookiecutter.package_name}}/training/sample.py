"""The training set as `train` and `validate` read it: one table version, capped to what one driver holds."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from ..config import Config
from ..contracts.tables import Table
from ..features.training_set import sample_rows
from ..progress import logger
from ..tables import read_table


def training_rows(spark: SparkSession, config: Config, version: int) -> DataFrame:
    """The training set at `version`; above `config.training.max_rows` rows, a deterministic sample of
    about that many, the same rows each time this version is read (so the holdout `validate` rebuilds
    is the one `train` measured)."""
    table = config.table(Table.TRAINING_SET)
    frame = read_table(spark, table, version=version)
    rows, cap = frame.count(), config.training.max_rows
    if rows <= cap:
        return frame
    logger.info(
        "%s v%d has %d rows, more than training.max_rows=%d: using a sample of about %d (%.2f%%), "
        "drawn on the Spark side",
        table.identifier,
        version,
        rows,
        cap,
        cap,
        100 * cap / rows,
    )
    return sample_rows(frame, cap / rows)
