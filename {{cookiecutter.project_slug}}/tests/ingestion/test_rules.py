"""Validation of raw rows: every failing rule is a reason; valid rows are typed and deduplicated."""

from datetime import UTC, datetime, timedelta

from chispa import assert_df_equality
from pyspark.sql import functions as F

from {{ cookiecutter.package_name }}.config import IngestRules
from {{ cookiecutter.package_name }}.contracts.landing import EVENTS, LABELS
from {{ cookiecutter.package_name }}.ingestion.rules import (
    check_rows,
    data_rows,
    quarantine_rows,
    valid_rows,
)

EVENTS_HEADER = ",".join(EVENTS.columns)
LABELS_HEADER = ",".join(LABELS.columns)
INGESTED = datetime(2026, 4, 1, tzinfo=UTC)


def raw_lines(spark, lines: list[str | bytes | tuple[str | bytes, str]]):
    """Lines as the text source reads them, each `line` or `(line, file)` (default file good.csv).

    Bytes are kept as they are, so a line can hold bytes that are not UTF-8, as a file can.
    """
    rows = [line if isinstance(line, tuple) else (line, "good.csv") for line in lines]
    data = [(text.encode() if isinstance(text, str) else text, file, INGESTED) for text, file in rows]
    frame = spark.createDataFrame(data, "line binary, source_file string, ingested_at timestamp")
    return frame.withColumn("line", F.col("line").cast("string"))


def test_each_broken_rule_is_a_reason(spark) -> None:
    raw = raw_lines(
        spark,
        [
            EVENTS_HEADER,
            "E1,C1,2026-03-01T10:00:00Z,purchase,web,12.5,3,1",
            "E2, ,yesterday,refund,fax,,,",
            "E3,C1,2026-03-01T10:00:00+01:00,page_view,store,-5,abc,1.5",
            "E4,C1,2026-03-01T10:00:00Z,purchase,web,1e9,2000,20000",
            "E5,C1",
            ",,2026-03-01,page_view,Web,1e3, 2.5 ,3",
            ("E6,C2,2026-03-01T10:00:00Z,page_view,web,0,1,0", "noheader.csv"),
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
            (None, "good.csv", ["row:wrong_number_of_fields"], False),
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
    raw = raw_lines(
        spark,
        [
            EVENTS_HEADER,
            ("E1,C1,2026-03-01T10:00:00Z,purchase,web,12.5,3,1", "b.csv"),
            ("E1,C1,2026-03-01T10:00:00Z,purchase,web,12.5,3,1", "a.csv"),
            (EVENTS_HEADER, "a.csv"),
            ("\ufeff" + EVENTS_HEADER, "b.csv"),  # a header after a byte-order mark
            ("E2,C2,2026-03-02T00:00:00Z,page_view,mobile_app,0,,0", "a.csv"),
            ("E2,C2,2026-03-01T23:00:00Z,page_view,store,0,1,0", "b.csv"),
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
    record = 'E9,"C1 ""North""",later,purchase,web,1,1,1'
    raw = raw_lines(spark, [EVENTS_HEADER, record, "", "  ", record])

    result = quarantine_rows(check_rows(raw, EVENTS), EVENTS)

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
    raw = raw_lines(
        spark,
        [
            (LABELS_HEADER, "l.csv"),
            ("C1,2026-03-01T00:00:00Z,1", "l.csv"),
            ("C1,2026-03-01T00:00:00Z,0", "l.csv"),  # conflicting: churn wins
            ("C2,2026-03-01T00:00:00Z,2", "l.csv"),
            (",2026-03-01,yes", "l.csv"),
        ],
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
    raw = raw_lines(
        spark,
        [
            EVENTS_HEADER,
            "E1,C1,2099-01-01T00:00:00Z,purchase,web,1,1,1",
            "E2,C1,1970-01-01T00:00:00Z,purchase,web,1,1,1",
            f"E3,C1,{soon},purchase,web,1,1,1",  # within the clock skew
            b"E4,C\xff,2026-03-01T10:00:00Z,purchase,web,1,1,1",
            b"E5,C1,\xc3",
            "E6,C\ufffd,2026-03-01T10:00:00Z,purchase,web,1,1,1",  # U+FFFD written as UTF-8 is text
        ],
    )

    reasons = data_rows(check_rows(raw, EVENTS, rules)).select("event_id", "reasons").collect()

    assert sorted(((r["event_id"], tuple(r["reasons"])) for r in reasons), key=str) == [
        ("E1", ("event_ts:in_the_future",)),
        ("E2", ("event_ts:before_earliest",)),
        ("E3", ()),
        ("E4", ("row:not_utf8",)),
        ("E6", ()),
        (None, ("row:wrong_number_of_fields", "row:not_utf8")),
    ]


def test_a_label_from_the_future_is_a_reason(spark) -> None:
    raw = raw_lines(spark, [LABELS_HEADER, "C1,2099-03-01T00:00:00Z,1", "C2,2026-03-01T00:00:00Z,1"])

    reasons = data_rows(check_rows(raw, LABELS)).select("customer_id", "reasons").collect()

    assert sorted((r["customer_id"], tuple(r["reasons"])) for r in reasons) == [
        ("C1", ("label_ts:in_the_future",)),
        ("C2", ()),
    ]


def test_a_line_is_one_well_formed_csv_row_or_quarantined_whole(spark) -> None:
    """Quotes open and close whole fields (RFC 4180); a line that breaks that is never split into values."""
    raw = raw_lines(
        spark,
        [
            LABELS_HEADER,
            '"C1 ""North"", Inc",2026-03-01T00:00:00Z,1',  # doubled quotes, a comma inside quotes
            ' "C2" ,\t"2026-03-01T00:00:00Z"  ,0',  # spaces and tabs around quoted fields
            '"C3\r',  # a quoted value cut by a line break: its first half...
            '4",2026-03-01T00:00:00Z,1',  # ...and its second half, which has the right field count
            'C5,2026-03-01T00:00:00Z,"1',  # a quote that never closes, in the last field
            'C6 "West",2026-03-01T00:00:00Z,1',  # a quote inside an unquoted value
            '"C7"x,2026-03-01T00:00:00Z,1',  # text after a closing quote
            "C8,2026-03-01T00:00:00Z,1," + "," * 30_000,  # more fields than Spark's CSV parser takes
        ],
    )

    rows = data_rows(check_rows(raw, LABELS)).select("customer_id", "reasons", "record").collect()

    assert sorted((r["record"][:12], r["customer_id"], tuple(r["reasons"])) for r in rows) == [
        (' "C2" ,\t"202', "C2", ()),
        ('"C1 ""North"', 'C1 "North", Inc', ()),
        ('"C3\r', None, ("row:bad_quoting",)),
        ('"C7"x,2026-0', None, ("row:bad_quoting",)),
        ('4",2026-03-0', None, ("row:bad_quoting",)),
        ("C5,2026-03-0", None, ("row:bad_quoting",)),
        ('C6 "West",20', None, ("row:bad_quoting",)),
        ("C8,2026-03-0", None, ("row:wrong_number_of_fields",)),
    ]


def test_values_are_trimmed_of_any_whitespace_and_numbers_are_strict(spark) -> None:
    raw = raw_lines(
        spark,
        [
            EVENTS_HEADER,
            "\tE1\u00a0,C1\t,2026-03-01T10:00:00Z\t,purchase,web,\t12.5 , 3\t,\t1",
            "E2,C1,2026-03-01T10:00:00Z,purchase,web,1d,0x10,7L",
            "E3,C1,2026-03-01T10:00:00Z,purchase,web,NaN,Infinity,1e1",
            "E4,C1,2026-03-01T10:00:00Z,purchase,web,.5,+1E2,-0",
        ],
    )

    checked = data_rows(check_rows(raw, EVENTS))

    rows = checked.select("event_id", "customer_id", "amount", "session_minutes", "items", "reasons")
    assert sorted((*r[:5], tuple(r["reasons"])) for r in rows.collect()) == [
        ("E1", "C1", 12.5, 3.0, 1, ()),
        (
            "E2",
            "C1",
            None,
            None,
            None,
            ("amount:not_a_number", "session_minutes:not_a_number", "items:not_an_integer"),
        ),
        (
            "E3",
            "C1",
            None,
            None,
            None,
            ("amount:not_a_number", "session_minutes:not_a_number", "items:not_an_integer"),
        ),
        ("E4", "C1", 0.5, 100.0, 0, ()),
    ]
