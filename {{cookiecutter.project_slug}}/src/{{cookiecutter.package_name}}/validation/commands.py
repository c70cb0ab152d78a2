"""`validate`: judge a model version on its holdout; on pass it becomes @challenger.

Which version: `--version`, else the one the same job run's `train` registered (`--job-run-id`, how the
deployed training job calls it, so a concurrent run can never swap the candidate), else the newest.

Enforcing by default: a rejected version exits with code 3 and no alias moves. The result is recorded
on the version (tags and description) and as an MLflow run either way. The work is in validate.py.
"""

from __future__ import annotations

import argparse

from ..arguments import databricks_id
from ..commands import Command, Context


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--version", type=databricks_id, help="model version to validate (default: the newest)"
    )
    parser.add_argument(
        "--job-run-id",
        type=databricks_id,
        help="validate the version `train` registered in this Databricks job run",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="record the result but move no alias and always exit 0 (not for pipelines)",
    )


def _run(context: Context, args: argparse.Namespace) -> dict:
    from .validate import validate

    return validate(context, args.version, args.job_run_id, args.report_only)


COMMANDS = [
    Command(
        name="validate",
        help="judge a model version on its holdout (thresholds and champion); pass -> @challenger",
        run=_run,
        add_arguments=_add_arguments,
    )
]
