"""What a CLI command is: a name, its arguments, and a function from (context, args) to a summary.

Each stage package declares its commands in its own `commands.py`; `cli.py` collects them.
"""

from __future__ import annotations

import argparse
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .config import Config

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@dataclass
class Context:
    """What every command gets: the environment's config and, on first use, a Spark session."""

    config: Config

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
    # In `run-all`: the arguments to run this step with, or None to skip it (with the reason logged).
    lifecycle_arguments: Callable[[Context, argparse.Namespace], list[str] | None] = field(
        default=lambda context, args: []
    )
    data: DataAccess = DataAccess.WRITE
