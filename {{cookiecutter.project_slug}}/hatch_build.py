"""Hatchling build hook: bake the commit being built into the wheel as `<package>/BUILD_COMMIT`.

A job on Databricks runs the wheel without a git checkout or CI variables; training/lineage.py reads
this file so that model versions are tagged with the commit that trained them. The commit comes from
$GIT_COMMIT or $GITHUB_SHA (CI), else `git rev-parse HEAD`, else "unknown".
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def build_commit(root: str) -> str:
    for variable in ("GIT_COMMIT", "GITHUB_SHA"):
        if os.environ.get(variable):
            return os.environ[variable]
    try:
        result = subprocess.run(
            ["git", "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True, check=False
        )
    except OSError:
        return "unknown"
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else "unknown"


class BuildCommitHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if version == "editable":  # an editable install runs from the checkout: git knows the commit
            return
        baked = Path(tempfile.mkdtemp(prefix="build-commit-")) / "BUILD_COMMIT"
        baked.write_text(build_commit(self.root) + "\n")
        build_data["force_include"][str(baked)] = f"{self.config['package']}/BUILD_COMMIT"
