"""`promote` and `rollback`: move @champion by registry aliases (and optionally the serving endpoint).

`promote` first snapshots the new champion's training rows for monitoring (training/baseline.py), then
moves the alias: a champion never lacks its baseline. `rollback` moves the alias first (it is the
emergency exit and must not wait for anything), then makes sure the restored champion has a baseline.
"""

from __future__ import annotations

import argparse

from ..arguments import databricks_id
from ..commands import Command, Context
from ..contracts.model import CHALLENGER, CHAMPION
from ..errors import ConfigError, LifecycleError
from ..progress import logger
from ..tracking import configure_mlflow
from ..training.baseline import has_baseline, snapshot_baseline
from ..training.registry import (
    existing_version,
    get_version,
    version_by_alias,
    version_registered_by,
)
from ..workspace import workspace_client
from .promotion import Transition, promote, rollback
from .serving import deploy_endpoint, endpoint_name


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--serving-endpoint",
        action="store_true",
        help="also make the environment's Databricks Model Serving endpoint serve the new champion",
    )


def _add_promote_arguments(parser: argparse.ArgumentParser) -> None:
    _add_arguments(parser)
    expected = parser.add_mutually_exclusive_group()
    expected.add_argument("--version", type=databricks_id, help="promote only if @challenger is this version")
    expected.add_argument(
        "--job-run-id",
        type=databricks_id,
        help="promote only if @challenger is the version this Databricks job run registered",
    )


def _expected_version(client, name: str, args: argparse.Namespace) -> str | None:
    if args.version is not None:
        return str(existing_version(client, name, args.version).version)
    if args.job_run_id is not None:
        return str(version_registered_by(client, name, args.job_run_id).version)
    return None


def _ensure_baseline(context: Context, client, name: str, version: str) -> bool:
    """Snapshot the version's baseline unless it has one; True when a snapshot was taken."""
    if has_baseline(context.spark, context.config, version):
        return False
    model_version = get_version(client, name, version)
    if model_version is None:
        raise ConfigError(f"model {name} has no version {version}")
    rows = snapshot_baseline(context.spark, context.config, model_version)
    logger.info("baseline of version %s: %d training rows kept for monitoring", version, rows)
    return True


def _serve(context: Context, transition: Transition) -> dict:
    config = context.config
    if not config.uses_workspace:
        raise ConfigError(f"model serving endpoints need a Databricks environment, not {config.env!r}")
    endpoint = endpoint_name(config)
    return deploy_endpoint(workspace_client(), endpoint, config.model_name, transition.champion).as_dict()


def _promote(context: Context, args: argparse.Namespace) -> dict:
    from mlflow import MlflowClient

    config = context.config
    configure_mlflow(config)
    client = MlflowClient()
    name = config.model_name
    expected = _expected_version(client, name, args)
    challenger = version_by_alias(client, name, CHALLENGER)
    snapshot = False
    if challenger is not None and expected in (None, str(challenger.version)):
        snapshot = _ensure_baseline(context, client, name, str(challenger.version))
    transition = promote(client, name, expected)
    return _summary(context, args, transition, baseline_snapshot=snapshot)


def _rollback(context: Context, args: argparse.Namespace) -> dict:
    from mlflow import MlflowClient

    config = context.config
    configure_mlflow(config)
    client = MlflowClient()
    transition = rollback(client, config.model_name)
    snapshot = False
    try:
        snapshot = _ensure_baseline(context, client, config.model_name, transition.champion)
    except LifecycleError as error:
        logger.warning(
            "rolled back, but monitoring has no baseline for version %s: %s", transition.champion, error
        )
    return _summary(context, args, transition, baseline_snapshot=snapshot)


def _summary(
    context: Context, args: argparse.Namespace, transition: Transition, baseline_snapshot: bool
) -> dict:
    logger.info("%s", transition.message)
    summary = {
        "model_name": context.config.model_name,
        **transition.as_dict(),
        "baseline_snapshot": baseline_snapshot,
    }
    if args.serving_endpoint:
        summary["serving_endpoint"] = _serve(context, transition)
    return summary


COMMANDS = [
    Command(
        name="promote",
        help=f"make the @{CHALLENGER} version the @{CHAMPION} (remembering the old one for rollback)",
        run=_promote,
        add_arguments=_add_promote_arguments,
    ),
    Command(
        name="rollback",
        help=f"make the @previous_champion version the @{CHAMPION} again",
        run=_rollback,
        add_arguments=_add_arguments,
    ),
]
