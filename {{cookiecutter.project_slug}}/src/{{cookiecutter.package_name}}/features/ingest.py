"""`ingest`: landing CSV files -> accepted rows in Delta, rejected rows in quarantine, exactly once.

A streaming file source with a checkpoint remembers which files it has processed; `availableNow`
processes every new file and stops. Locally the source is Spark's file source, on Databricks Auto Loader
(`cloudFiles`): the rest is the same. Each micro-batch is validated (validation.py), accepted rows are
inserted by key (first write wins) and rejected rows by (file, line, occurrence), so replaying a batch
after a failure changes nothing. Each batch records its row accounting in the `ingest_audit` table,
which also works where foreachBatch runs away from the driver (serverless compute).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..errors import LifecycleError
from ..progress import logger
from ..spark import cached
from ..tables import append_to_table, insert_new_rows, read_table, table_exists
from .schema import CORRUPT_RECORD_COLUMN, INGESTED_AT_COLUMN, SOURCE_FILE_COLUMN, RawDataset
from .validation import (
    IS_HEADER_COLUMN,
    MALFORMED_FILE_REASON,
    QUARANTINE_KEYS,
    REASONS_COLUMN,
    check_rows,
    quarantine_rows,
    valid_rows,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

AUDIT_TABLE = "ingest_audit"
AUDIT_SCHEMA = (
    "run_id string, dataset string, batch_id bigint, rows_in bigint, accepted bigint, quarantined bigint, "
    "duplicates bigint, files bigint, malformed_files array<string>, recorded_at timestamp"
)
QUARANTINE_SCHEMA = (
    "dataset string, source_file string, record string, occurrence int, reasons array<string>, "
    "ingested_at timestamp"
)


@dataclass(frozen=True)
class IngestResult:
    """Row accounting of one dataset in one run: rows_in = accepted + quarantined + duplicates."""

    dataset: str
    rows_in: int = 0
    accepted: int = 0
    quarantined: int = 0
    duplicates: int = 0
    files: int = 0
    batches: int = 0
    malformed_files: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        prefix = self.dataset
        return {
            f"{prefix}_rows_in": self.rows_in,
            f"{prefix}_accepted": self.accepted,
            f"{prefix}_quarantined": self.quarantined,
            f"{prefix}_duplicates": self.duplicates,
            f"{prefix}_files": self.files,
            f"{prefix}_malformed_files": self.malformed_files,
        }


def landing_folder(config: Config, dataset: RawDataset) -> str:
    return f"{config.landing_path}/{dataset.name}"


def landing_stream(
    spark: SparkSession, config: Config, dataset: RawDataset, max_files_per_batch: int | None = None
) -> DataFrame:
    """The dataset's landing folder as a stream of raw string rows plus the file each came from.

    The header is read as a row (header=false) so validation can tell a file without the expected
    header line (not a file of this dataset) from a good one.
    """
    from pyspark.sql import functions as F

    if config.on_databricks:
        reader = (
            spark.readStream.format("cloudFiles")
            .option("cloudFiles.format", "csv")
            .option("cloudFiles.schemaLocation", config.checkpoint(f"ingest_{dataset.name}_schema"))
            .option("cloudFiles.schemaEvolutionMode", "none")
        )
        limit_option = "cloudFiles.maxFilesPerTrigger"
    else:
        reader = spark.readStream.format("csv")
        limit_option = "maxFilesPerTrigger"
    if max_files_per_batch is not None:
        reader = reader.option(limit_option, max_files_per_batch)
    stream = (
        reader.schema(dataset.raw_schema)
        .option("header", "false")
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT_RECORD_COLUMN)
        .option("pathGlobFilter", "*.csv")
        .load(landing_folder(config, dataset))
    )
    return stream.select(
        *[F.col(f"`{column}`") for column in (*dataset.columns, CORRUPT_RECORD_COLUMN)],
        F.col("_metadata.file_path").alias(SOURCE_FILE_COLUMN),
    )


def ensure_tables(spark: SparkSession, config: Config, dataset: RawDataset) -> None:
    """Create the dataset's empty tables on first use, so later stages can read them before any file."""
    for short_name, schema, keys in (
        (dataset.table, dataset.table_schema, dataset.keys),
        (dataset.quarantine_table, QUARANTINE_SCHEMA, QUARANTINE_KEYS),
        (AUDIT_TABLE, AUDIT_SCHEMA, ("run_id",)),
    ):
        table = config.table(short_name)
        if not table_exists(spark, table):
            insert_new_rows(spark.createDataFrame([], schema), table, keys)


def batch_writer(config: Config, dataset: RawDataset, run_id: str):
    """The foreachBatch function: validate, insert accepted and rejected rows, record the accounting."""

    def process(batch: DataFrame, batch_id: int) -> None:
        from pyspark.sql import functions as F

        spark = batch.sparkSession
        ingested_at = datetime.now(UTC)
        raw = batch.withColumn(INGESTED_AT_COLUMN, F.lit(ingested_at))
        with cached(check_rows(raw, dataset), config) as checked:
            data = ~F.col(IS_HEADER_COLUMN)
            rejected = data & (F.size(REASONS_COLUMN) > 0)
            malformed = F.array_contains(REASONS_COLUMN, MALFORMED_FILE_REASON)
            counts = checked.agg(
                F.count(F.when(data, True)).alias("rows_in"),
                F.count(F.when(rejected, True)).alias("quarantined"),
                F.count_distinct(SOURCE_FILE_COLUMN).alias("files"),
                F.array_sort(F.collect_set(F.when(malformed, F.col(SOURCE_FILE_COLUMN)))).alias("malformed"),
            ).first()
            # Skip a MERGE with nothing to write: each costs a Delta commit.
            accepted = 0
            if counts["rows_in"] > counts["quarantined"]:
                bronze = config.table(dataset.table)
                accepted = insert_new_rows(valid_rows(checked, dataset), bronze, dataset.keys)
            if counts["quarantined"]:
                quarantine = config.table(dataset.quarantine_table)
                insert_new_rows(quarantine_rows(checked, dataset), quarantine, QUARANTINE_KEYS)
        duplicates = counts["rows_in"] - counts["quarantined"] - accepted
        audit = (
            run_id,
            dataset.name,
            batch_id,
            counts["rows_in"],
            accepted,
            counts["quarantined"],
            duplicates,
            counts["files"],
            list(counts["malformed"]),
            ingested_at,
        )
        # A plain append: the run id is new on every run, so no batch is recorded twice under one id.
        append_to_table(spark.createDataFrame([audit], AUDIT_SCHEMA), config.table(AUDIT_TABLE))
        logger.info(
            "ingest %s batch %d: %d rows in %d file(s) -> %d accepted, %d quarantined, %d duplicates",
            dataset.name,
            batch_id,
            counts["rows_in"],
            counts["files"],
            accepted,
            counts["quarantined"],
            duplicates,
        )

    return process


def ingest_dataset(
    spark: SparkSession, config: Config, dataset: RawDataset, max_files_per_batch: int | None = None
) -> IngestResult:
    """Ingest the dataset's files not yet processed (per its checkpoint) and return the accounting."""
    from pyspark.sql import functions as F

    if not config.on_databricks:
        Path(landing_folder(config, dataset)).mkdir(parents=True, exist_ok=True)
    ensure_tables(spark, config, dataset)
    run_id = uuid.uuid4().hex
    query = (
        landing_stream(spark, config, dataset, max_files_per_batch)
        .writeStream.foreachBatch(batch_writer(config, dataset, run_id))
        .option("checkpointLocation", config.checkpoint(f"ingest_{dataset.name}"))
        .trigger(availableNow=True)
        .start()
    )
    try:
        query.awaitTermination()
    except Exception as error:
        raise LifecycleError(
            f"ingesting {dataset.name} from {landing_folder(config, dataset)} failed: {error}. Batches "
            "already committed are kept; fix the cause and rerun `ingest` (it resumes from the checkpoint)."
        ) from error
    batches = (
        read_table(spark, config.table(AUDIT_TABLE))
        .where((F.col("run_id") == run_id) & (F.col("dataset") == dataset.name))
        .collect()
    )
    result = IngestResult(
        dataset=dataset.name,
        rows_in=sum(row["rows_in"] for row in batches),
        accepted=sum(row["accepted"] for row in batches),
        quarantined=sum(row["quarantined"] for row in batches),
        duplicates=sum(row["duplicates"] for row in batches),
        files=sum(row["files"] for row in batches),
        batches=len(batches),
        malformed_files=sorted(path for row in batches for path in row["malformed_files"]),
    )
    for path in result.malformed_files:
        logger.warning(
            "ingest %s: %s has no '%s' header line; all its rows are in %s with reason %s",
            dataset.name,
            path,
            ",".join(dataset.columns),
            dataset.quarantine_table,
            MALFORMED_FILE_REASON,
        )
    return result
