"""The raw-file contract: which columns each landing dataset has, their types, keys and allowed values.

Files are CSV with a header line, one row per line. Lines are read as text and every column is taken as
a string and typed by validation, so a bad line or value becomes a quarantine reason instead of a
failed batch or a silent null.
"""

from __future__ import annotations

from dataclasses import dataclass

from .tables import Table

TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ssXXX"  # 2026-01-31T23:59:59Z or 2026-01-31T23:59:59+01:00
UTC_STRFTIME = "%Y-%m-%dT%H:%M:%SZ"  # the same format for UTC times, as Python writes it
EVENT_TYPES = ("purchase", "page_view", "support_contact")
CHANNELS = ("mobile_app", "store", "web")
MOBILE_CHANNEL = "mobile_app"
PURCHASE = "purchase"
SUPPORT_CONTACT = "support_contact"
LINE_COLUMN = "line"  # one line of a landing file, as read (a row of the dataset if it is valid)
SOURCE_FILE_COLUMN = "source_file"
INGESTED_AT_COLUMN = "ingested_at"


@dataclass(frozen=True)
class Range:
    low: float
    high: float


@dataclass(frozen=True)
class RawDataset:
    """One kind of landing file: `<landing>/<name>/*.csv` -> table `table`, rejects -> `quarantine_table`."""

    name: str
    columns: tuple[str, ...]
    # Typed column -> Spark type; string columns stay strings.
    types: dict[str, str]
    keys: tuple[str, ...]
    required: tuple[str, ...]
    table: str
    quarantine_table: str
    allowed: dict[str, tuple[str, ...]]
    ranges: dict[str, Range]
    timestamps: tuple[str, ...]
    # Among valid rows with the same key, the first by these (column, ascending) pairs is kept; further
    # ties are broken by the source file and the raw line, so the choice never depends on partitioning.
    keep_first_by: tuple[tuple[str, bool], ...]

    @property
    def keep_order(self) -> tuple[tuple[str, bool], ...]:
        """Which of two valid rows with one key is kept, whichever batch each arrived in."""
        return (*self.keep_first_by, (SOURCE_FILE_COLUMN, True))

    @property
    def text_schema(self) -> str:
        """The columns as strings: what a CSV line of this dataset is split into."""
        return ", ".join(f"`{column}` string" for column in self.columns)

    @property
    def typed_columns(self) -> tuple[str, ...]:
        return (*self.columns, SOURCE_FILE_COLUMN, INGESTED_AT_COLUMN)

    @property
    def table_schema(self) -> str:
        """The DDL schema of the accepted-rows table."""
        typed = [f"`{column}` {self.types.get(column, 'string')}" for column in self.columns]
        return ", ".join([*typed, f"`{SOURCE_FILE_COLUMN}` string", f"`{INGESTED_AT_COLUMN}` timestamp"])


EVENTS = RawDataset(
    name="events",
    columns=(
        "event_id",
        "customer_id",
        "event_ts",
        "event_type",
        "channel",
        "amount",
        "session_minutes",
        "items",
    ),
    types={"event_ts": "timestamp", "amount": "double", "session_minutes": "double", "items": "int"},
    keys=("event_id",),
    required=("event_id", "customer_id", "event_ts", "event_type", "channel"),
    table=Table.BRONZE_EVENTS,
    quarantine_table=Table.QUARANTINE_EVENTS,
    allowed={"event_type": EVENT_TYPES, "channel": CHANNELS},
    ranges={
        "amount": Range(0.0, 1_000_000.0),
        "session_minutes": Range(0.0, 24 * 60.0),
        "items": Range(0, 10_000),
    },
    timestamps=("event_ts",),
    keep_first_by=(("event_ts", True),),
)

LABELS = RawDataset(
    name="labels",
    columns=("customer_id", "label_ts", "churned"),
    types={"label_ts": "timestamp", "churned": "int"},
    keys=("customer_id", "label_ts"),
    required=("customer_id", "label_ts", "churned"),
    table=Table.LABELS,
    quarantine_table=Table.QUARANTINE_LABELS,
    allowed={"churned": ("0", "1")},
    ranges={},
    timestamps=("label_ts",),
    # A customer labelled twice at the same time with different outcomes: the churn label wins.
    keep_first_by=(("churned", False),),
)

DATASETS = (EVENTS, LABELS)
