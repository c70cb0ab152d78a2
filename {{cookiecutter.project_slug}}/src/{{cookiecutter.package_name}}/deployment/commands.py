"""`promote` and `rollback`: move @champion by registry aliases (and optionally the serving endpoint)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ..commands import Command, Context
from ..progress import logger
from ..tracking import configure_mlflow
from .promotion import Transition, promote, rollback


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--serving-endpoint",
        action="store_true",
        help="also make the environment's Databricks Model Serving endpoint serve the new champion",
    )


def _move(context: Context, args: argparse.Namespace, move: Callable[..., Transition]) -> dict:
    from mlflow import MlflowClient

    config = context.config
    configure_mlflow(config)
    transition = move(MlflowClient(), config.model_name)
    logger.info("%s", transition.message)
    summary = {"model_name": config.model_name, **transition.as_dict()}
    if args.serving_endpoint:
        from ..inference.serving import deploy_endpoint, endpoint_name, workspace_client

        change = deploy_endpoint(
            workspace_client(config), endpoint_name(config), config.model_name, transition.champion
        )
        summary["serving_endpoint"] = change.as_dict()
    return summary


COMMANDS = [
    Command(
        name="promote",
        help="make the @challenger version the @champion (remembering the old one for rollback)",
        run=lambda context, args: _move(context, args, promote),
        add_arguments=_add_arguments,
    ),
    Command(
        name="rollback",
        help="make the @previous_champion version the @champion again",
        run=lambda context, args: _move(context, args, rollback),
        add_arguments=_add_arguments,
    ),
]
