"""`monitor`: the latest inference window against the champion's baseline, stored, reported, alerted on.

Reads inference_log, the @champion's baseline (its training rows, kept in champion_baselines when it was
promoted) and labels; writes monitoring_metrics (the window's rows replaced), an HTML report logged to
MLflow, an alert line and webhook, and starts retraining when asked to. Without a @champion or without
predictions there is nothing to monitor yet: the command ends as skipped. The work is in monitor.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..arguments import iso_date
from ..commands import Command, Context
from ..contracts.tables import Table


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--window-end",
        type=iso_date,
        default=None,
        help="last scoring date of the window, YYYY-MM-DD (default: the latest in the inference log)",
    )
    parser.add_argument("--fail-on-alert", action="store_true", help="exit with code 4 when a metric alerts")
    parser.add_argument(
        "--retrain-on-alert",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="start retraining when a metric alerts (default: the environment's retrain_on_alert)",
    )


def _run(context: Context, args: argparse.Namespace) -> dict:
    from .monitor import monitor

    return monitor(context, args.window_end, args.fail_on_alert, args.retrain_on_alert)


def _lifecycle_arguments(context: Context, args: argparse.Namespace) -> dict | None:
    from ..tables import table_exists

    # Without scored predictions there is nothing to monitor (e.g. before the model stages exist).
    # Locally the Delta log folder says so without starting Spark.
    table = context.config.table(Table.INFERENCE_LOG)
    exists = Path(table.path, "_delta_log").is_dir() if table.path else table_exists(context.spark, table)
    if not exists:
        return None
    return {"retrain_on_alert": False}


COMMANDS = [
    Command(
        name="monitor",
        help="drift and quality of the latest inference window: metrics table, report, alerts, retraining",
        run=_run,
        add_arguments=_add_arguments,
        lifecycle_arguments=_lifecycle_arguments,
    )
]
