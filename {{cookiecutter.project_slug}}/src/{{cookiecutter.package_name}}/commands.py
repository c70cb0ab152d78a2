"""What a CLI command is: a name, its arguments, and a function from (context, args) to a summary;
and the one way to run several commands in order (`run-all`, retraining after an alert).

Each stage package declares its commands in its own `commands.py`; `cli.py` collects them and hands
them to every command through its `Context`, so a stage can run others without importing the CLI.
"""

from __future__ import annotations

import argparse
import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .config import Config
from .errors import LifecycleError, NothingToDo
from .progress import logger, step

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@dataclass
class Context:
    """What every command gets: the environment's config and, on first use, a Spark session."""

    config: Config
    # Every registered command by name (the CLI fills it): what `run_steps` runs.
    commands: Mapping[str, Command] = field(default_factory=dict)

    @cached_property
    def spark(self) -> SparkSession:
        from .spark import get_spark

        return get_spark(self.config)


class DataAccess(enum.Enum):
    """What a command does with its environment's data (tables, volumes, MLflow state); see cli.py."""

    NONE = "none"  # only calls the workspace API (deploy-jobs, run-job, seed-data): runs anywhere
    READ = "read"  # reads it: needs the home off Databricks
    WRITE = "write"  # writes it: needs the home and holds its lock off Databricks


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    run: Callable[[Context, argparse.Namespace], dict]
    add_arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None
    # In `run-all`: values that replace this step's defaults, or None to skip it (with the reason logged).
    lifecycle_arguments: Callable[[Context, argparse.Namespace], dict | None] = field(
        default=lambda context, args: {}
    )
    data: DataAccess = DataAccess.WRITE
    # Without --json: the summary as text for people, instead of `key: value` lines.
    readable: Callable[[dict, Config], str] | None = None

    def defaults(self, **values: object) -> argparse.Namespace:
        """This command's arguments as their defaults, with `values` in place of some."""
        parser = argparse.ArgumentParser(prog=self.name, add_help=False)
        self.add_arguments(parser)
        defaults = vars(parser.parse_args([]))  # a lifecycle step has no required argument
        unknown = sorted(set(values) - set(defaults))
        if unknown:
            raise TypeError(f"{self.name} has no argument(s) {unknown}")
        return argparse.Namespace(**{**defaults, **values})


def run_steps(
    context: Context,
    names: Sequence[str],
    run_all_args: argparse.Namespace | None = None,
    prefix: str = "",
    steps: dict[str, dict] | None = None,
) -> dict[str, dict]:
    """Run these registered commands in order, each with its defaults, and return their summaries.

    With `run_all_args` each step's `lifecycle_arguments` may change its defaults or skip it. A step
    acts on what the ones before it made: validate and promote on the version train registered. A
    step with nothing to do is skipped; any other error ends the sequence. `steps` (returned) is
    filled as steps finish, so a caller that catches the error knows which did.
    """
    missing = [name for name in names if name not in context.commands]
    if missing:
        raise LifecycleError(f"cannot run {', '.join(names)}: command(s) {missing} are not registered")
    steps = {} if steps is None else steps
    for name in names:
        command = context.commands[name]
        values = command.lifecycle_arguments(context, run_all_args) if run_all_args is not None else {}
        if values is None:
            logger.info("%s: skipped (nothing to do)", name)
            steps[name] = {"skipped": True}
            continue
        args = command.defaults(**values)
        # A step with a model version to act on takes the one train registered before it.
        trained = steps.get("train", {}).get("model_version")
        if trained is not None and "version" in args:
            args.version = str(trained)
        try:
            with step(f"{prefix}{name}") as facts:
                facts.update(command.run(context, args))
        except NothingToDo as reason:
            logger.info("%s: skipped: %s", name, reason)
            steps[name] = {"skipped": True, "reason": str(reason)}
            continue
        steps[name] = facts
    return steps
