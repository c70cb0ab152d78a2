"""`generate-data`: synthetic raw files in the landing zone."""

from __future__ import annotations

import argparse
from datetime import datetime

from ..commands import Command, Context
from .generate import DEFAULT_START, GeneratedData, generate
from .landing import landing_is_empty, write_landing_files


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text}")
    return value


def add_generation_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments that shape a generated dataset (shared with `seed-data`)."""
    parser.add_argument(
        "--rows", type=positive_int, default=100_000, help="number of events (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    parser.add_argument(
        "--drift", type=float, default=0.0, help="shift the distributions, 0 = none, 1 = strong (default: 0)"
    )
    parser.add_argument(
        "--start",
        type=datetime.fromisoformat,
        default=DEFAULT_START,
        help="first day of the events, ISO date (default: %(default)s)",
    )
    parser.add_argument("--days", type=positive_int, default=120, help="days of events (default: 120)")


def batch_name(args: argparse.Namespace) -> str:
    """Files of a batch are named after the arguments: writing the same dataset again replaces them."""
    return f"seed{args.seed}-drift{args.drift:g}-{args.start:%Y%m%d}-{args.days}d-{args.rows}"


def generated(args: argparse.Namespace) -> GeneratedData:
    return generate(rows=args.rows, seed=args.seed, drift=args.drift, start=args.start, days=args.days)


def _run(context: Context, args: argparse.Namespace) -> dict:
    batch = batch_name(args)
    summary = write_landing_files(generated(args), context.config.landing_path, batch)
    return {
        "landing_path": summary.landing_path,
        "events": summary.events,
        "labels": summary.labels,
        "files": len(summary.event_files) + len(summary.label_files),
        "batch": batch,
    }


def _lifecycle_arguments(context: Context, args: argparse.Namespace) -> list[str] | None:
    if not landing_is_empty(context.config.landing_path):
        return None
    return ["--rows", str(args.rows)]


COMMANDS = [
    Command(
        name="generate-data",
        help="write a seeded synthetic dataset (events and labels) to the landing zone",
        run=_run,
        add_arguments=add_generation_arguments,
        lifecycle_arguments=_lifecycle_arguments,
    )
]
