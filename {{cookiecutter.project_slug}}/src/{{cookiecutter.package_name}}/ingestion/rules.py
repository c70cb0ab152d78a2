"""The row rules of raw landing lines, as plain Spark expressions: splitting, typing, rules, reasons.

Pure functions (DataFrame in, DataFrame out). A line gets every reason it fails, as short codes like
`amount:out_of_range`; a line with no reasons is a valid row. Nothing is dropped here except blank
lines and header lines.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from ..config import IngestRules
from ..contracts.landing import (
    INGESTED_AT_COLUMN,
    LINE_COLUMN,
    SOURCE_FILE_COLUMN,
    TIMESTAMP_FORMAT,
    RawDataset,
)

REASONS_COLUMN = "reasons"
RECORD_COLUMN = "record"  # the line as it is in the file: what quarantine keeps so nothing is lost
IS_HEADER_COLUMN = "is_header"
DATASET_COLUMN = "dataset"
OCCURRENCE_COLUMN = "occurrence"
QUARANTINE_COLUMNS = (
    DATASET_COLUMN,
    SOURCE_FILE_COLUMN,
    RECORD_COLUMN,
    OCCURRENCE_COLUMN,
    REASONS_COLUMN,
    INGESTED_AT_COLUMN,
)
# A raw line occurs once per occurrence number in its file: MERGE on these keys is idempotent.
QUARANTINE_KEYS = (SOURCE_FILE_COLUMN, RECORD_COLUMN, OCCURRENCE_COLUMN)
MALFORMED_FILE_REASON = "file:no_header_line"
WRONG_FIELD_COUNT_REASON = "row:wrong_number_of_fields"
# A quote that does not open and close a whole field: an unclosed quote, a quote inside an unquoted
# value, or a quoted value cut in two by a line break (values may not hold line breaks).
BAD_QUOTING_REASON = "row:bad_quoting"
NOT_UTF8_REASON = "row:not_utf8"

# A CSV line as CSV writers produce it (RFC 4180): each field is either quoted, with quotes inside
# doubled and optional spaces or tabs around the quotes, or holds neither a quote nor a comma.
# Possessive quantifiers never backtrack, so a line of any length is checked in linear time.
_QUOTED = r'"[^"]*+(?:""[^"]*+)*+"'
_FIELD = rf'(?:[ \t]*+{_QUOTED}[ \t]*+|[^",]*+)'
_CSV_LINE = rf"^{_FIELD}(?:,{_FIELD})*+$"
_CSV_OPTIONS = {"escape": '"', "ignoreLeadingWhiteSpace": "true", "ignoreTrailingWhiteSpace": "true"}
# Trimmed from both ends of a value: whitespace (any Unicode space), control characters, BOM.
_EDGES = r"^[\p{Z}\p{Cc}\x{FEFF}]+|[\p{Z}\p{Cc}\x{FEFF}]+$"
# A line with nothing but characters up to U+0020 is blank: not a row (ingest.ignored_files agrees).
_NOT_BLANK = r"[^\x00-\x20]"
# Numbers as people write them; Spark's casts would also take `1d`, `2.5f`, `NaN` and `Infinity`.
_NUMBER = {
    "double": r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$",
    "int": r"^[+-]?\d+$",
    "bigint": r"^[+-]?\d+$",
}
_LINE_REASON = "__line_reason"


DEFAULT_RULES = IngestRules()


def split_lines(raw: DataFrame, dataset: RawDataset) -> DataFrame:
    """Raw lines -> non-blank lines with the dataset's columns as trimmed text and `__line_reason`.

    A line that is not one well-formed CSV row of the dataset's field count gets its reason and null
    columns: it is never split into values that could pass as another row.
    """
    line = F.col(LINE_COLUMN)
    fields = F.size(F.split(F.regexp_replace(line, _QUOTED, ""), ",", -1))
    reason = F.when(~line.rlike(_CSV_LINE), F.lit(BAD_QUOTING_REASON)).when(
        fields != len(dataset.columns), F.lit(WRONG_FIELD_COUNT_REASON)
    )
    values = F.from_csv(F.when(reason.isNull(), line), dataset.text_schema, _CSV_OPTIONS)
    return raw.where(line.rlike(_NOT_BLANK)).select(
        "*",
        reason.alias(_LINE_REASON),
        *[F.regexp_replace(values.getField(column), _EDGES, "").alias(column) for column in dataset.columns],
    )


def check_rows(raw: DataFrame, dataset: RawDataset, rules: IngestRules = DEFAULT_RULES) -> DataFrame:
    """Raw lines (+ source_file, ingested_at) -> typed columns, `reasons`, `record`, `is_header`.

    A file without the expected header line is not a file of this dataset (binary junk, another
    export, shuffled columns): all its rows fail with MALFORMED_FILE_REASON. Header lines themselves
    are flagged `is_header` and are not data rows. Timestamps outside `rules` are implausible.
    """
    split = split_lines(raw, dataset)
    text = {column: F.col(column) for column in dataset.columns}
    is_header = F.lit(True)
    for column in dataset.columns:
        is_header = is_header & F.coalesce(F.lower(text[column]) == column, F.lit(False))
    file_has_header = F.max(F.col(IS_HEADER_COLUMN)).over(Window.partitionBy(SOURCE_FILE_COLUMN))

    flagged = split.withColumn(IS_HEADER_COLUMN, is_header).withColumn("__file_ok", file_has_header)
    typed = {column: _typed(text[column], dataset.types.get(column, "string")) for column in dataset.columns}
    value_reasons = [
        _column_reason(column, text[column], typed[column], dataset, rules) for column in dataset.columns
    ]
    line_ok = F.col(_LINE_REASON).isNull()
    reasons = [
        F.when(~F.col("__file_ok"), F.lit(MALFORMED_FILE_REASON)),
        F.col(_LINE_REASON),
        F.when(~F.is_valid_utf8(LINE_COLUMN), F.lit(NOT_UTF8_REASON)),
        *[F.when(line_ok, reason) for reason in value_reasons if reason is not None],
    ]
    return flagged.select(
        *[typed[column].alias(column) for column in dataset.columns],
        F.col(SOURCE_FILE_COLUMN),
        F.col(INGESTED_AT_COLUMN),
        F.when(F.col(IS_HEADER_COLUMN), F.array().cast("array<string>"))
        .otherwise(F.array_compact(F.array(*reasons)))
        .alias(REASONS_COLUMN),
        F.make_valid_utf8(LINE_COLUMN).alias(RECORD_COLUMN),
        F.col(IS_HEADER_COLUMN),
    )


def _typed(text: Column, spark_type: str) -> Column:
    blank_to_null = F.when(text != "", text)
    if spark_type == "timestamp":
        return F.try_to_timestamp(blank_to_null, F.lit(TIMESTAMP_FORMAT))
    if spark_type == "string":
        return blank_to_null
    if spark_type in _NUMBER:
        blank_to_null = F.when(text.rlike(_NUMBER[spark_type]), text)
    return blank_to_null.try_cast(spark_type)


def _column_reason(
    column: str, text: Column, typed: Column, dataset: RawDataset, rules: IngestRules
) -> Column | None:
    """The first problem of one value (missing, unparseable, not allowed, out of range), or null."""
    present = text.isNotNull() & (text != "")
    spark_type = dataset.types.get(column, "string")
    problems: list[tuple[Column, str]] = []
    if column in dataset.required:
        problems.append((~present, "missing"))
    if spark_type == "timestamp":
        problems.append((present & typed.isNull(), "not_a_timestamp"))
        problems.extend(_implausible_times(typed, rules))
    elif spark_type in ("int", "bigint"):
        problems.append((present & typed.isNull(), "not_an_integer"))
    elif spark_type == "double":
        problems.append((present & typed.isNull(), "not_a_number"))
    if column in dataset.allowed:
        problems.append((present & ~text.isin(*dataset.allowed[column]), "not_allowed"))
    if column in dataset.ranges:
        bounds = dataset.ranges[column]
        outside = (typed < bounds.low) | (typed > bounds.high)
        problems.append((typed.isNotNull() & outside, "out_of_range"))
    reason = None
    for condition, code in reversed(problems):
        reason = F.when(condition, F.lit(f"{column}:{code}")).otherwise(reason)
    return reason


def _implausible_times(typed: Column, rules: IngestRules) -> list[tuple[Column, str]]:
    """A timestamp before the earliest plausible one, or later than its row's ingestion (plus skew)."""
    seconds = typed.cast("double")
    earliest = rules.earliest_timestamp.timestamp()
    latest = F.col(INGESTED_AT_COLUMN).cast("double") + rules.max_clock_skew.total_seconds()
    return [(seconds < earliest, "before_earliest"), (seconds > latest, "in_the_future")]


def data_rows(checked: DataFrame) -> DataFrame:
    """The rows that count as input: everything but header lines."""
    return checked.where(~F.col(IS_HEADER_COLUMN))


def valid_rows(checked: DataFrame, dataset: RawDataset) -> DataFrame:
    """Rows without reasons, one per key (see RawDataset.keep_first_by), with the typed columns."""
    valid = data_rows(checked).where(F.size(REASONS_COLUMN) == 0)
    return deduplicate(valid, dataset).select(*dataset.typed_columns)


def deduplicate(rows: DataFrame, dataset: RawDataset) -> DataFrame:
    """One row per key; which one is kept is deterministic (it never depends on partitioning)."""
    order = [
        F.col(column).asc_nulls_last() if ascending else F.col(column).desc_nulls_last()
        for column, ascending in dataset.keep_first_by
    ]
    tie_breakers = [F.col(SOURCE_FILE_COLUMN).asc_nulls_last()]
    if RECORD_COLUMN in rows.columns:
        tie_breakers.append(F.col(RECORD_COLUMN).asc())
    else:
        tie_breakers.extend(F.col(column).asc_nulls_last() for column in dataset.columns)
    first = Window.partitionBy(*dataset.keys).orderBy(*order, *tie_breakers)
    return rows.withColumn("__rank", F.row_number().over(first)).where(F.col("__rank") == 1).drop("__rank")


def quarantine_rows(checked: DataFrame, dataset: RawDataset) -> DataFrame:
    """Rows with reasons, as QUARANTINE_COLUMNS; identical raw lines of a file are numbered 1, 2, ..."""
    rejected = data_rows(checked).where(F.size(REASONS_COLUMN) > 0)
    same_line = Window.partitionBy(SOURCE_FILE_COLUMN, RECORD_COLUMN).orderBy(RECORD_COLUMN)
    return rejected.select(
        F.lit(dataset.name).alias(DATASET_COLUMN),
        F.col(SOURCE_FILE_COLUMN),
        F.col(RECORD_COLUMN),
        F.row_number().over(same_line).alias(OCCURRENCE_COLUMN),
        F.col(REASONS_COLUMN),
        F.col(INGESTED_AT_COLUMN),
    )
