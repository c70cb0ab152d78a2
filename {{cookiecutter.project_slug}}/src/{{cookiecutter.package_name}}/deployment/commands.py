"""The deployment commands: `promote` and `rollback` move @champion (release.py); `deploy-jobs`,
`run-job`, `seed-data` and `approve` act on a Databricks workspace; `check-approval` is the deployment
job's approval step (approval.py).

Workspace auth goes through databricks-sdk's unified auth: DATABRICKS_HOST plus DATABRICKS_TOKEN, or in
GitHub Actions DATABRICKS_AUTH_TYPE=github-oidc with DATABRICKS_CLIENT_ID (see docs/ci-auth-*.md).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from ..arguments import bounded_float, bounded_int, databricks_id
from ..commands import Command, Context, DataAccess
from ..config import WORKSPACE_TIMEOUT_SECONDS, load_config
from ..contracts.model import CHALLENGER, CHAMPION
from ..data.commands import add_generation_arguments, batch_name, generated
from ..data.spec import DEFAULT_START
from ..errors import ConfigError
from .jobs import DEPLOY_TARGETS, DEPLOYMENT_JOB_KEY, DEV, JOB_KEYS, MODEL_VERSION_PARAMETER


# --- promote and rollback --------------------------------------------------------------------------
def _add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..runtime import SERVING

    default = (
        "on in dev, staging and prod: this project was generated with serving=endpoint"
        if SERVING == "endpoint"
        else "off: this project was generated with serving=none"
    )
    parser.add_argument(
        "--serving-endpoint",
        action=argparse.BooleanOptionalAction,
        help=(
            f"make the environment's Databricks Model Serving endpoint serve the @{CHAMPION} (created on "
            f"first use, with an inference table, then smoke-tested; default: {default}). "
            "The local environment has no endpoint"
        ),
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


def _promote(context: Context, args: argparse.Namespace) -> dict:
    from .release import promote_challenger

    return promote_challenger(context, args.version, args.job_run_id, args.serving_endpoint)


def _rollback(context: Context, args: argparse.Namespace) -> dict:
    from .release import roll_back

    return roll_back(context, args.serving_endpoint)


# --- the workspace --------------------------------------------------------------------------------
def workspace_host(target: str, host: str | None = None) -> str | None:
    """--host, else $DATABRICKS_HOST, else the target's host in config.py; in dev, else None: the
    workspace the developer's own Databricks auth (e.g. a config profile) points at."""
    chosen = host or os.environ.get("DATABRICKS_HOST") or load_config(target).workspace_host
    if target == DEV and not chosen:
        return None
    if not chosen or "placeholder" in chosen:
        raise ConfigError(
            f"no Databricks host for target {target}: set DATABRICKS_HOST, pass --host, "
            "or put the workspace URL into WORKSPACE_HOSTS in config.py"
        )
    return chosen


def _workspace_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"expected a URL like https://<workspace>.cloud.databricks.com, got {text!r}"
        )
    return text


def _wheel_file(text: str) -> Path:
    path = Path(text)
    if not text.strip() or path.suffix != ".whl" or not path.is_file():
        raise argparse.ArgumentTypeError(f"{text!r} is not a wheel file; build one with: uv build --wheel")
    return path


def _project_folder(text: str) -> Path:
    path = Path(text)
    if not text.strip() or not (path / "pyproject.toml").is_file():
        raise argparse.ArgumentTypeError(f"{text!r} is not a project folder: it has no pyproject.toml")
    return path


def _connection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target",
        choices=DEPLOY_TARGETS,
        required=True,
        help=f"deployment target ({DEV}: your own copy of the jobs, paused)",
    )
    parser.add_argument(
        "--host", type=_workspace_url, help="workspace URL (default: $DATABRICKS_HOST, else config.py)"
    )
    parser.add_argument(
        "--timeout",
        type=bounded_int(1, 3600),
        default=WORKSPACE_TIMEOUT_SECONDS,
        help="seconds one API call may take, retries included (default: %(default)s)",
    )


def _deploy_arguments(parser: argparse.ArgumentParser) -> None:
    _connection_arguments(parser)
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    parser.add_argument(
        "--wheel", type=_wheel_file, help="the wheel to deploy (default: build it from --project-dir)"
    )
    parser.add_argument(
        "--project-dir",
        type=_project_folder,
        default=Path(),
        help="project to build the wheel from (default: .)",
    )


def _deploy(context: Context, args: argparse.Namespace) -> dict:
    from ..workspace import workspace_client
    from .deployer import deploy
    from .wheel import build_wheel

    host = workspace_host(args.target, args.host)
    if args.wheel is not None:
        return deploy(workspace_client(host, args.timeout), args.target, args.wheel, args.dry_run)
    with tempfile.TemporaryDirectory(prefix="wheel-") as folder:
        wheel = build_wheel(args.project_dir, Path(folder))
        return deploy(workspace_client(host, args.timeout), args.target, wheel, args.dry_run)


def _post_deploy_arguments(parser: argparse.ArgumentParser) -> None:
    _connection_arguments(parser)
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")


def _post_deploy(context: Context, args: argparse.Namespace) -> dict:
    from ..workspace import workspace_client
    from .after_bundle import post_deploy

    return post_deploy(
        workspace_client(workspace_host(args.target, args.host), args.timeout), args.target, args.dry_run
    )


def _run_job_arguments(parser: argparse.ArgumentParser) -> None:
    _connection_arguments(parser)
    parser.add_argument(
        "--job", choices=JOB_KEYS, default="training", help="job to start (default: training)"
    )
    _wait_argument(parser, "the run (training: and the deployment job run of its version)")
    parser.add_argument(
        "--model-version",
        type=databricks_id,
        help=f"--job {DEPLOYMENT_JOB_KEY} only: the model version to run the gate for "
        "(the registry passes it when it starts the job itself)",
    )


def _wait_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--wait-minutes",
        type=bounded_float(1, 24 * 60),
        help=f"wait up to this long (at most a day) for {what} and fail unless it succeeds",
    )


def _run_job(context: Context, args: argparse.Namespace) -> dict:
    from ..workspace import workspace_client
    from .runs import run_job

    if (args.model_version is not None) != (args.job == DEPLOYMENT_JOB_KEY):
        raise ConfigError(f"--model-version goes with --job {DEPLOYMENT_JOB_KEY}, and that job needs it")
    parameters = {MODEL_VERSION_PARAMETER: args.model_version} if args.model_version else None
    client = workspace_client(workspace_host(args.target, args.host), args.timeout)
    return run_job(client, args.job, args.target, args.wait_minutes, parameters)


# --- the deployment job's approval ----------------------------------------------------------------
def _check_approval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--version", type=databricks_id, help=f"model version to check (default: the @{CHALLENGER})"
    )


def _check_approval(context: Context, args: argparse.Namespace) -> dict:
    from .approval import check_approval

    return check_approval(context, args.version)


def _approve_arguments(parser: argparse.ArgumentParser) -> None:
    _connection_arguments(parser)
    parser.add_argument("--version", type=databricks_id, required=True, help="the model version to approve")
    _wait_argument(parser, "the repaired deployment job run")


def _approve(context: Context, args: argparse.Namespace) -> dict:
    from ..workspace import workspace_client
    from .approval import approve

    client = workspace_client(workspace_host(args.target, args.host), args.timeout)
    return approve(client, args.target, args.version, args.wait_minutes)


def _seed_arguments(parser: argparse.ArgumentParser) -> None:
    _connection_arguments(parser)
    add_generation_arguments(parser, f"{DEFAULT_START:%Y-%m-%d}")
    parser.set_defaults(rows=20_000)


def _seed(context: Context, args: argparse.Namespace) -> dict:
    from ..workspace import workspace_client
    from .seed import seed_landing

    client = workspace_client(workspace_host(args.target, args.host), args.timeout)
    start = args.start or DEFAULT_START
    return seed_landing(client, args.target, generated(args, start), batch_name(args, start))


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
    Command(
        name="seed-data",
        help="generate a dataset and upload it to a target's landing volume (CI seeds staging with it)",
        run=_seed,
        add_arguments=_seed_arguments,
        data=DataAccess.NONE,
    ),
    Command(
        name="deploy-jobs",
        help="create or update this project's Databricks jobs (jobs.py) in a target workspace",
        run=_deploy,
        add_arguments=_deploy_arguments,
        data=DataAccess.NONE,
    ),
    Command(
        name="post-deploy",
        help=(
            "after `databricks bundle deploy`: link the registered model to the deployment job and keep "
            "the data-quality monitor (what a bundle cannot declare)"
        ),
        run=_post_deploy,
        add_arguments=_post_deploy_arguments,
        data=DataAccess.NONE,
    ),
    Command(
        name="run-job",
        help="start a deployed Databricks job of this project, optionally waiting for its result",
        run=_run_job,
        add_arguments=_run_job_arguments,
        data=DataAccess.NONE,
    ),
    Command(
        name="check-approval",
        help="the deployment job's approval step: pass if a reviewer approved the version (prod only)",
        run=_check_approval,
        add_arguments=_check_approval_arguments,
        data=DataAccess.READ,
    ),
    Command(
        name="approve",
        help="approve a model version for a target and repair its waiting deployment job run",
        run=_approve,
        add_arguments=_approve_arguments,
        data=DataAccess.NONE,
    ),
]
