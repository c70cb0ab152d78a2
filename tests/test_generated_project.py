"""The baked project builds a wheel that leaves Spark and Delta to the Databricks runtime.

The generated suites run in tests/test_workflows.py, each once, the way the project's CI runs them:
the pull-request job's steps (install, lint, unit tests) on a project unlike the default in every
choice, the main workflow's integration job (install, integration tests, run-all) on the default one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )


def test_the_wheel_leaves_spark_and_delta_to_the_runtime(default_project: Path, tmp_path: Path) -> None:
    result = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), "."],
        cwd=default_project,
        GITHUB_SHA="c0ffee" * 6 + "c0ff",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        built_commit = archive.read("my_ml_project/BUILD_COMMIT").decode().strip()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        entry_points = archive.read(
            next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        ).decode()
    requires = [
        line.removeprefix("Requires-Dist: ")
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    ]
    runtime_requires = [requirement for requirement in requires if "extra ==" not in requirement]

    assert not [r for r in runtime_requires if r.startswith(("pyspark", "delta-spark"))], runtime_requires
    pyspark_in_dev = re.compile(r"pyspark\[connect\]==[\d.]+; extra == ['\"]dev['\"]")
    assert any(pyspark_in_dev.fullmatch(requirement) for requirement in requires), requires
    assert "my_ml_project = my_ml_project.cli:entry" in entry_points
    assert built_commit == "c0ffee" * 6 + "c0ff"  # model lineage on Databricks comes from it
    assert "my_ml_project/cli.py" in names and not any(name.startswith("tests/") for name in names)
