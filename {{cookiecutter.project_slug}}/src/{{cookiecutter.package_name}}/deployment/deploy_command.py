"""`deploy-jobs` (jobs.py -> Databricks workspace) and `run-job` (start a deployed job, e.g. in CI).

Auth goes through databricks-sdk's unified auth: DATABRICKS_HOST plus DATABRICKS_TOKEN, or in GitHub
Actions DATABRICKS_AUTH_TYPE=github-oidc with DATABRICKS_CLIENT_ID (see docs/ci-auth-*.md).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from ..commands import Command, Context
from ..errors import ConfigError
from .deployer import build_wheel, connect, deploy, run_job, workspace_host
from .jobs import JOB_KEYS, TARGETS

DEFAULT_TIMEOUT_SECONDS = 30


def _connection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", choices=TARGETS, required=True, help="deployment target")
    parser.add_argument("--host", help="workspace URL (default: $DATABRICKS_HOST, else config.py)")
    parser.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_TIMEOUT_SECONDS,
        help="seconds one API call may take, retries included (default: %(default)s)",
    )


def _deploy_arguments(parser: argparse.ArgumentParser) -> None:
    _connection_arguments(parser)
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    parser.add_argument(
        "--wheel", type=Path, help="the wheel to deploy (default: build it from --project-dir)"
    )
    parser.add_argument(
        "--project-dir", type=Path, default=Path(), help="project to build the wheel from (default: .)"
    )


def _deploy(context: Context, args: argparse.Namespace) -> dict:
    host = workspace_host(args.target, args.host)
    if args.wheel is not None:
        if not args.wheel.is_file() or args.wheel.suffix != ".whl":
            raise ConfigError(
                f"--wheel {args.wheel} is not a wheel file; build one with: pip wheel --no-deps ."
            )
        return deploy(connect(host, args.timeout), args.target, args.wheel, args.dry_run)
    with tempfile.TemporaryDirectory(prefix="wheel-") as folder:
        wheel = build_wheel(args.project_dir, Path(folder))
        return deploy(connect(host, args.timeout), args.target, wheel, args.dry_run)


def _run_job_arguments(parser: argparse.ArgumentParser) -> None:
    _connection_arguments(parser)
    parser.add_argument(
        "--job", choices=JOB_KEYS, default="training", help="job to start (default: training)"
    )
    parser.add_argument(
        "--wait-minutes", type=float, help="wait up to this long for the run and fail unless it succeeds"
    )


def _run_job(context: Context, args: argparse.Namespace) -> dict:
    client = connect(workspace_host(args.target, args.host), args.timeout)
    return run_job(client, args.job, args.target, args.wait_minutes)


def _not_in_local_lifecycle(context: Context, args: argparse.Namespace) -> None:
    return None


COMMANDS = [
    Command(
        name="deploy-jobs",
        help="create or update this project's Databricks jobs (jobs.py) in a target workspace",
        run=_deploy,
        add_arguments=_deploy_arguments,
        lifecycle_arguments=_not_in_local_lifecycle,
    ),
    Command(
        name="run-job",
        help="start a deployed Databricks job of this project, optionally waiting for its result",
        run=_run_job,
        add_arguments=_run_job_arguments,
        lifecycle_arguments=_not_in_local_lifecycle,
    ),
]
