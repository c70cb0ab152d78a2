"""Write generated data to the landing zone as raw CSV files, the way an upstream system would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from .generate import GeneratedData

ROWS_PER_FILE = 100_000


@dataclass(frozen=True)
class LandingSummary:
    landing_path: str
    event_files: list[str]
    label_files: list[str]
    events: int
    labels: int


def landing_is_empty(landing_path: str) -> bool:
    root = Path(landing_path)
    return not any(root.glob("events/*.csv"))


def next_start(landing_path: str) -> datetime | None:
    """The day after the last event in the landing zone's event files (None without any): where the
    next generated period starts, so that new data follows the old instead of rewriting its dates.

    Every file counts, generated or not; a file or value that cannot be read as an event time (a dirty
    or foreign file, which ingest will quarantine) is passed over.
    """
    last = None
    for path in sorted(Path(landing_path).glob("events/[!.]*.csv")):
        times = _event_times(path)
        if times is not None and (last is None or times > last):
            last = times
    return None if last is None else (last.floor("D") + timedelta(days=1)).to_pydatetime()


def _event_times(path: Path) -> pd.Timestamp | None:
    """The latest readable `event_ts` of one file, or None."""
    try:
        column = pd.read_csv(path, usecols=["event_ts"], dtype=str, on_bad_lines="skip")["event_ts"]
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
    latest = pd.to_datetime(column, utc=True, errors="coerce", format="ISO8601").max()
    return None if pd.isna(latest) else latest


def write_landing_files(data: GeneratedData, landing_path: str, batch: str) -> LandingSummary:
    """Write `data` as files named after `batch`: writing the same batch again replaces its files."""
    root = Path(landing_path)
    event_files = _write_parts(data.events, root / "events", batch)
    label_files = _write_parts(data.labels, root / "labels", batch)
    return LandingSummary(str(root), event_files, label_files, len(data.events), len(data.labels))


def _write_parts(frame: pd.DataFrame, folder: Path, batch: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for part, start in enumerate(range(0, max(len(frame), 1), ROWS_PER_FILE)):
        path = folder / f"{batch}-part-{part:05d}.csv"
        # Write a hidden file beside the target and rename it, so a reader never sees half a file
        # (Spark's file sources skip names that start with a dot).
        partial = folder / f".{path.name}.tmp"
        frame.iloc[start : start + ROWS_PER_FILE].to_csv(partial, index=False)
        partial.replace(path)
        written.append(str(path))
    return written
