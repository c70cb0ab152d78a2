"""Seeded fuzz test of ingestion: dirty landing files in, the same invariants out, for every seed.

A generator starts from valid rows (events for even seeds, labels for odd ones) and corrupts rows and
files at random: encodings, field counts, types, ranges, timestamps, quoting, line ends, blank lines,
duplicates, folders, file names, empty, header-only and binary files. It keeps an oracle: the rows
Spark's CSV reader yields per file, which of them are valid under the file contract
(contracts/landing.py, `config.ingest`) with their typed values, and which files bring no rows.

Invariants (`check_run`, `check_bronze` and the test): rows in = accepted + quarantined + duplicates
per audit batch and in total, the rows in as the oracle counts them; every landing file read by one
batch or listed as ignored; the quarantine holds exactly the invalid rows, each with reasons; bronze
holds nothing implausible, one row per key, the first valid one (RawDataset.keep_first_by); a rerun
changes nothing; one file per batch, in another home, gives the same bronze and quarantine.

The reader model, as Spark documents and as measured on Spark 4.0 (the text source): lines end at
\\n, \\r or \\r\\n; a line that is empty once characters up to U+0020 are trimmed yields no row;
every other line yields exactly one row, whatever its quoting (a quoted newline splits a row in two).
A UTF-8 byte-order mark at the start of a file is dropped (Hadoop's line reader skips it). A row is
valid only as one well-formed CSV line (RFC 4180 quoting, spaces or tabs allowed around quotes) with
the dataset's field count; values are trimmed of Unicode spaces and control characters.
Files are listed like Spark's file source: `*.csv` names not starting with `.` or `_` (unless they
hold `=`), in folders not starting with `.` or `_` (unless `=`, or `_metadata`/`_common_metadata`) nor
ending in `._COPYING_`.

A failure names the seed and the files involved. More seeds for a local soak:
`INGEST_FUZZ_SEEDS=50`; one seed again: `INGEST_FUZZ_SEED=7`.
"""

from __future__ import annotations

import copy
import os
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from pyspark.sql import functions as F

from {{ cookiecutter.package_name }}.config import Config, load_config
from {{ cookiecutter.package_name }}.contracts.landing import EVENTS, LABELS, RawDataset
from {{ cookiecutter.package_name }}.contracts.tables import Table
from {{ cookiecutter.package_name }}.ingestion.ingest import IngestResult, ingest_dataset
from {{ cookiecutter.package_name }}.tables import read_table

pytestmark = pytest.mark.integration

MALFORMED = "file:no_header_line"
DAY = 86_400


def fuzz_seeds() -> list:
    """Seeds 0, 1, ... (even: events, odd: labels); each is a case of its own."""
    if "INGEST_FUZZ_SEED" in os.environ:
        seeds = [int(os.environ["INGEST_FUZZ_SEED"])]
    else:
        seeds = list(range(int(os.environ.get("INGEST_FUZZ_SEEDS", "2"))))
    return [pytest.param(seed, id=f"{seed}-{fuzzed(seed).name}") for seed in seeds]


def fuzzed(seed: int) -> RawDataset:
    return (EVENTS, LABELS)[seed % 2]


# ---------------------------------------------------------------------------------------------------
# The oracle's model of Spark's file source and CSV reader


def reader_lines(data: bytes) -> int:
    """Rows (header lines included) Spark's CSV reader yields from these bytes (module docstring)."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    return sum(1 for line in re.split(rb"\r\n|\r|\n", data) if any(byte > 0x20 for byte in line))


def source_lists(relative: str) -> bool:
    """Whether Spark's file source lists this file (path relative to the landing folder)."""
    *folders, name = relative.split("/")

    def hidden(part: str) -> bool:
        return part.startswith(".") or (part.startswith("_") and "=" not in part)

    def hidden_folder(part: str) -> bool:
        metadata = part.startswith(("_metadata", "_common_metadata"))
        return (hidden(part) or part.endswith("._COPYING_")) and not metadata

    return name.endswith(".csv") and not hidden(name) and not any(hidden_folder(part) for part in folders)


# ---------------------------------------------------------------------------------------------------
# The generator


@dataclass
class Field:
    text: str | bytes  # bytes: written as they are (no quoting, no encoding)
    quoted: bool = False
    around: str = ""  # written on both sides of the quotes of a quoted field


@dataclass
class Draft:
    """A data line being built: its fields, whether it is valid, its typed values if it is."""

    fields: list[Field]
    typed: dict[str, object]
    valid: bool = True
    rows: int = 1  # rows the line yields (a quoted newline makes two)
    ops: list[str] = field(default_factory=list)


@dataclass
class Row:
    valid: bool
    values: tuple | None = None  # typed, in dataset.columns order (timestamps as epoch seconds)
    line: str = ""


@dataclass
class Landed:
    path: str  # relative to the dataset's landing folder
    data: bytes
    ops: list[str]
    header: bool = False
    rows: list[Row] = field(default_factory=list)

    @property
    def listed(self) -> bool:
        return source_lists(self.path)

    @property
    def read(self) -> bool:
        """The source reads it and it yields at least one line (a header-only file does too)."""
        return self.listed and reader_lines(self.data) > 0

    def describe(self) -> str:
        return f"{self.path} [{', '.join(self.ops)}] {self.data[:240]!r}"


@dataclass
class Context:
    rng: random.Random
    dataset: RawDataset
    now: int
    earliest: int
    encoding: str = "utf-8"


CUSTOMERS = ("C1", "C2", "C3", "C4", "C5", "Café-6", "Müller-7", "C8, Inc", 'C9 "North"', 'C10 ,"')
PADDING = (" ", "  ", "\t", "\u00a0", " \t", "\u3000")  # trimmed from values: any space, tabs
EVENT_TYPES = ("purchase", "page_view", "support_contact")
CHANNELS = ("mobile_app", "store", "web")
OFFSETS = (0, 60, -300, 330, 840, -720, 345)  # minutes east of UTC
BAD_BYTES = (0xFF, 0xFE, 0xC0, 0x80, 0xE9)  # never valid UTF-8 wherever inserted


def stamp(epoch: int, offset_minutes: int = 0) -> str:
    local = datetime.fromtimestamp(epoch, UTC) + timedelta(minutes=offset_minutes)
    if offset_minutes == 0:
        return local.strftime("%Y-%m-%dT%H:%M:%S") + "Z"
    sign = "+" if offset_minutes > 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{hours:02d}:{minutes:02d}"


def past(ctx: Context) -> int:
    return ctx.rng.randint(ctx.now - 400 * DAY, ctx.now - DAY)


def new_event(ctx: Context) -> Draft:
    rng = ctx.rng
    values = {
        "event_id": f"E{rng.randint(1, 14)}",
        "customer_id": rng.choice(CUSTOMERS),
        "event_ts": past(ctx),
        "event_type": rng.choice(EVENT_TYPES),
        "channel": rng.choice(CHANNELS),
        "amount": rng.choice(["0", "12.5", f"{rng.uniform(0, 900):.2f}", "1000000", ""]),
        "session_minutes": rng.choice(["0", f"{rng.uniform(0, 90):.1f}", "1440", ""]),
        "items": rng.choice(["0", str(rng.randint(1, 9)), "10000", ""]),
    }
    return draft(ctx, values)


def new_label(ctx: Context) -> Draft:
    rng = ctx.rng
    month_end = (ctx.now // DAY - 30 * rng.randint(1, 3)) * DAY
    values = {
        "customer_id": rng.choice(CUSTOMERS),
        "label_ts": rng.choice([month_end, month_end, past(ctx)]),
        "churned": rng.choice(["0", "1"]),
    }
    return draft(ctx, values)


def draft(ctx: Context, values: dict) -> Draft:
    """A valid line from values (timestamps as epoch seconds, the rest as the text written)."""
    fields, typed = [], {}
    for column in ctx.dataset.columns:
        value = values[column]
        kind = ctx.dataset.types.get(column, "string")
        if kind == "timestamp":
            fields.append(Field(stamp(value)))
            typed[column] = value
            continue
        fields.append(Field(value))
        typed[column] = None if value == "" else {"double": float, "int": int}.get(kind, str)(value)
    return Draft(fields, typed)


def copy_key(ctx: Context, source: Draft) -> Draft:
    """A new valid line with the key of `source` (other values, an earlier or later time)."""
    fresh = new_event(ctx) if ctx.dataset is EVENTS else new_label(ctx)
    for column in ctx.dataset.keys:
        index = ctx.dataset.columns.index(column)
        if not isinstance(source.fields[index].text, str) or source.typed.get(column) is None:
            return fresh
        fresh.fields[index] = Field(source.fields[index].text, source.fields[index].quoted)
        fresh.typed[column] = source.typed[column]
    fresh.ops.append("same_key")
    return fresh


# Row operators: each changes a draft; those that break the contract set `valid` to False.


def columns_of(ctx: Context, d: Draft, want) -> list[int]:
    """Indexes of the draft's text fields whose column satisfies `want` (the fields are untouched)."""
    if len(d.fields) != len(ctx.dataset.columns):
        return []
    return [
        index
        for index, column in enumerate(ctx.dataset.columns)
        if isinstance(d.fields[index].text, str) and want(column)
    ]


def plain(d: Draft, index: int) -> bool:
    text = d.fields[index].text
    return isinstance(text, str) and not d.fields[index].quoted and not re.search(r'[",\r\n]', text)


def op_pad(ctx: Context, d: Draft) -> bool:
    indexes = columns_of(ctx, d, lambda column: True)
    if not indexes:
        return False
    index = ctx.rng.choice(indexes)
    pad = ctx.rng.choice(PADDING)
    d.fields[index].text = ctx.rng.choice(["", pad]) + d.fields[index].text + ctx.rng.choice(PADDING)
    return True


def op_quote(ctx: Context, d: Draft) -> bool:
    indexes = [index for index, f in enumerate(d.fields) if isinstance(f.text, str)]
    if not indexes:
        return False
    f = d.fields[ctx.rng.choice(indexes)]
    f.quoted, f.around = True, ctx.rng.choice(["", "", " ", "\t", " \t "])
    return True


def op_blank_optional(ctx: Context, d: Draft) -> bool:
    indexes = columns_of(ctx, d, lambda column: column not in ctx.dataset.required)
    if not indexes:
        return False
    index = ctx.rng.choice(indexes)
    d.fields[index].text = ctx.rng.choice(["", "  "])
    d.typed[ctx.dataset.columns[index]] = None
    return True


def break_column(ctx: Context, d: Draft, want, choices) -> bool:
    """A field whose column passes `want` becomes one of `choices(column)`: the line breaks."""
    indexes = columns_of(ctx, d, want)
    if not indexes:
        return False
    index = ctx.rng.choice(indexes)
    d.fields[index].text = ctx.rng.choice(choices(ctx.dataset.columns[index]))
    d.valid = False
    return True


def op_missing(ctx: Context, d: Draft) -> bool:
    return break_column(ctx, d, lambda column: column in ctx.dataset.required, lambda column: ["", "   "])


def count_untouched(d: Draft) -> bool:
    """No field count change yet, no raw bytes, not split: changing the count surely breaks the line."""
    touched = {"drop_field", "extra_field"} & set(d.ops)
    return not touched and d.rows == 1 and not any(isinstance(f.text, bytes) for f in d.fields)


def op_drop_field(ctx: Context, d: Draft) -> bool:
    if not count_untouched(d):
        return False
    del d.fields[ctx.rng.randrange(len(d.fields))]
    d.valid = False
    return True


def op_extra_field(ctx: Context, d: Draft) -> bool:
    if not count_untouched(d):
        return False
    d.fields.insert(ctx.rng.randint(0, len(d.fields)), Field(ctx.rng.choice(["x", "", "42"])))
    d.valid = False
    return True


NOT_NUMBERS = ["abc", "12,5", "1_000", "0x10", "--1", "½", "1d", "2.5f", "7L", "1e", ".", "+", "1 000", "٣"]
NOT_ALLOWED = ["Web", "fax", "PURCHASE", "refund", "2", "yes", "1.0", "-1", "01", "true", "web_"]


def op_not_a_number(ctx: Context, d: Draft) -> bool:
    numeric = ("double", "int")
    return break_column(
        ctx, d, lambda column: ctx.dataset.types.get(column) in numeric, lambda _: NOT_NUMBERS
    )


def op_out_of_range(ctx: Context, d: Draft) -> bool:
    def outside(column: str) -> list[str]:
        high = ctx.dataset.ranges[column].high
        choices = [
            "-1",
            "-0.01",
            str(int(high) + 1),
            f"{high + 0.5:.1f}",
            "1e12",
            "NaN",
            "Infinity",
            "-Infinity",
        ]
        return choices + (["1.5", "99999999999"] if ctx.dataset.types.get(column) == "int" else [])

    return break_column(ctx, d, lambda column: column in ctx.dataset.ranges, outside)


def op_not_allowed(ctx: Context, d: Draft) -> bool:
    allowed = ctx.dataset.allowed
    return break_column(
        ctx,
        d,
        lambda column: column in allowed,
        lambda column: [c for c in NOT_ALLOWED if c not in allowed[column]],
    )


def is_timestamp(ctx: Context):
    return lambda column: column in ctx.dataset.timestamps


def timestamp_columns(ctx: Context, d: Draft) -> list[int]:
    return columns_of(ctx, d, is_timestamp(ctx))


def op_implausible_time(ctx: Context, d: Draft) -> bool:
    choices = [
        "2099-01-01T00:00:00Z",
        stamp(ctx.now + 2 * DAY),
        "1970-01-01T00:00:00Z",
        stamp(ctx.earliest - 1),
        stamp(ctx.earliest - 1800, 60),  # before the earliest once its offset is applied
    ]
    return break_column(ctx, d, is_timestamp(ctx), lambda _: choices)


def op_time_format(ctx: Context, d: Draft) -> bool:
    epoch = ctx.now - 10 * DAY
    text = stamp(epoch)
    choices = [
        text.replace("T", " "),
        text[:-1],
        text[:10],
        str(epoch),
        text[:-1] + "+0100",
        text[:-1] + ".123Z",
        text[:5] + "02-30" + text[10:],
        datetime.fromtimestamp(epoch, UTC).strftime("%d/%m/%Y %H:%M:%S"),
        "yesterday",
    ]
    return break_column(ctx, d, is_timestamp(ctx), lambda _: choices)


def op_time_zone(ctx: Context, d: Draft) -> bool:
    """The same instant written with another offset: still valid, and for labels the same key."""
    indexes = timestamp_columns(ctx, d)
    if not indexes:
        return False
    index = ctx.rng.choice(indexes)
    d.fields[index].text = stamp(d.typed[ctx.dataset.columns[index]], ctx.rng.choice(OFFSETS))
    return True


def op_edge_time(ctx: Context, d: Draft) -> bool:
    """Valid times at the edges: the earliest plausible instant, a few minutes ahead (clock skew)."""
    indexes = timestamp_columns(ctx, d)
    if not indexes:
        return False
    index = ctx.rng.choice(indexes)
    epoch, offset = ctx.rng.choice(
        [(ctx.earliest, 0), (ctx.earliest, -60), (ctx.earliest + 1800, 60), (ctx.now + 300, 0)]
    )
    d.fields[index].text = stamp(epoch, offset)
    d.typed[ctx.dataset.columns[index]] = epoch
    return True


def op_unbalanced_quote(ctx: Context, d: Draft) -> bool:
    """An opening quote that never closes, in any field (the last one too)."""
    whole = len(d.fields) == len(ctx.dataset.columns)
    indexes = [index for index in range(len(d.fields)) if whole and plain(d, index)]
    if not indexes:
        return False
    index = ctx.rng.choice(indexes)
    d.fields[index].text = b'"' + d.fields[index].text.encode(ctx.encoding)
    d.valid = False
    return True


def op_quoted_newline(ctx: Context, d: Draft) -> bool:
    """A line break inside a quoted value: two lines, neither a row (each half has a lone quote).

    In any value, commas and quotes included: the second half can have the right field count.
    """
    whole = len(d.fields) == len(ctx.dataset.columns) and count_untouched(d)
    indexes = [i for i in range(len(d.fields)) if whole and isinstance(d.fields[i].text, str)]
    if not indexes:
        return False
    f = d.fields[ctx.rng.choice(indexes)]
    text = f.text if len(f.text) >= 2 else "ab"
    cut = ctx.rng.randint(1, len(text) - 1)
    f.text, f.quoted = text[:cut] + ctx.rng.choice(["\n", "\r\n", "\r"]) + text[cut:], True
    d.rows, d.valid = 2, False
    return True


def rewrite_plain_field(ctx: Context, d: Draft, rewrite) -> bool:
    """A plain field becomes the bytes `rewrite(raw, at)` returns (`at`: a random cut); the line breaks."""
    indexes = [index for index in range(len(d.fields)) if plain(d, index)]
    if not indexes:
        return False
    f = d.fields[ctx.rng.choice(indexes)]
    raw = f.text.encode(ctx.encoding)
    f.text = rewrite(raw, ctx.rng.randint(0, len(raw)))
    d.valid = False
    return True


def op_stray_quote(ctx: Context, d: Draft) -> bool:
    """A quote inside an unquoted value, or text after a closing quote: not as CSV writers write it."""
    if ctx.rng.random() < 0.5:
        return rewrite_plain_field(ctx, d, lambda raw, at: raw[:at] + b'"' + raw[at:])
    return rewrite_plain_field(ctx, d, lambda raw, at: b'"' + raw[:at] + b'"' + raw[at:] + b"x")


def op_bad_bytes(ctx: Context, d: Draft) -> bool:
    bad = bytes([ctx.rng.choice(BAD_BYTES)])
    return rewrite_plain_field(ctx, d, lambda raw, at: raw[:at] + bad + raw[at:])


def op_many_fields(ctx: Context, d: Draft) -> bool:
    """More fields than Spark's CSV parser takes at all (20,480): a row like any with too many."""
    if not count_untouched(d):
        return False
    d.fields += [Field("")] * 20_500
    d.valid = False
    return True


VALID_OPS = (op_pad, op_quote, op_blank_optional, op_time_zone, op_edge_time)
BREAKING_OPS = (
    op_missing,
    op_drop_field,
    op_extra_field,
    op_not_a_number,
    op_out_of_range,
    op_not_allowed,
    op_implausible_time,
    op_time_format,
    op_unbalanced_quote,
    op_quoted_newline,
    op_stray_quote,
    op_many_fields,
    op_bad_bytes,
)


def corrupt(ctx: Context, d: Draft) -> Draft:
    """Valid-preserving operators first, then breaking ones (which never make a line valid again)."""
    rng = ctx.rng
    plan = [rng.choice(VALID_OPS) for _ in range(rng.choice([0, 0, 1, 1, 2]))]
    plan += [rng.choice(BREAKING_OPS) for _ in range(rng.choice([0, 0, 0, 1, 1, 2]))]
    plan.sort(key=lambda op: op is op_quoted_newline)  # last: no later operator rewrites its value
    for op in plan:
        if op(ctx, d):
            d.ops.append(op.__name__.removeprefix("op_"))
    return d


def encode_line(ctx: Context, d: Draft) -> bytes:
    parts = []
    for f in d.fields:
        if isinstance(f.text, bytes):
            parts.append(f.text)
            continue
        text = f.text
        if f.quoted or re.search(r'[",\r\n]', text):
            text = f.around + '"' + text.replace('"', '""') + '"' + f.around
        parts.append(text.encode(ctx.encoding, errors="strict"))
    return b",".join(parts)


def line_rows(ctx: Context, d: Draft, line: bytes, header: bool) -> list[Row]:
    """The rows a line yields: valid only in a file with a header, and if its bytes are UTF-8."""
    try:
        line.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    if d.valid and header and utf8 and d.rows == 1:
        values = tuple(d.typed[column] for column in ctx.dataset.columns)
        return [Row(True, values, line.decode())]
    return [Row(False, line=line.decode("utf-8", "replace"))] * d.rows


HEADER_STYLES = ("plain", "plain", "plain", "upper", "quoted", "spaced")
FILE_KINDS = {
    "data": 10,
    "no_header": 1,
    "foreign_header": 1,
    "header_only": 1,
    "empty": 1,
    "blank": 1,
    "binary": 1,
    "utf16": 1,
}
FOLDERS = {
    "": 8,
    "dt=2026-03-0{n}/": 3,
    "batch_{n}/": 1,
    "a/b=1/c/": 1,
    ".tmp/": 1,
    "_staging/": 1,
    "a/_tmp/": 1,
    "x._COPYING_/": 1,
    "_metadata/": 1,
    "_x=2/": 1,
    "t=10:00/": 1,
}
NAMES = {
    "part-{n}.csv": 12,
    "at 10:00-{n}.csv": 1,
    "part {n} copy.csv": 1,
    "données-{n}.csv": 1,
    "x%41-{n}.csv": 1,
    "hash#{n}.csv": 1,
    "brackets[{n}].csv": 1,
    "_x=1-{n}.csv": 1,
    ".part-{n}.csv": 1,
    "_part-{n}.csv": 1,
    "part-{n}.txt": 1,
    "part-{n}.CSV": 1,
    "part-{n}.csv.bak": 1,
    "part-{n}": 1,
}


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def header_line(ctx: Context, style: str) -> str:
    names = list(ctx.dataset.columns)
    if style == "upper":
        names = [name.upper() for name in names]
    elif style == "quoted":
        names = [f'"{name}"' for name in names]
    elif style == "spaced":
        names = [f" {name} " for name in names]
    return ",".join(names)


def new_file(ctx: Context, number: int, pool: list[Draft]) -> Landed:
    rng = ctx.rng
    path = weighted(rng, FOLDERS).format(n=number % 9 + 1) + weighted(rng, NAMES).format(n=number)
    kind = weighted(rng, FILE_KINDS)
    ops = [kind]
    if kind == "empty":
        return Landed(path, b"", ops)
    if kind == "blank":
        return Landed(path, rng.choice([b"\n", b"\n \n\t\n", b"\r\n\r\n", b" ", b"\x00\n"]), ops)
    if kind == "binary":
        data = bytes(rng.randrange(256) for _ in range(rng.randint(20, 400)))
        return Landed(path, data, ops, rows=[Row(False)] * reader_lines(data))
    ctx.encoding = "latin-1" if rng.random() < 0.15 else "utf-8"
    line_end = rng.choice(["\n", "\n", "\r\n", "\r"]).encode()
    bom = ctx.encoding == "utf-8" and kind != "utf16" and rng.random() < 0.15
    ops += [ctx.encoding, {b"\n": "LF", b"\r\n": "CRLF", b"\r": "CR"}[line_end]] + ["BOM"] * bom
    header = kind in ("data", "header_only", "utf16")
    lines: list[bytes] = []
    rows: list[Row] = []
    if header:
        lines.append(header_line(ctx, rng.choice(HEADER_STYLES)).encode())
    if kind == "foreign_header":  # another export's columns: not this dataset's header
        foreign = ",".join(reversed(ctx.dataset.columns)).encode()
        lines.append(foreign)
        rows.append(Row(False, line=foreign.decode()))
    for _ in range(0 if kind == "header_only" else rng.randint(2, 8)):
        roll = rng.random()
        if roll < 0.1:
            lines.append(rng.choice([b"", b"   ", b"\t"]))
            continue
        if roll < 0.15 and header:
            lines.append(header_line(ctx, "plain").encode())  # files joined together
            ops.append("header_again")
            continue
        if roll < 0.25 and pool:
            d = copy.deepcopy(rng.choice(pool))
            d.ops.append("same_line")
        elif roll < 0.35 and pool:
            d = corrupt(ctx, copy_key(ctx, rng.choice(pool)))
        else:
            d = corrupt(ctx, new_event(ctx) if ctx.dataset is EVENTS else new_label(ctx))
        if d.valid and d.rows == 1 and not any(isinstance(f.text, bytes) for f in d.fields):
            pool.append(d)
        ops += d.ops
        try:
            line = encode_line(ctx, d)
        except UnicodeEncodeError:  # a value latin-1 cannot hold: leave it out
            continue
        lines.append(line)
        rows += line_rows(ctx, d, line, header)
    data = line_end.join(lines) + (line_end if rng.random() < 0.8 else b"")
    if bom:
        data = b"\xef\xbb\xbf" + data
    if kind == "utf16":
        data = data.decode(ctx.encoding, errors="replace").encode("utf-16")
        rows, header = [Row(False)] * reader_lines(data), False
    return Landed(path, data, ops, header, rows)


def generate(seed: int, config: Config) -> list[Landed]:
    """The landing files of one seed: 8-10 small files of its dataset (about half of them read).

    One dataset per seed: every read file is a micro-batch of its own in the file-by-file run, and
    each batch costs several Delta MERGEs (seconds), so the files are few and the lines many.
    """
    rng = random.Random(seed)
    now = int(datetime.now(UTC).timestamp())
    ctx = Context(rng, fuzzed(seed), now, int(config.ingest.earliest_timestamp.timestamp()))
    pool: list[Draft] = []
    files = [new_file(ctx, number, pool) for number in range(1, rng.randint(8, 10) + 1)]
    for landed in files:
        check_generated(landed)
    return files


def check_generated(landed: Landed) -> None:
    """The generator's own bookkeeping agrees with the reader model (a failure is a generator bug)."""
    if not landed.listed:
        return
    lines = reader_lines(landed.data)
    headers = 1 + landed.ops.count("header_again") if landed.header else 0
    assert lines == len(landed.rows) + headers, (
        f"generator bug: {lines} lines, {len(landed.rows)} rows: {landed.describe()}"
    )


# ---------------------------------------------------------------------------------------------------
# The invariants


@dataclass
class Report:
    """Failure messages that name the seed, the run and the files involved."""

    seed: int
    dataset: RawDataset
    run: str = ""

    def __call__(self, what: str, *files: Landed) -> str:
        lines = [f"seed {self.seed}, {self.dataset.name}, {self.run}: {what}"]
        lines += [f"  file {landed.describe()}" for landed in files]
        lines.append(f"  again: INGEST_FUZZ_SEED={self.seed} pytest tests/ingestion/test_ingest_fuzz.py")
        return "\n".join(lines)


@dataclass
class Tables:
    bronze: list[tuple]  # typed values (timestamps as epoch seconds), then the source file
    ingested_at: list[float]
    quarantine: list[tuple]  # source file, record, occurrence, reasons
    audit: list[dict]


def landing_root(config: Config, dataset: RawDataset) -> Path:
    return Path(config.landing_path) / dataset.name


def relative(config: Config, dataset: RawDataset, path: str) -> str:
    """A local path, or a source file as Spark reports it (file:/x/a%20b.csv), relative to the landing."""
    local = Path(unquote(urlparse(path).path) if path.startswith("file:") else path)
    try:
        return local.relative_to(landing_root(config, dataset)).as_posix()
    except ValueError:
        return path


def snapshot(spark, config: Config, dataset: RawDataset) -> Tables:
    def typed(column: str):
        return F.col(column).cast("long") if column in dataset.timestamps else F.col(column)

    bronze = (
        read_table(spark, config.table(dataset.table))
        .select(*[typed(c) for c in dataset.columns], "source_file", F.col("ingested_at").cast("double"))
        .collect()
    )
    quarantine = read_table(spark, config.table(dataset.quarantine_table)).collect()
    audit = (
        read_table(spark, config.table(Table.INGEST_AUDIT)).where(F.col("dataset") == dataset.name).collect()
    )

    def file_of(row) -> str:
        return relative(config, dataset, row["source_file"])

    return Tables(
        bronze=sorted((*row[: len(dataset.columns)], file_of(row)) for row in bronze),
        ingested_at=[row["ingested_at"] for row in bronze],
        quarantine=sorted(
            (file_of(row), row["record"], row["occurrence"], tuple(row["reasons"])) for row in quarantine
        ),
        audit=[row.asDict() for row in audit],
    )


def check_run(
    report: Report, config: Config, dataset: RawDataset, files: list[Landed], result: IngestResult, t: Tables
) -> None:
    """Every invariant of one first run over `files`."""
    by_path = {landed.path: landed for landed in files}
    root = landing_root(config, dataset)
    batches = [row for row in t.audit if row["batch_id"] is not None]

    # Every file under the landing folder is read by exactly one batch, or listed as ignored.
    on_disk = sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())
    assert on_disk == sorted(by_path), report(f"landing holds {on_disk}, generated {sorted(by_path)}")
    read = Counter(relative(config, dataset, path) for row in batches for path in row["source_files"])
    ignored = [relative(config, dataset, path) for path in result.ignored_files]
    for path in on_disk:
        landed = by_path[path]
        seen = f"read by {read[path]} batch(es), ignored {ignored.count(path)} time(s)"
        assert read[path] + ignored.count(path) == 1, report(seen, landed)
        expected = "read" if landed.read else "ignored (not listed by the source, or no line at all)"
        assert (read[path] == 1) == landed.read, report(f"{seen}; expected {expected}", landed)

    # Each read file: its invalid rows in quarantine, with reasons; file:no_header_line iff no header.
    quarantined = Counter(row[0] for row in t.quarantine)
    for landed in files:
        if not landed.read:
            continue
        invalid = sum(not row.valid for row in landed.rows)
        assert quarantined[landed.path] == invalid, report(
            f"{quarantined[landed.path]} rows quarantined, {invalid} of {len(landed.rows)} are invalid",
            landed,
        )
        for file, record, _, reasons in t.quarantine:
            if file == landed.path:
                assert reasons, report(f"quarantined without a reason: {record}", landed)
                assert (MALFORMED in reasons) != landed.header, report(f"{record}: {reasons}", landed)

    # Each batch: rows in (oracle) = accepted + quarantined + duplicates; its files, its malformed files.
    for row in batches:
        paths = [relative(config, dataset, path) for path in row["source_files"]]
        landed = [by_path[path] for path in paths if path in by_path]
        counts = {key: row[key] for key in ("rows_in", "accepted", "quarantined", "duplicates", "files")}
        expected_in = sum(len(f.rows) for f in landed)
        assert row["rows_in"] == expected_in, report(f"batch {counts}: {expected_in} rows in", *landed)
        assert row["rows_in"] == row["accepted"] + row["quarantined"] + row["duplicates"], report(f"{counts}")
        assert min(counts.values()) >= 0, report(f"batch {counts}", *landed)
        assert row["quarantined"] == sum(quarantined[path] for path in paths), report(f"{counts}", *landed)
        assert row["files"] == len(paths), report(f"batch {counts}, files {paths}")
        malformed = sorted(relative(config, dataset, path) for path in row["malformed_files"])
        headerless = sorted(f.path for f in landed if not f.header)
        assert malformed == headerless, report(f"malformed {malformed}, no header line {headerless}", *landed)

    # The run in total, as the result reports it.
    read_files = [landed for landed in files if landed.read]
    rows = [row for landed in read_files for row in landed.rows]
    valid = sum(row.valid for row in rows)
    totals = (result.rows_in, result.accepted, result.quarantined, result.duplicates)
    assert result.rows_in == len(rows), report(f"result {totals}: {len(rows)} rows in")
    assert result.quarantined == len(rows) - valid == len(t.quarantine), report(f"result {totals}")
    assert result.accepted + result.duplicates == valid, report(f"result {totals}: {valid} valid rows")
    assert (result.files, result.batches) == (len(read_files), len(batches)), report(f"{result}")
    assert sorted(relative(config, dataset, path) for path in result.malformed_files) == sorted(
        landed.path for landed in read_files if not landed.header
    ), report(f"malformed files {result.malformed_files}")
    assert sorted(ignored) == sorted(landed.path for landed in files if not landed.read), report(
        f"ignored files {ignored}"
    )
    if result.batches == 1:
        assert result.accepted == len(t.bronze), report(f"result {totals}, {len(t.bronze)} rows in bronze")

    check_bronze(report, config, dataset, files, t)


def check_bronze(report: Report, config: Config, dataset: RawDataset, files: list[Landed], t: Tables) -> None:
    """Nothing implausible in bronze, and per key the first valid row (RawDataset.keep_first_by)."""
    columns = dataset.columns
    earliest = config.ingest.earliest_timestamp.timestamp()
    skew = config.ingest.max_clock_skew.total_seconds()
    by_path = {landed.path: landed for landed in files}

    def key(values: tuple) -> tuple:
        return tuple(values[columns.index(column)] for column in dataset.keys)

    def files_of(*paths: str) -> list[Landed]:
        return [by_path[path] for path in dict.fromkeys(paths) if path in by_path]

    keys = Counter(key(row) for row in t.bronze)
    for row, ingested_at in zip(t.bronze, t.ingested_at, strict=True):
        values = dict(zip(columns, row, strict=False))
        origin = files_of(row[-1])
        assert keys[key(row)] == 1, report(f"{keys[key(row)]} rows with key {key(row)}", *origin)
        for column in dataset.required:
            assert values[column] is not None, report(f"{column} missing in {row}", *origin)
        for column in dataset.timestamps:
            assert earliest <= values[column] <= ingested_at + skew, report(f"{column} in {row}", *origin)
        for column, allowed in dataset.allowed.items():
            assert str(values[column]) in allowed, report(f"{column} not allowed in {row}", *origin)
        for column, bounds in dataset.ranges.items():
            value = values[column]
            assert value is None or bounds.low <= value <= bounds.high, report(f"{column} in {row}", *origin)
        assert not any("\ufffd" in v for v in row if isinstance(v, str)), report(f"U+FFFD in {row}", *origin)

    candidates = defaultdict(list)
    for landed in files:
        for row in landed.rows if landed.read else []:
            if row.valid:
                candidates[key(row.values)].append((*row.values, landed.path))

    def rank(values: tuple) -> tuple:
        return tuple(
            values[columns.index(column)] * (1 if ascending else -1)
            for column, ascending in dataset.keep_first_by
        )

    stored = {key(row): row for row in t.bronze}
    lost = sorted(set(candidates) - set(stored), key=str)
    lost_in = files_of(*(c[-1] for k in lost for c in candidates[k]))
    assert not lost, report(f"valid keys not in bronze: {lost}", *lost_in)
    for k, row in stored.items():
        assert k in candidates, report(f"bronze row of no valid line: {row}", *files_of(row[-1]))
        best = min(rank(c) for c in candidates[k])
        first = [c for c in candidates[k] if rank(c) == best]
        origins = files_of(*(c[-1] for c in candidates[k]))
        assert row in first, report(f"bronze keeps {row}, expected one of {first}", *origins)


def land_files(config: Config, dataset: RawDataset, files: list[Landed]) -> None:
    for landed in files:
        path = landing_root(config, dataset) / landed.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(landed.data)


@pytest.mark.parametrize("seed", fuzz_seeds())
def test_ingestion_keeps_its_invariants_on_dirty_files(spark, tmp_path: Path, seed: int) -> None:
    dataset = fuzzed(seed)
    one_batch = load_config("local", home=tmp_path / "one-batch")
    file_by_file = load_config("local", home=tmp_path / "file-by-file")
    files = generate(seed, one_batch)
    print(f"ingest fuzz seed {seed}, {dataset.name}:")
    for landed in files:
        print(f"  {landed.describe()}")
    land_files(one_batch, dataset, files)
    land_files(file_by_file, dataset, files)

    report = Report(seed, dataset, "first run")
    first = ingest_dataset(spark, one_batch, dataset)
    after_first = snapshot(spark, one_batch, dataset)
    check_run(report, one_batch, dataset, files, first, after_first)

    report.run = "rerun without new files"
    rerun = ingest_dataset(spark, one_batch, dataset)
    after_rerun = snapshot(spark, one_batch, dataset)
    counts = (rerun.rows_in, rerun.files, rerun.batches, rerun.malformed_files)
    assert counts == (0, 0, 0, []), report(f"rerun {rerun}")
    assert rerun.ignored_files == first.ignored_files, report(f"ignored {rerun.ignored_files}")
    assert after_rerun.bronze == after_first.bronze, report("bronze changed")
    assert after_rerun.quarantine == after_first.quarantine, report("quarantine changed")
    batch_rows = [[row for row in t.audit if row["batch_id"] is not None] for t in (after_first, after_rerun)]
    assert batch_rows[0] == batch_rows[1], report("audit batch rows changed")

    if first.files < 2:
        return  # one file read: one file per batch is the run above
    report.run = "one file per batch, another home"
    batched = ingest_dataset(spark, file_by_file, dataset, max_files_per_batch=1)
    one_by_one = snapshot(spark, file_by_file, dataset)
    check_run(report, file_by_file, dataset, files, batched, one_by_one)
    assert one_by_one.bronze == after_first.bronze, report(
        f"bronze differs: {sorted(set(one_by_one.bronze) ^ set(after_first.bronze))}"
    )
    assert one_by_one.quarantine == after_first.quarantine, report(
        f"quarantine differs: {sorted(set(one_by_one.quarantine) ^ set(after_first.quarantine))}"
    )
