"""Write generated data to the landing zone as raw CSV files, the way an upstream system would."""

from __future__ import annotations

from dataclasses import dataclass
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
