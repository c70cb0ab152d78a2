"""Ingestion of real landing files: dirty input fully accounted for, malformed files, incremental runs."""

from pathlib import Path

import pandas as pd
import pytest
from pyspark.sql import functions as F

from {{ cookiecutter.package_name }}.config import Config, load_config
from {{ cookiecutter.package_name }}.contracts.landing import EVENTS, LABELS
from {{ cookiecutter.package_name }}.contracts.tables import Table
from {{ cookiecutter.package_name }}.ingestion.ingest import batch_writer, ingest_dataset, table_schemas
from {{ cookiecutter.package_name }}.tables import read_table

EVENTS_HEADER = "event_id,customer_id,event_ts,event_type,channel,amount,session_minutes,items"
GOOD = f"""{EVENTS_HEADER}
E1,C1,2026-03-01T10:00:00Z,purchase,web,12.5,3,1
E2,C1,2026-03-02T10:00:00Z,page_view,mobile_app,0,4.5,0
E3,C2,2026-03-02T11:00:00Z,support_contact,store,0,2,0
E1,C1,2026-03-01T10:00:00Z,purchase,web,12.5,3,1
,C3,2026-03-02T11:00:00Z,page_view,web,0,1,0
E7,,2026-03-02T11:00:00Z,page_view,web,0,1,0
E8,C3,2026-03-02T11:00:00Z,page_view,web,abc,1,0
E9,C3,2026-03-02T11:00:00Z,page_view,web,0,5000,0
E10,C3,2026-03-02T11:00:00Z,page_view,fax,0,1,0
E11,C3,2026-03-02T11:00:00Z,page_view
"""
MORE = f"""{EVENTS_HEADER}
E3,C2,2026-03-02T11:00:00Z,support_contact,store,0,2,0
E4,C2,2026-03-03T09:00:00Z,purchase,mobile_app,99.99,6,3
"""
# Not a CSV of this dataset at all (a JSON export dropped in the wrong folder).
BROKEN = '{"event_id": "E20", "customer_id": "C9"}\n[1, 2, 3]\n'
LABELS_CSV = """customer_id,label_ts,churned
C1,2026-03-10T00:00:00Z,1
C1,2026-03-10T00:00:00Z,0
C2,2026-03-10T00:00:00Z,2
,2026-03-10T00:00:00Z,1
C2,2026-03-11T00:00:00Z,0
"""


@pytest.fixture
def lakehouse(tmp_path: Path) -> Config:
    return load_config("local", home=tmp_path)


def land(config: Config, dataset: str, name: str, text: str) -> None:
    path = Path(config.landing_path) / dataset / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def quarantined(spark, config: Config, short_name: str) -> list[tuple]:
    rows = read_table(spark, config.table(short_name)).select(
        F.element_at(F.split("source_file", "/"), -1).alias("file"), "reasons", "ingested_at"
    )
    assert rows.where(F.col("ingested_at").isNull()).count() == 0
    return sorted((row["file"], tuple(row["reasons"])) for row in rows.collect())


def test_dirty_events_every_row_is_accounted_for(spark, lakehouse: Config) -> None:
    land(lakehouse, "events", "good.csv", GOOD)
    land(lakehouse, "events", "more.csv", MORE)
    land(lakehouse, "events", "broken.csv", BROKEN)
    land(lakehouse, "events", ".good-part-2.csv.tmp", GOOD)  # a file still being written: hidden, skipped
    land(lakehouse, "events", "notes.txt", "not a data file\n")

    result = ingest_dataset(spark, lakehouse, EVENTS)

    assert (result.rows_in, result.accepted, result.quarantined, result.duplicates) == (14, 4, 8, 2)
    assert result.rows_in == result.accepted + result.quarantined + result.duplicates
    assert (result.files, result.batches) == (3, 1)
    assert [Path(path).name for path in result.malformed_files] == ["broken.csv"]
    assert [Path(path).name for path in result.ignored_files] == [".good-part-2.csv.tmp", "notes.txt"]
    bronze = read_table(spark, lakehouse.table("bronze_events"))
    assert sorted(row["event_id"] for row in bronze.collect()) == ["E1", "E2", "E3", "E4"]
    assert quarantined(spark, lakehouse, "quarantine_events") == [
        ("broken.csv", ("file:no_header_line", "row:bad_quoting")),
        ("broken.csv", ("file:no_header_line", "row:wrong_number_of_fields")),
        ("good.csv", ("amount:not_a_number",)),
        ("good.csv", ("channel:not_allowed",)),
        ("good.csv", ("customer_id:missing",)),
        ("good.csv", ("event_id:missing",)),
        ("good.csv", ("row:wrong_number_of_fields",)),
        ("good.csv", ("session_minutes:out_of_range",)),
    ]


def test_dirty_labels_every_row_is_accounted_for(spark, lakehouse: Config) -> None:
    land(lakehouse, "labels", "labels.csv", LABELS_CSV)

    result = ingest_dataset(spark, lakehouse, LABELS)

    assert (result.rows_in, result.accepted, result.quarantined, result.duplicates) == (5, 2, 2, 1)
    labels = read_table(spark, lakehouse.table("labels")).select("customer_id", "label_ts", "churned")
    assert sorted((row[0], str(row[1]), row[2]) for row in labels.collect()) == [
        ("C1", "2026-03-10 00:00:00", 1),  # conflicting labels: the churn label wins
        ("C2", "2026-03-11 00:00:00", 0),
    ]
    assert quarantined(spark, lakehouse, "quarantine_labels") == [
        ("labels.csv", ("churned:not_allowed",)),
        ("labels.csv", ("customer_id:missing",)),
    ]


def test_only_new_files_are_ingested_and_a_key_keeps_its_earliest_event(spark, lakehouse: Config) -> None:
    land(lakehouse, "events", "more.csv", MORE)
    first = ingest_dataset(spark, lakehouse, EVENTS)
    rerun = ingest_dataset(spark, lakehouse, EVENTS)
    land(
        lakehouse,
        "events",
        "late.csv",
        f"{EVENTS_HEADER}\nE4,C2,2026-03-03T10:00:00Z,purchase,web,1,1,1\n"
        "E3,C2,2026-03-02T08:00:00Z,support_contact,web,0,2,0\n"
        "E5,C2,2026-02-01T09:00:00Z,page_view,web,0,1,0\n",
    )
    late = ingest_dataset(spark, lakehouse, EVENTS)

    assert (first.rows_in, first.accepted, first.duplicates, first.batches) == (2, 2, 0, 1)
    assert (rerun.rows_in, rerun.files, rerun.batches) == (0, 0, 0)
    # E4 arrives again later: a duplicate. E3 arrives with an earlier time: it replaces the stored row.
    assert (late.rows_in, late.accepted, late.quarantined, late.duplicates) == (3, 2, 0, 1)
    bronze = read_table(spark, lakehouse.table("bronze_events"))
    assert sorted(
        (row["event_id"], row["channel"], Path(row["source_file"]).name) for row in bronze.collect()
    ) == [
        ("E3", "web", "late.csv"),
        ("E4", "mobile_app", "more.csv"),
        ("E5", "web", "late.csv"),
    ]


def test_the_rows_kept_do_not_depend_on_batching(spark, tmp_path: Path) -> None:
    def events(*rows: str) -> str:
        return "\n".join([EVENTS_HEADER, *rows]) + "\n"

    files = {
        "a.csv": events(
            "E1,C1,2026-03-05T10:00:00Z,purchase,web,1,1,1", "E2,C1,2026-03-05T10:00:00Z,purchase,web,2,1,1"
        ),
        "b.csv": events(
            "E1,C1,2026-03-04T10:00:00Z,purchase,store,3,1,1",
            "E2,C1,2026-03-05T10:00:00Z,purchase,store,4,1,1",
        ),
        "c.csv": events(
            "E1,C1,2026-03-04T10:00:00Z,purchase,mobile_app,5,1,1",
            "E3,C2,2026-03-01T10:00:00Z,page_view,web,0,1,0",
        ),
    }
    kept = []
    for batch_size in (None, 1):
        config = load_config("local", home=tmp_path / f"home-{batch_size}")
        for name, text in files.items():
            land(config, "events", name, text)
        result = ingest_dataset(spark, config, EVENTS, max_files_per_batch=batch_size)
        bronze = read_table(spark, config.table("bronze_events")).collect()
        kept.append(sorted((row["event_id"], row["amount"], Path(row["source_file"]).name) for row in bronze))
        assert (result.rows_in, result.quarantined) == (6, 0)
        assert result.rows_in == result.accepted + result.quarantined + result.duplicates

    # The earliest event per key; ties by file name (E1: b.csv before c.csv; E2: a.csv before b.csv).
    assert kept[0] == kept[1] == [("E1", 3.0, "b.csv"), ("E2", 2.0, "a.csv"), ("E3", 0.0, "c.csv")]


def test_files_in_sub_folders_of_any_name_are_read_and_files_bringing_no_rows_are_listed(
    spark, lakehouse: Config
) -> None:
    row = "E{n},C1,2026-03-0{n}T10:00:00Z,purchase,web,1,1,1"
    read = ["top.csv", "dt=2026-03-01/a.csv", "any folder/b.csv", "x/y=1/deep/c.csv", "_metadata/g.csv"]
    for n, name in enumerate(read, 1):
        land(lakehouse, "events", name, f"{EVENTS_HEADER}\n{row.format(n=n)}\n")
    for name in ["_staging/d.csv", ".hidden/e.csv", "notes.txt", "dt=2026-03-02/f.CSV"]:
        land(lakehouse, "events", name, f"{EVENTS_HEADER}\n{row.format(n=9)}\n")
    land(lakehouse, "events", "empty.csv", "")  # read, but no row: it would show nowhere else
    land(lakehouse, "events", "blank.csv", "\n  \r\n")

    result = ingest_dataset(spark, lakehouse, EVENTS)
    rerun = ingest_dataset(spark, lakehouse, EVENTS)

    assert (result.rows_in, result.accepted, result.files) == (5, 5, 5)
    root = Path(lakehouse.landing_path) / "events"
    unread = [".hidden/e.csv", "_staging/d.csv", "blank.csv", "dt=2026-03-02/f.CSV", "empty.csv", "notes.txt"]
    assert [str(Path(path).relative_to(root)) for path in result.ignored_files] == unread
    assert (rerun.rows_in, rerun.ignored_files) == (0, result.ignored_files)
    audit = read_table(spark, lakehouse.table(Table.INGEST_AUDIT)).where("batch_id IS NULL").collect()
    assert [list(row["ignored_files"]) for row in audit] == [result.ignored_files] * 2


def test_rows_that_are_not_utf8_are_quarantined(spark, lakehouse: Config) -> None:
    folder = Path(lakehouse.landing_path) / "events"
    folder.mkdir(parents=True)
    (folder / "latin1.csv").write_bytes(
        f"{EVENTS_HEADER}\n".encode()
        + "E1,Caf\u00e9,2026-03-01T10:00:00Z,purchase,web,1,1,1\n".encode("latin-1")
        + "E2,Caf\u00e9,2026-03-01T10:00:00Z,purchase,web,1,1,1\n".encode()
    )

    result = ingest_dataset(spark, lakehouse, EVENTS)

    assert (result.rows_in, result.accepted, result.quarantined) == (2, 1, 1)
    assert quarantined(spark, lakehouse, "quarantine_events") == [("latin1.csv", ("row:not_utf8",))]


def test_values_with_quotes_are_read_as_csv_writers_write_them(spark, lakehouse: Config) -> None:
    """RFC 4180: a value with a quote or a comma is quoted, and a quote inside it doubled (as pandas does)."""
    row = ["E1", 'C1 "North", Inc', "2026-03-01T10:00:00Z", "purchase", "web", "1", "1", "1"]
    land(lakehouse, "events", "quoted.csv", pd.DataFrame([row], columns=EVENTS.columns).to_csv(index=False))

    result = ingest_dataset(spark, lakehouse, EVENTS)

    assert (result.rows_in, result.accepted) == (1, 1)
    bronze = read_table(spark, lakehouse.table("bronze_events")).collect()
    assert [row["customer_id"] for row in bronze] == ['C1 "North", Inc']


def test_lines_spark_cannot_parse_and_odd_file_names_never_block_the_dataset(
    spark, lakehouse: Config
) -> None:
    """Each used to fail every run until someone removed the file: now the run goes on."""
    good = "E1,C1,2026-03-01T10:00:00Z,purchase,web,1,1,1"
    land(lakehouse, "events", "at 10:00.csv", f"{EVENTS_HEADER}\n{good}\n")
    too_many = "E2,C1,2026-03-01T10:00:00Z,purchase,web,1,1,1" + "," * 25_000
    cut = 'E3,"C1\nNorth",2026-03-01T10:00:00Z,purchase,web,1,1,1'  # a quoted line break: two bad lines
    land(lakehouse, "events", "odd.csv", f"{EVENTS_HEADER}\n{too_many}\n{cut}\n")

    result = ingest_dataset(spark, lakehouse, EVENTS)

    assert (result.rows_in, result.accepted, result.quarantined, result.files) == (4, 1, 3, 2)
    assert quarantined(spark, lakehouse, "quarantine_events") == [
        ("odd.csv", ("row:bad_quoting",)),
        ("odd.csv", ("row:bad_quoting",)),
        ("odd.csv", ("row:wrong_number_of_fields",)),
    ]


def test_every_table_has_its_declared_schema_whether_a_batch_or_the_run_created_it(
    spark, lakehouse: Config
) -> None:
    """A batch creates a table with its first rows; the run creates, empty, those no batch did."""
    land(lakehouse, "events", "good.csv", GOOD)  # accepted and rejected rows: the batch creates both
    land(lakehouse, "labels", "broken.csv", BROKEN)  # every row rejected: no accepted table from it

    ingest_dataset(spark, lakehouse, EVENTS)
    labels = ingest_dataset(spark, lakehouse, LABELS)

    assert (labels.rows_in, labels.accepted, labels.quarantined) == (2, 0, 2)
    for dataset in (EVENTS, LABELS):
        for name, schema in table_schemas(dataset):
            fields = read_table(spark, lakehouse.table(name)).schema.fields
            declared = spark.createDataFrame([], schema).schema.fields
            assert [(f.name, f.dataType, f.nullable) for f in fields] == [
                (f.name, f.dataType, f.nullable) for f in declared
            ], name


def test_a_batch_replayed_after_a_crash_is_counted_once_as_before(spark, lakehouse: Config) -> None:
    """A crash after the writes and before the checkpoint commit: Spark replays the batch."""
    land(lakehouse, "events", "good.csv", GOOD)
    ingest_dataset(spark, lakehouse, EVENTS)  # creates the tables
    audit = lakehouse.table(Table.INGEST_AUDIT)
    first = read_table(spark, audit).collect()
    raw = spark.read.text(str(Path(lakehouse.landing_path) / "events")).select(
        F.col("value").alias("line"), F.col("_metadata.file_path").alias("source_file")
    )

    # The replay comes from the next run (a new run id); the first attempt's audit row may or may not
    # have been written before the crash: the outcome is the same.
    batch_writer(lakehouse, EVENTS, "replaying-run")(raw, 0)
    after_replay = read_table(spark, audit).collect()

    def counts(rows):
        return sorted(
            (r["batch_id"], r["rows_in"], r["accepted"], r["quarantined"], r["duplicates"]) for r in rows
        )

    assert len(after_replay) == len(first) == 1
    assert counts(after_replay) == counts(first) == [(0, 10, 3, 6, 1)]
    assert after_replay[0]["run_id"] == "replaying-run"
