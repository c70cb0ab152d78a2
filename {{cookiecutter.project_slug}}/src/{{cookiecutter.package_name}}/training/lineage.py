"""Where a model came from: the code commit and the data it was trained on."""

from __future__ import annotations

import os
import subprocess
from importlib import resources

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
