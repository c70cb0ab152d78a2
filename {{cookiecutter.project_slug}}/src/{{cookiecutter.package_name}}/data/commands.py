"""`generate-data`: synthetic raw files in the landing zone."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from ..arguments import bounded_float, bounded_int, seed, utc_datetime
from ..commands import Command, Context
from ..progress import logger
from .spec import DEFAULT_START, MAX_DRIFT, MIN_DAYS

# The generator holds every event in memory (about 1 GB per 2 million).
MAX_ROWS = 10_000_000
MAX_DAYS = 3650
event_count = bounded_int(1, MAX_ROWS)


def add_generation_arguments(parser: argparse.ArgumentParser, start_default: str) -> None:
    """The arguments that shape a generated dataset (shared with `seed-data`); without --start the
    command picks the first day (`start_default` says how, in the help)."""
    parser.add_argument(
        "--rows", type=event_count, default=100_000, help="number of events (default: %(default)s)"
    )
    parser.add_argument("--seed", type=seed, default=42, help="random seed (default: 42)")
    parser.add_argument(
        "--drift",
        type=bounded_float(0, MAX_DRIFT),
        default=0.0,
        help=f"shift the distributions, 0 = none, 1 = strong, at most {MAX_DRIFT:g} (default: 0)",
    )
    parser.add_argument(
        "--start",
        type=utc_datetime,
        default=None,
        help=f"first day of the events, ISO date (default: {start_default})",
    )
    parser.add_argument(
        "--days",
        type=bounded_int(MIN_DAYS, MAX_DAYS),
        default=120,
        help=f"days of events, at least {MIN_DAYS} (default: 120)",
    )


def batch_name(args: argparse.Namespace, start: datetime) -> str:
    """Files of a batch are named after the arguments: writing the same dataset again replaces them."""
    return f"seed{args.seed}-drift{args.drift:g}-{start:%Y%m%d}-{args.days}d-{args.rows}"


def generated(args: argparse.Namespace, start: datetime):
    """The dataset the arguments describe, from `start` (a `generate.GeneratedData`)."""
    from .generate import generate

    return generate(rows=args.rows, seed=args.seed, drift=args.drift, start=start, days=args.days)


def _run(context: Context, args: argparse.Namespace) -> dict:
    from .landing import next_start, write_landing_files

    start = args.start or next_start(context.config.landing_path) or DEFAULT_START
    end = start + timedelta(days=args.days)
    if end > datetime.now(UTC):
        logger.warning(
            "generate-data: events from %s to %s run past now: ingest quarantines those later than their "
            "ingestion as in_the_future (give an earlier --start or fewer --days)",
            f"{start:%Y-%m-%d}",
            f"{end:%Y-%m-%d}",
        )
    batch = batch_name(args, start)
    summary = write_landing_files(generated(args, start), context.config.landing_path, batch)
    return {
        "landing_path": summary.landing_path,
        "start": f"{start:%Y-%m-%d}",
        "events": summary.events,
        "labels": summary.labels,
        "files": len(summary.event_files) + len(summary.label_files),
        "batch": batch,
    }


def _generation_arguments(parser: argparse.ArgumentParser) -> None:
    add_generation_arguments(
        parser, f"the day after the landing zone's last event, {DEFAULT_START:%Y-%m-%d} when it has none"
    )


def _lifecycle_arguments(context: Context, args: argparse.Namespace) -> dict | None:
    from .landing import landing_is_empty

    if not landing_is_empty(context.config.landing_path):
        return None
    return {"rows": args.rows}


COMMANDS = [
    Command(
        name="generate-data",
        help="write a seeded synthetic dataset (events and labels) to the landing zone",
        run=_run,
        add_arguments=_generation_arguments,
        lifecycle_arguments=_lifecycle_arguments,
    )
]
