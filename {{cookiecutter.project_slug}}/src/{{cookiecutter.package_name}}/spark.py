"""The Spark session factory: the platform's session on Databricks, a local one with Delta elsewhere.

- Databricks (classic or serverless): the runtime's session.
- `SPARK_REMOTE` set: the Spark Connect server it names (Databricks Connect, or the local twin's
  serverless compute in tests).
- Locally with `Config.serverless`: a local Spark Connect server (`remote("local[*]")`), so the code
  runs as on serverless: a Connect client, foreachBatch on the server side.
- Locally otherwise: classic `local[*]`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from pyspark.sql import DataFrame, SparkSession

from .config import PACKAGE_NAME, Config

REMOTE_VARIABLE = "SPARK_REMOTE"


def local_spark_conf(config: Config) -> dict[str, str]:
    """Settings that keep a one-machine session quick: few partitions, no UI, quiet progress."""
    partitions = str(config.shuffle_partitions)
    return {
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.shuffle.partitions": partitions,
        "spark.default.parallelism": partitions,
        "spark.databricks.delta.snapshotPartitions": partitions,
        "spark.sql.warehouse.dir": f"{config.state_root}/spark-warehouse",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # One thread per Python worker: local[*] already runs one worker per core, and OpenMP inside
        # each (scikit-learn's predict) would oversubscribe the cores.
        "spark.executorEnv.OMP_NUM_THREADS": "1",
        "spark.driver.memory": os.environ.get("SPARK_DRIVER_MEMORY", "4g"),
        # Local files without Hadoop's `.name.crc` side files: with them a file whose name holds a
        # `:` cannot be read (the side file's name is not a valid relative path).
        "spark.hadoop.fs.file.impl": "org.apache.hadoop.fs.RawLocalFileSystem",
    }


def get_spark(config: Config, app_name: str = PACKAGE_NAME) -> SparkSession:
    """The session this process should use (see the module docstring).

    A local session downloads the Delta jars from Maven Central on first use (cached in ~/.ivy2).
    """
    if config.on_databricks or REMOTE_VARIABLE in os.environ:
        return SparkSession.builder.getOrCreate()

    # Only here: delta-spark's pip helper is a local dependency (the dev extra), not on Databricks.
    from delta import configure_spark_with_delta_pip

    # Workers must run this interpreter (it has pandas, pyarrow, mlflow), on loopback only.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    master = os.environ.get("SPARK_MASTER", "local[*]")
    builder = (
        SparkSession.builder.remote(master) if config.serverless else SparkSession.builder.master(master)
    )
    for key, value in local_spark_conf(config).items():
        builder = builder.config(key, value)
    session = configure_spark_with_delta_pip(builder.appName(app_name)).getOrCreate()
    if not config.serverless:
        session.sparkContext.setLogLevel(os.environ.get("SPARK_LOG_LEVEL", "ERROR"))
    return session


@contextmanager
def cached(df: DataFrame, config: Config) -> Iterator[DataFrame]:
    """`df` cached for the several actions run on it inside the block, then released.

    Serverless compute cannot cache (persist() is refused there): it gets `df` as it is and recomputes.
    """
    if config.serverless:
        yield df
        return
    persisted = df.persist()
    try:
        yield persisted
    finally:
        persisted.unpersist()
