"""Ingestion of real landing files: dirty input fully accounted for, malformed files, incremental runs."""

from pathlib import Path

import pytest
from pyspark.sql import functions as F

from {{ cookiecutter.package_name }}.config import Config, load_config
from {{ cookiecutter.package_name }}.features.ingest import ingest_dataset
from {{ cookiecutter.package_name }}.features.schema import EVENTS, LABELS
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
    folder = Path(config.landing_path) / dataset
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


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
    bronze = read_table(spark, lakehouse.table("bronze_events"))
    assert sorted(row["event_id"] for row in bronze.collect()) == ["E1", "E2", "E3", "E4"]
    assert quarantined(spark, lakehouse, "quarantine_events") == [
        (
            "broken.csv",
            (
                "file:no_header_line",
                "row:wrong_number_of_fields",
                "event_ts:missing",
                "event_type:missing",
                "channel:missing",
            ),
        ),
        (
            "broken.csv",
            (
                "file:no_header_line",
                "row:wrong_number_of_fields",
                "event_ts:not_a_timestamp",
                "event_type:missing",
                "channel:missing",
            ),
        ),
        ("good.csv", ("amount:not_a_number",)),
        ("good.csv", ("channel:not_allowed",)),
        ("good.csv", ("customer_id:missing",)),
        ("good.csv", ("event_id:missing",)),
        ("good.csv", ("row:wrong_number_of_fields", "channel:missing")),
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


def test_only_new_files_are_ingested_and_known_events_stay_as_first_ingested(
    spark, lakehouse: Config
) -> None:
    land(lakehouse, "events", "more.csv", MORE)
    land(
        lakehouse,
        "events",
        "other.csv",
        f"{EVENTS_HEADER}\nE3,C2,2026-03-02T11:00:00Z,support_contact,store,0,2,0\n",
    )
    first = ingest_dataset(spark, lakehouse, EVENTS, max_files_per_batch=1)
    bronze_before = read_table(spark, lakehouse.table("bronze_events")).collect()

    rerun = ingest_dataset(spark, lakehouse, EVENTS)
    land(
        lakehouse,
        "events",
        "late.csv",
        f"{EVENTS_HEADER}\nE4,C2,2026-03-03T09:00:00Z,purchase,web,1,1,1\n"
        "E5,C2,2026-02-01T09:00:00Z,page_view,web,0,1,0\n",
    )
    late = ingest_dataset(spark, lakehouse, EVENTS)

    # Two micro-batches of one file each: E3 of the second batch is a duplicate of the first's.
    assert (first.rows_in, first.accepted, first.duplicates, first.batches) == (3, 2, 1, 2)
    assert (rerun.rows_in, rerun.files, rerun.batches) == (0, 0, 0)
    assert (late.rows_in, late.accepted, late.quarantined, late.duplicates) == (2, 1, 0, 1)
    bronze_after = read_table(spark, lakehouse.table("bronze_events"))
    # E4 keeps the row (channel, file, ingestion time) of its first ingestion.
    assert sorted(bronze_after.where("event_id != 'E5'").collect()) == sorted(bronze_before)
    assert bronze_after.count() == 3
