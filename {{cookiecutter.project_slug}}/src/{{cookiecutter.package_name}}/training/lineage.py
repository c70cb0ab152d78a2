"""Where a model came from: the code commit and the data it was trained on."""

from __future__ import annotations

import os
import subprocess
from importlib import resources

import pandas as pd
from mlflow.data import from_pandas
from mlflow.data.delta_dataset_source import DeltaDatasetSource
from mlflow.data.pandas_dataset import PandasDataset

from ..config import TableName
from ..features.spec import LABEL_COLUMN

UNKNOWN = "unknown"
# CI systems and job definitions can pass the commit in; a local checkout is asked with git.
COMMIT_VARIABLES = ("GIT_COMMIT", "GITHUB_SHA")
# Written into the wheel at build time (hatch_build.py), so a job on Databricks knows its commit.
BUILD_COMMIT_FILE = "BUILD_COMMIT"


def git_commit() -> str:
    """The commit of the running code: from the environment, else the one baked into the wheel, else
    git; 'unknown' when none of them knows."""
    for variable in COMMIT_VARIABLES:
        if os.environ.get(variable):
            return os.environ[variable]
    return _built_commit() or _checkout_commit() or UNKNOWN


def _built_commit() -> str | None:
    baked = resources.files(__package__.rpartition(".")[0]).joinpath(BUILD_COMMIT_FILE)
    commit = baked.read_text().strip() if baked.is_file() else ""
    return commit if commit and commit != UNKNOWN else None


def _checkout_commit() -> str | None:
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = completed.stdout.strip()
    return commit if completed.returncode == 0 and commit else None


def training_dataset(frame: pd.DataFrame, table: TableName, version: int) -> PandasDataset:
    """The training rows as an MLflow dataset whose source is the Delta table at the version read: by
    its path locally, by its Unity Catalog name on Databricks."""
    if table.path is not None:
        source = DeltaDatasetSource(path=table.path, delta_table_version=version)
    else:
        source = DeltaDatasetSource(delta_table_name=table.identifier, delta_table_version=version)
    return from_pandas(frame, source=source, name=table.identifier, targets=LABEL_COLUMN)
