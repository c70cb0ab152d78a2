"""Validation of raw rows: every failing rule is a reason; valid rows are typed and deduplicated."""

from datetime import UTC, datetime, timedelta

from chispa import assert_df_equality
from pyspark.sql import functions as F

from {{ cookiecutter.package_name }}.config import IngestRules
from {{ cookiecutter.package_name }}.features.schema import EVENTS, LABELS
from {{ cookiecutter.package_name }}.features.validation import (
    check_rows,
    data_rows,
    quarantine_rows,
    valid_rows,
)

HEADER = tuple(EVENTS.columns)
INGESTED = datetime(2026, 4, 1, tzinfo=UTC)


def raw_events(spark, rows: list[tuple]):
    schema = f"{EVENTS.raw_schema}, source_file string, ingested_at timestamp"
    return spark.createDataFrame([(*row, INGESTED) for row in rows], schema)


def row(*values, corrupt=None, file="good.csv") -> tuple:
    return (*values, corrupt, file)


def test_each_broken_rule_is_a_reason(spark) -> None:
    raw = raw_events(
        spark,
        [
            row(*HEADER),
            row("E1", "C1", "2026-03-01T10:00:00Z", "purchase", "web", "12.5", "3", "1"),
            row("E2", " ", "yesterday", "refund", "fax", "", "", ""),
            row("E3", "C1", "2026-03-01T10:00:00+01:00", "page_view", "store", "-5", "abc", "1.5"),
            row("E4", "C1", "2026-03-01T10:00:00Z", "purchase", "web", "NaN", "2000", "20000"),
            row("E5", "C1", None, None, None, None, None, None, corrupt="E5,C1"),
            row("", None, "2026-03-01", "page_view", "Web", "1e3", " 2.5 ", "3"),
            row("E6", "C2", "2026-03-01T10:00:00Z", "page_view", "web", "0", "1", "0", file="noheader.csv"),
        ],
    )

    reasons = check_rows(raw, EVENTS).select("event_id", "source_file", "reasons", "is_header")

    expected = spark.createDataFrame(
        [
            ("event_id", "good.csv", [], True),
            ("E1", "good.csv", [], False),
            (
                "E2",
                "good.csv",
                [
                    "customer_id:missing",
                    "event_ts:not_a_timestamp",
                    "event_type:not_allowed",
                    "channel:not_allowed",
                ],
                False,
            ),
            (
                "E3",
                "good.csv",
                ["amount:out_of_range", "session_minutes:not_a_number", "items:not_an_integer"],
                False,
            ),
            (
                "E4",
                "good.csv",
                ["amount:out_of_range", "session_minutes:out_of_range", "items:out_of_range"],
                False,
            ),
            (
                "E5",
                "good.csv",
                ["row:wrong_number_of_fields", "event_ts:missing", "event_type:missing", "channel:missing"],
                False,
            ),
            (
                None,
                "good.csv",
                [
                    "event_id:missing",
                    "customer_id:missing",
                    "event_ts:not_a_timestamp",
                    "channel:not_allowed",
                ],
                False,
            ),
            ("E6", "noheader.csv", ["file:no_header_line"], False),
        ],
        "event_id string, source_file string, reasons array<string>, is_header boolean",
    )
    assert_df_equality(reasons, expected, ignore_row_order=True, ignore_nullable=True)


def test_valid_rows_are_typed_and_one_per_key(spark) -> None:
    raw = raw_events(
        spark,
        [
            row(*HEADER),
            row("E1", "C1", "2026-03-01T10:00:00Z", "purchase", "web", "12.5", "3", "1", file="b.csv"),
            row("E1", "C1", "2026-03-01T10:00:00Z", "purchase", "web", "12.5", "3", "1", file="a.csv"),
            row(*HEADER, file="a.csv"),
            row("\ufeff" + HEADER[0], *HEADER[1:], file="b.csv"),  # a header after a byte-order mark
            row("E2", "C2", "2026-03-02T00:00:00Z", "page_view", "mobile_app", "0", "", "0", file="a.csv"),
            row("E2", "C2", "2026-03-01T23:00:00Z", "page_view", "store", "0", "1", "0", file="b.csv"),
        ],
    )

    result = valid_rows(check_rows(raw, EVENTS), EVENTS)

    expected = spark.createDataFrame(
        [
            (
                "E1",
                "C1",
                datetime(2026, 3, 1, 10, tzinfo=UTC),
                "purchase",
                "web",
                12.5,
                3.0,
                1,
                "a.csv",
                INGESTED,
            ),
            # The earliest event_ts wins, whatever the file order.
            (
                "E2",
                "C2",
                datetime(2026, 3, 1, 23, tzinfo=UTC),
                "page_view",
                "store",
                0.0,
                1.0,
                0,
                "b.csv",
                INGESTED,
            ),
        ],
        EVENTS.table_schema,
    )
    assert_df_equality(result, expected, ignore_row_order=True, ignore_nullable=True)


def test_quarantine_keeps_the_raw_line_and_numbers_identical_lines(spark) -> None:
    bad = ("E9", "C1", "later", "purchase", "web", "1", "1", "1")
    raw = raw_events(spark, [row(*HEADER), row(*bad), row(*bad)])

    result = quarantine_rows(check_rows(raw, EVENTS), EVENTS)

    record = (
        '{"event_id":"E9","customer_id":"C1","event_ts":"later","event_type":"purchase","channel":"web",'
        '"amount":"1","session_minutes":"1","items":"1"}'
    )
    expected = spark.createDataFrame(
        [
            ("events", "good.csv", record, occurrence, ["event_ts:not_a_timestamp"], INGESTED)
            for occurrence in (1, 2)
        ],
        "dataset string, source_file string, record string, occurrence int, reasons array<string>, "
        "ingested_at timestamp",
    )
    assert_df_equality(result, expected, ignore_row_order=True, ignore_nullable=True)


def test_labels_need_a_customer_a_time_and_a_0_or_1(spark) -> None:
    schema = f"{LABELS.raw_schema}, source_file string, ingested_at timestamp"
    raw = spark.createDataFrame(
        [
            (*LABELS.columns, None, "l.csv", INGESTED),
            ("C1", "2026-03-01T00:00:00Z", "1", None, "l.csv", INGESTED),
            ("C1", "2026-03-01T00:00:00Z", "0", None, "l.csv", INGESTED),  # conflicting: churn wins
            ("C2", "2026-03-01T00:00:00Z", "2", None, "l.csv", INGESTED),
            (None, "2026-03-01", "yes", None, "l.csv", INGESTED),
        ],
        schema,
    )

    checked = check_rows(raw, LABELS)

    assert sorted(tuple(r) for r in data_rows(checked).select(F.col("reasons")).collect()) == [
        ([],),
        ([],),
        (["churned:not_allowed"],),
        (["customer_id:missing", "label_ts:not_a_timestamp", "churned:not_an_integer"],),
    ]
    expected = spark.createDataFrame(
        [("C1", datetime(2026, 3, 1, tzinfo=UTC), 1, "l.csv", INGESTED)], LABELS.table_schema
    )
    assert_df_equality(valid_rows(checked, LABELS), expected, ignore_nullable=True)


def test_implausible_times_and_undecodable_bytes_are_reasons(spark) -> None:
    rules = IngestRules(
        earliest_timestamp=datetime(2020, 1, 1, tzinfo=UTC), max_clock_skew=timedelta(minutes=15)
    )
    soon = (INGESTED + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    raw = raw_events(
        spark,
        [
            row(*HEADER),
            row("E1", "C1", "2099-01-01T00:00:00Z", "purchase", "web", "1", "1", "1"),
            row("E2", "C1", "1970-01-01T00:00:00Z", "purchase", "web", "1", "1", "1"),
            row("E3", "C1", soon, "purchase", "web", "1", "1", "1"),  # within the clock skew
            row("E4", "C\ufffd", "2026-03-01T10:00:00Z", "purchase", "web", "1", "1", "1"),
            row("E5", "C1", None, None, None, None, None, None, corrupt="E5,C1,\ufffd"),
        ],
    )

    reasons = data_rows(check_rows(raw, EVENTS, rules)).select("event_id", "reasons").collect()

    assert sorted((r["event_id"], tuple(r["reasons"])) for r in reasons) == [
        ("E1", ("event_ts:in_the_future",)),
        ("E2", ("event_ts:before_earliest",)),
        ("E3", ()),
        ("E4", ("row:not_utf8",)),
        (
            "E5",
            (
                "row:wrong_number_of_fields",
                "row:not_utf8",
                "event_ts:missing",
                "event_type:missing",
                "channel:missing",
            ),
        ),
    ]


def test_a_label_from_the_future_is_a_reason(spark) -> None:
    schema = f"{LABELS.raw_schema}, source_file string, ingested_at timestamp"
    raw = spark.createDataFrame(
        [
            (*LABELS.columns, None, "l.csv", INGESTED),
            ("C1", "2099-03-01T00:00:00Z", "1", None, "l.csv", INGESTED),
            ("C2", "2026-03-01T00:00:00Z", "1", None, "l.csv", INGESTED),
        ],
        schema,
    )

    reasons = data_rows(check_rows(raw, LABELS)).select("customer_id", "reasons").collect()

    assert sorted((r["customer_id"], tuple(r["reasons"])) for r in reasons) == [
        ("C1", ("label_ts:in_the_future",)),
        ("C2", ()),
    ]
