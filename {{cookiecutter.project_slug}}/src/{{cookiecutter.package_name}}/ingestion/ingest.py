"""`ingest`: landing CSV files -> accepted rows in Delta, rejected rows in quarantine, exactly once.

A streaming file source with a checkpoint remembers which files it has processed; `availableNow`
processes every new file and stops. Locally the source is Spark's file source, on Databricks Auto Loader
(`cloudFiles`): the rest is the same. Files in sub-folders of the landing folder are read too, whatever
the folders are called; files that bring no rows are listed by name: those the source never reads (not
`*.csv`, or in a hidden `.x`/`_x` folder) and those holding no row (empty, or blank lines only). Each
micro-batch is validated (rules.py); per key the table keeps the first valid row by
`RawDataset.keep_order` (e.g. the earliest event, ties by file), whichever batch brought it, and
rejected rows are kept by (file, line, occurrence), so replaying a batch after a failure changes
nothing. Each batch records its accounting in the `ingest_audit` table, computed from the tables'
state after the batch, so a batch replayed after a crash is counted as in an uninterrupted run; this
also works where foreachBatch runs away from the driver (serverless compute).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from ..config import Config
from ..contracts.landing import INGESTED_AT_COLUMN, LINE_COLUMN, SOURCE_FILE_COLUMN, RawDataset
from ..contracts.tables import Table
from ..errors import LifecycleError
from ..progress import logger
from ..spark import cached
from ..tables import (
    append_to_table,
    create_empty_table,
    insert_new_rows,
    keep_first,
    read_table,
    table_exists,
    upsert,
)
from .rules import (
    IS_HEADER_COLUMN,
    MALFORMED_FILE_REASON,
    QUARANTINE_KEYS,
    REASONS_COLUMN,
    check_rows,
    quarantine_rows,
    valid_rows,
)

# One row per micro-batch (keyed by its files, so a replayed batch replaces its row), and one per run
# that found files the source does not read (batch_id null, `ignored_files`).
AUDIT_SCHEMA = (
    "run_id string, dataset string, batch_id bigint, rows_in bigint, accepted bigint, quarantined bigint, "
    "duplicates bigint, files bigint, source_files array<string>, malformed_files array<string>, "
    "ignored_files array<string>, recorded_at timestamp"
)
AUDIT_BATCH_KEYS = ("dataset", "source_files")
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
    # In the landing folder but bringing no rows: never read (wrong extension, hidden folder or name),
    # or holding no row at all (empty, or blank lines only).
    ignored_files: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        prefix = self.dataset
        return {
            f"{prefix}_rows_in": self.rows_in,
            f"{prefix}_accepted": self.accepted,
            f"{prefix}_quarantined": self.quarantined,
            f"{prefix}_duplicates": self.duplicates,
            f"{prefix}_files": self.files,
            f"{prefix}_malformed_files": self.malformed_files,
            f"{prefix}_ignored_files": self.ignored_files,
        }


def landing_folder(config: Config, dataset: RawDataset) -> str:
    return f"{config.landing_path}/{dataset.name}"


def landing_stream(
    spark: SparkSession, config: Config, dataset: RawDataset, max_files_per_batch: int | None = None
) -> DataFrame:
    """The dataset's landing folder as a stream of lines (LINE_COLUMN) plus the file each came from.

    Files are read as text, split at \\n, \\r\\n or \\r: validation splits each line into fields,
    so a line that is not one well-formed CSV row (an unclosed quote, a quoted line break, thousands of
    fields) is quarantined with a reason instead of failing the batch or being read as another row.
    The header is a line too, so validation can tell a file of another kind from a good one.
    """
    if config.on_databricks:
        reader = spark.readStream.format("cloudFiles").option("cloudFiles.format", "text")
        limit_option = "cloudFiles.maxFilesPerTrigger"
    else:
        reader = spark.readStream.format("text")
        limit_option = "maxFilesPerTrigger"
    if max_files_per_batch is not None:
        reader = reader.option(limit_option, max_files_per_batch)
    stream = (
        reader.option("pathGlobFilter", "*.csv")
        # Sub-folders are read whatever their names: no partition discovery from `key=value` folders,
        # which would make the source fail or skip files once such a folder appears.
        .option("recursiveFileLookup", "true")
        .load(landing_folder(config, dataset))
    )
    return stream.select(
        F.col("value").alias(LINE_COLUMN), F.col("_metadata.file_path").alias(SOURCE_FILE_COLUMN)
    )


def table_schemas(dataset: RawDataset) -> tuple[tuple[str, str], ...]:
    """The tables ingesting the dataset writes, with their DDL schemas: accepted, quarantine, audit."""
    return (
        (dataset.table, dataset.table_schema),
        (dataset.quarantine_table, QUARANTINE_SCHEMA),
        (Table.INGEST_AUDIT, AUDIT_SCHEMA),
    )


def ensure_tables(spark: SparkSession, config: Config, dataset: RawDataset) -> None:
    """Create the dataset's tables no batch has created (empty), so later stages can read them before
    any file arrives. Called after the stream: a batch creates a table with its first rows, a plain
    write that costs less than a MERGE into an empty table made beforehand."""
    for short_name, schema in table_schemas(dataset):
        if not table_exists(spark, table := config.table(short_name)):
            create_empty_table(spark, table, schema)


def batch_writer(config: Config, dataset: RawDataset, run_id: str):
    """The foreachBatch function: validate, write accepted and rejected rows, record the accounting."""

    def process(batch: DataFrame, batch_id: int) -> None:
        ingested_at = datetime.now(UTC)
        raw = batch.withColumn(INGESTED_AT_COLUMN, F.lit(ingested_at))
        with cached(check_rows(raw, dataset, config.ingest), config) as checked:
            counts = _batch_counts(checked)
            if not counts["source_files"]:
                return
            if counts["rows_in"] > counts["quarantined"]:
                keep_first(
                    valid_rows(checked, dataset),
                    config.table(dataset.table),
                    dataset.keys,
                    dataset.keep_order,
                )
            if counts["quarantined"]:
                quarantine = config.table(dataset.quarantine_table)
                insert_new_rows(quarantine_rows(checked, dataset), quarantine, QUARANTINE_KEYS)
        accepted = _rows_standing(batch.sparkSession, config, dataset, counts["source_files"])
        _record_batch(batch.sparkSession, config, dataset, (run_id, batch_id, ingested_at), counts, accepted)

    return process


def _batch_counts(checked: DataFrame):
    data = ~F.col(IS_HEADER_COLUMN)
    malformed = F.array_contains(REASONS_COLUMN, MALFORMED_FILE_REASON)
    return checked.agg(
        F.count(F.when(data, True)).alias("rows_in"),
        F.count(F.when(data & (F.size(REASONS_COLUMN) > 0), True)).alias("quarantined"),
        F.array_sort(F.collect_set(SOURCE_FILE_COLUMN)).alias("source_files"),
        F.array_sort(F.collect_set(F.when(malformed, F.col(SOURCE_FILE_COLUMN)))).alias("malformed"),
    ).first()


def _rows_standing(spark: SparkSession, config: Config, dataset: RawDataset, files: list[str]) -> int:
    """Rows of these files the accepted table holds after their batch: the batch's accepted rows.

    Read from the table rather than from the write's metrics, so a batch replayed after a crash between
    its writes and its checkpoint counts the rows its first attempt wrote.
    """
    table = config.table(dataset.table)
    if not table_exists(spark, table):  # every row so far was rejected
        return 0
    return read_table(spark, table).where(F.col(SOURCE_FILE_COLUMN).isin(files)).count()


def _record_batch(
    spark: SparkSession, config: Config, dataset: RawDataset, ids: tuple, counts, accepted: int
) -> None:
    run_id, batch_id, ingested_at = ids
    rows_in, quarantined, files = counts["rows_in"], counts["quarantined"], list(counts["source_files"])
    duplicates = rows_in - quarantined - accepted
    row = (run_id, dataset.name, batch_id, rows_in, accepted, quarantined, duplicates, len(files), files)
    audit = spark.createDataFrame([(*row, list(counts["malformed"]), [], ingested_at)], AUDIT_SCHEMA)
    upsert(audit, config.table(Table.INGEST_AUDIT), AUDIT_BATCH_KEYS)
    logger.info(
        "ingest %s batch %d: %d rows in %d file(s) -> %d accepted, %d quarantined, %d duplicates",
        dataset.name,
        batch_id,
        rows_in,
        len(files),
        accepted,
        quarantined,
        duplicates,
    )


def ignored_files(config: Config, dataset: RawDataset, read: Collection[str] = ()) -> list[str]:
    """Files under the dataset's landing folder that bring no rows, by the file source's rules.

    Never read: Spark's file listing skips names starting with `.` or `_` (unless they hold `=`) and
    names ending in `._COPYING_`, at any depth, except folders named `_metadata*`/`_common_metadata*`;
    `pathGlobFilter` keeps `*.csv` file names. Read but holding no row: the CSV reader skips blank
    lines, so an empty file, or one of blank lines only, shows in no batch (nor is it read again if
    rewritten). `read`: local paths of files some batch has read (they are not opened).
    """
    root = Path(landing_folder(config, dataset))
    if not root.is_dir():
        return []
    seen = set(read)
    return sorted(
        str(path)
        for path in root.rglob("*")
        if path.is_file()
        and (not _source_reads(path.relative_to(root)) or (str(path) not in seen and _holds_no_row(path)))
    )


def _source_reads(relative: Path) -> bool:
    def hidden(name: str) -> bool:
        return (
            name.startswith(".") or (name.startswith("_") and "=" not in name) or name.endswith("._COPYING_")
        )

    def hidden_folder(name: str) -> bool:
        # Spark lists folders named like Parquet summary files, though not files named so.
        return hidden(name) and not name.startswith(("_metadata", "_common_metadata"))

    *folders, name = relative.parts
    return name.endswith(".csv") and not hidden(name) and not any(hidden_folder(part) for part in folders)


_BLANK_BYTES = bytes(range(0x21))  # what the reader trims from a line: whitespace and control characters
_UTF8_BOM = b"\xef\xbb\xbf"  # skipped at the start of a file


def _holds_no_row(path: Path) -> bool:
    """Whether the CSV reader yields no line from the file: it holds only bytes a line is trimmed of."""
    with path.open("rb") as file:
        chunk = file.read(1 << 16).removeprefix(_UTF8_BOM)
        while chunk:
            if chunk.translate(None, _BLANK_BYTES):
                return False
            chunk = file.read(1 << 16)
    return True


def _local_path(source_file: str) -> str:
    """A source file as the stream reports it (a URI such as file:/x/a%20b.csv) as a local path."""
    return unquote(urlparse(source_file).path)


def ingest_dataset(
    spark: SparkSession, config: Config, dataset: RawDataset, max_files_per_batch: int | None = None
) -> IngestResult:
    """Ingest the dataset's files not yet processed (per its checkpoint) and return the accounting."""
    if not config.on_databricks:
        Path(landing_folder(config, dataset)).mkdir(parents=True, exist_ok=True)
    run_id = uuid.uuid4().hex
    _run_stream(spark, config, dataset, run_id, max_files_per_batch)
    ensure_tables(spark, config, dataset)
    audit = _audit_rows(spark, config, dataset)
    read = [_local_path(path) for row in audit for path in row["source_files"]]
    ignored = ignored_files(config, dataset, read)
    if ignored:
        _record_ignored(spark, config, dataset, run_id, ignored)
    result = _run_result(dataset, [row for row in audit if row["run_id"] == run_id], ignored)
    _warn_about_files(config, dataset, result)
    return result


def _run_stream(
    spark: SparkSession, config: Config, dataset: RawDataset, run_id: str, max_files_per_batch: int | None
) -> None:
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


def _record_ignored(
    spark: SparkSession, config: Config, dataset: RawDataset, run_id: str, files: list[str]
) -> None:
    row = (run_id, dataset.name, None, 0, 0, 0, 0, len(files), [], [], files, datetime.now(UTC))
    append_to_table(spark.createDataFrame([row], AUDIT_SCHEMA), config.table(Table.INGEST_AUDIT))


def _audit_rows(spark: SparkSession, config: Config, dataset: RawDataset) -> list:
    table = read_table(spark, config.table(Table.INGEST_AUDIT))
    return table.where(F.col("dataset") == dataset.name).drop("ignored_files").collect()


def _run_result(dataset: RawDataset, rows: list, ignored: list[str]) -> IngestResult:
    batches = [row for row in rows if row["batch_id"] is not None]
    return IngestResult(
        dataset=dataset.name,
        rows_in=sum(row["rows_in"] for row in batches),
        accepted=sum(row["accepted"] for row in batches),
        quarantined=sum(row["quarantined"] for row in batches),
        duplicates=sum(row["duplicates"] for row in batches),
        files=sum(row["files"] for row in batches),
        batches=len(batches),
        malformed_files=sorted(path for row in batches for path in row["malformed_files"]),
        ignored_files=ignored,
    )


def _warn_about_files(config: Config, dataset: RawDataset, result: IngestResult) -> None:
    for path in result.malformed_files:
        logger.warning(
            "ingest %s: %s has no '%s' header line; all its rows are in %s with reason %s",
            dataset.name,
            path,
            ",".join(dataset.columns),
            dataset.quarantine_table,
            MALFORMED_FILE_REASON,
        )
    root = Path(landing_folder(config, dataset))
    for path in result.ignored_files:
        if _source_reads(Path(path).relative_to(root)):
            why = "holds no row (empty, or blank lines only); a file rewritten in place is not read again"
        else:
            why = (
                "is not read (only *.csv files outside hidden '.'/'_' folders are); "
                "move or rename it if it holds data"
            )
        logger.warning("ingest %s: %s %s", dataset.name, path, why)
