"""The command line: `python -m {{ cookiecutter.package_name }} COMMAND [--env ENV] [--json]`.

Every command loads the config, gets Spark if it needs it, calls one stage and prints a summary.
With --json the last line of stdout is a one-line JSON summary.

Off Databricks, a command that reads or writes data first checks, once: that its environment's data is
within reach (a workspace environment only with LAKEHOUSE_EMULATE_WORKSPACE=1, see config.py), that
$LAKEHOUSE_HOME is a writable folder, and, when it writes, that no other command is writing there: it
holds the home's lock while it runs (`run-all` once for all its steps; lakehouse.py). Commands that only
call the workspace API (deploy-jobs, run-job, seed-data) need none of that; on Databricks there is no lock.

Exit codes:
  0  success, or skipped because there is nothing to do yet
  1  failure
  2  usage or configuration error, on one line: a bad argument, a model version or date that does not
     exist, an unwritable $LAKEHOUSE_HOME, a workspace environment's data off Databricks without emulation
  3  model rejected by the validation gate
  4  monitoring alert (monitor --fail-on-alert)
  5  another command is writing to the same $LAKEHOUSE_HOME (the message names it); try again later
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import NoReturn

from . import class_sharing, lifecycle_summary
from .commands import Command, Context, DataAccess, run_steps
from .config import ENVIRONMENTS, PACKAGE_NAME, Config, lakehouse_home, load_config, require_data_access
from .data.commands import COMMANDS as DATA_COMMANDS
from .data.commands import event_count
from .deployment.commands import COMMANDS as DEPLOYMENT_COMMANDS
from .errors import LifecycleError, NothingToDo
from .features.commands import COMMANDS as FEATURE_COMMANDS
from .inference.commands import COMMANDS as INFERENCE_COMMANDS
from .ingestion.commands import COMMANDS as INGESTION_COMMANDS
from .inventory import COMMANDS as INVENTORY_COMMANDS
from .inventory import lifecycle_tables
from .lakehouse import command_lock, prepare_home
from .monitoring.commands import COMMANDS as MONITORING_COMMANDS
from .progress import logger, logging_to_stderr, step
from .training.commands import COMMANDS as TRAINING_COMMANDS
from .validation.commands import COMMANDS as VALIDATION_COMMANDS

# The top-level help's epilog: the exit codes, as the docstring above gives them.
EXIT_CODES = __doc__[__doc__.index("Exit codes:") :].rstrip()
# The order in which `run-all` runs the lifecycle.
LIFECYCLE = ("generate-data", "ingest", "features", "train", "validate", "promote", "score", "monitor")
REGISTERED: list[Command] = [
    *DATA_COMMANDS,
    *INGESTION_COMMANDS,
    *FEATURE_COMMANDS,
    *TRAINING_COMMANDS,
    *VALIDATION_COMMANDS,
    *DEPLOYMENT_COMMANDS,
    *INFERENCE_COMMANDS,
    *MONITORING_COMMANDS,
    *INVENTORY_COMMANDS,
]


class _Parser(argparse.ArgumentParser):
    """Usage errors on one line: what is wrong and where the help is, no usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see: {self.prog} --help)\n")


def _common_options(with_env: bool) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    if with_env:
        common.add_argument(
            "--env", choices=ENVIRONMENTS, default="local", help="environment (default: local)"
        )
    common.add_argument("--json", action="store_true", help="print a one-line JSON summary as the last line")
    common.add_argument("--verbose", action="store_true", help="debug logging")
    common.add_argument(
        "--serverless",
        action="store_true",
        help="stay within serverless compute's limits (jobs on serverless pass it; locally: Spark Connect)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    data_options, api_options = _common_options(with_env=True), _common_options(with_env=False)
    parser = _Parser(
        prog=PACKAGE_NAME,
        description=__doc__.splitlines()[0],
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (*REGISTERED, RUN_ALL):
        api_only = command.data is DataAccess.NONE
        sub = subparsers.add_parser(
            command.name,
            help=command.help,
            description=f"{command.help[0].upper()}{command.help[1:]}.",
            parents=[api_options if api_only else data_options],
        )
        if api_only:
            # The workspace commands name their workspace with --target; their own data env is local.
            sub.set_defaults(env="local")
        command.add_arguments(sub)
    return parser


def run_all(context: Context, args: argparse.Namespace) -> dict:
    """Run every registered lifecycle command in order, each with its own defaults."""
    started = time.perf_counter()
    steps = run_steps(context, [name for name in LIFECYCLE if name in context.commands], args)
    summary = {"steps": steps, "seconds": round(time.perf_counter() - started, 2)}
    if not args.json:  # the readable summary lists the tables too (JSON callers have `tables`)
        summary["tables"] = lifecycle_tables(context)
    return summary


def _print_summary(command: str, summary: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"command": command, **summary}, default=str))
        return
    for key, value in summary.items():
        print(f"{key}: {json.dumps(value, default=str) if isinstance(value, dict | list) else value}")


def _run_all_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rows", type=event_count, default=100_000, help="events to generate when the landing zone is empty"
    )


RUN_ALL = Command(
    name="run-all",
    help="run the whole local lifecycle in order",
    run=run_all,
    add_arguments=_run_all_arguments,
    readable=lifecycle_summary.render,
)


def _guard(config: Config, home: Path, command: Command, label: str) -> AbstractContextManager:
    """What a data command needs before it starts off Databricks (see the module docstring)."""
    if command.data is DataAccess.NONE or config.on_databricks:
        return nullcontext()
    require_data_access(config)
    prepare_home(home)
    # An emulated workspace environment (the twin's job tasks) runs unlocked, as on Databricks, where a
    # job may start another (monitoring starts retraining) while it still runs.
    locks = command.data is DataAccess.WRITE and not config.uses_workspace
    return command_lock(home, label) if locks else nullcontext()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with logging_to_stderr(logging.DEBUG if args.verbose else logging.INFO):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    command = next(command for command in (*REGISTERED, RUN_ALL) if command.name == args.command)
    try:
        home = lakehouse_home()
        config = load_config(args.env, home=home, serverless=args.serverless)
        context = Context(config, commands={command.name: command for command in REGISTERED})
        guard = _guard(context.config, home, command, f"{args.command} --env {args.env}")
        with guard, step(args.command) as facts:
            facts.update(command.run(context, args))
    except NothingToDo as reason:
        logger.info("%s: skipped: %s", args.command, reason)
        _print_summary(args.command, {"status": "skipped", "reason": str(reason)}, as_json=args.json)
        return 0
    except LifecycleError as error:
        logger.error("%s", error)
        if args.json:
            _print_summary(args.command, {"status": "failed", "error": str(error)}, as_json=True)
        return error.exit_code
    except Exception as error:
        logger.exception("%s failed", args.command)
        if args.json:
            _print_summary(args.command, {"status": "failed", "error": str(error)}, as_json=True)
        return 1
    if command.readable is not None and not args.json:
        print(command.readable(facts, context.config))
    else:
        _print_summary(args.command, {"status": "ok", **facts}, as_json=args.json)
    return 0


def entry() -> None:
    """The console script: end the process with `main`'s exit code, leaving no process behind.

    Databricks runs a `python_wheel_task` by calling this entry point and ignoring what it returns, so
    returning the code would report every failure as success; only SystemExit reaches the task state.
    """
    class_sharing.allow_writing()  # this process waits for its JVM at the end (below)
    try:
        code = main()
    finally:
        _stop_local_spark()
    raise SystemExit(code)


def _stop_local_spark() -> None:
    """Stop the local Spark session the command started, with its JVM and Python workers (spark.py);
    otherwise they outlive the process for a while. A process that never loaded spark.py started none
    (and importing it would load pyspark)."""
    if f"{__package__}.spark" in sys.modules:
        from .spark import stop_local_sessions

        try:
            stop_local_sessions()
        except Exception as error:  # the command's result stands; its JVM still ends with this process
            logger.warning("stopping the Spark session failed: %s", error)


if __name__ == "__main__":
    entry()
