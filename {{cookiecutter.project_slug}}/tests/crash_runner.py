"""Run one CLI command and kill this process with SIGKILL right after its N-th commit boundary.

Usage: `python tests/crash_runner.py N COMMAND [ARGS...]` (N = 0: nothing is killed). `install` also
serves tests that crash a command inside their own process, by raising `SimulatedCrash`. A commit boundary
is the moment after a durable write: every Delta commit (all writes go through `tables._save` or
`tables._merge`), the end of each ingest micro-batch's function (its writes are done, Spark has not yet
committed the batch to the checkpoint), and monitoring's report and MLflow run. Each boundary is
printed to stderr as it passes, so a test can count them in an uninterrupted run.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from functools import wraps

from {{ cookiecutter.package_name }} import cli, tables
from {{ cookiecutter.package_name }}.ingestion import ingest
from {{ cookiecutter.package_name }}.monitoring import monitor as monitoring_monitor

BOUNDARY_PREFIX = "commit boundary"


class SimulatedCrash(Exception):
    """Raised at a commit boundary to end a command there (a plain Exception: it must also get out of
    a streaming micro-batch, which Spark then fails without committing it)."""


def kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _after(function: Callable, label: Callable[..., str], boundary: Callable[[str], None]) -> Callable:
    @wraps(function)
    def wrapper(*args, **kwargs):
        result = function(*args, **kwargs)
        boundary(label(*args, **kwargs))
        return result

    return wrapper


def install(
    crash_at: int, patch: Callable[[object, str, object], None], crash: Callable[[], None] = kill
) -> list[str]:
    """Count the commit boundaries and `crash()` at number `crash_at`; `patch(owner, name, value)` sets one.

    Returns the labels of the boundaries passed so far, filled in as the command runs.
    """
    passed: list[str] = []

    def boundary(label: str) -> None:
        passed.append(label)
        print(f"{BOUNDARY_PREFIX} {len(passed)}: {label}", file=sys.stderr, flush=True)
        if len(passed) == crash_at:
            crash()

    def batch_writer(*args):
        return _after(
            original_writer(*args), lambda batch, batch_id: f"ingest batch {batch_id} written", boundary
        )

    original_writer = ingest.batch_writer
    patch(tables, "_save", _after(tables._save, lambda writer, table: f"write {table.short_name}", boundary))
    patch(
        tables,
        "_merge",
        _after(tables._merge, lambda df, table, *a, **k: f"merge {table.short_name}", boundary),
    )
    patch(ingest, "batch_writer", batch_writer)
    for name in ("write_report", "_log_to_mlflow"):
        label = f"monitoring {name.strip('_')}"
        patch(
            monitoring_monitor,
            name,
            _after(getattr(monitoring_monitor, name), lambda *a, _l=label, **k: _l, boundary),
        )
    return passed


if __name__ == "__main__":
    install(int(sys.argv[1]), setattr)
    sys.exit(cli.main(sys.argv[2:]))
