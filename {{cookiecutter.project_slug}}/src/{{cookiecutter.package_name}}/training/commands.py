"""`train`: fit the model on the training set table, log it to MLflow and register a new version."""

from __future__ import annotations

import argparse

from ..arguments import bounded_int, databricks_id, seed
from ..commands import Command, Context


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tune", action="store_true", help="random hyperparameter search (nested runs)")
    parser.add_argument("--trials", type=bounded_int(1, 200), default=8, help="trials of --tune (default: 8)")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the search (default: 0)")
    parser.add_argument(
        "--job-run-id",
        type=databricks_id,
        help="the Databricks job run this is part of (tagged on the version for `validate`)",
    )


def _run(context: Context, args: argparse.Namespace) -> dict:
    from .job import train_from_table

    trials = args.trials if args.tune else 0
    return train_from_table(context.spark, context.config, args.job_run_id, trials, args.seed)


COMMANDS = [
    Command(
        name="train",
        help="train the model on the training set, log it to MLflow and register a new version",
        run=_run,
        add_arguments=_add_arguments,
    )
]
