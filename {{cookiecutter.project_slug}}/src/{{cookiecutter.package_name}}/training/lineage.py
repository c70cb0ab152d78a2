"""Where a model came from: the code commit and the data it was trained on."""

from __future__ import annotations

import os
import subprocess

UNKNOWN = "unknown"
# CI systems and job definitions can pass the commit in; a local checkout is asked with git.
COMMIT_VARIABLES = ("GIT_COMMIT", "GITHUB_SHA")


def git_commit() -> str:
    """The commit of the running code, or 'unknown' outside a git checkout and without the variables."""
    for variable in COMMIT_VARIABLES:
        if os.environ.get(variable):
            return os.environ[variable]
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN
    commit = completed.stdout.strip()
    return commit if completed.returncode == 0 and commit else UNKNOWN
