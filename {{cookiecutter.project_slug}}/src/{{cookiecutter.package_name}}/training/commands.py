"""`train`: fit the model on the training set table, log it to MLflow and register a new version."""

from __future__ import annotations

import argparse

from ..arguments import bounded_int, databricks_id, seed
from ..commands import Command, Context
from ..contracts.model import JOB_RUN_ID_TAG, TRAINING_VERSION_TAG
from ..contracts.tables import Table
from ..errors import LifecycleError
from ..features.spec import TRAINING_SET_COLUMNS
from ..tables import read_table, table_exists, table_version
from .lineage import git_commit
from .train import train_and_register

FEATURE_TABLES = (Table.CUSTOMER_FEATURES, Table.TRAINING_SET)


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
    config = context.config
    table = config.table(Table.TRAINING_SET)
    if not table_exists(context.spark, table):
        raise LifecycleError(f"the training set {table.identifier} does not exist: run `features` first")
    version = table_version(context.spark, table)
    frame = read_table(context.spark, table, version=version)
    missing = [column for column in TRAINING_SET_COLUMNS if column not in frame.columns]
    if missing:
        raise LifecycleError(f"{table.identifier} lacks column(s) {missing}: rebuild it with `features`")
    lineage = {
        "git_commit": git_commit(),
        "training_table": table.identifier,
        TRAINING_VERSION_TAG: str(version),
        "feature_tables": ",".join(config.table(name).identifier for name in FEATURE_TABLES),
    }
    if args.job_run_id:
        lineage[JOB_RUN_ID_TAG] = args.job_run_id
    training_set = frame.select(*TRAINING_SET_COLUMNS).toPandas()
    trials = args.trials if args.tune else 0
    return train_and_register(config, training_set, lineage, trials=trials, seed=args.seed)


COMMANDS = [
    Command(
        name="train",
        help="train the model on the training set, log it to MLflow and register a new version",
        run=_run,
        add_arguments=_add_arguments,
    )
]
