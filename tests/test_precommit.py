"""The pre-commit hooks pass on a baked project and on this repository, run as a developer runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from baking import NON_DEFAULT, TEMPLATE_ROOT, bake
from workflow_runner import ensure_actionlint


def _pre_commit(folder: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """`pre-commit run --all-files` in a fresh git repository of `folder`, with the tools of this
    environment and actionlint on PATH (the hooks are local: nothing is downloaded)."""
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    subprocess.run(["git", "add", "-A"], cwd=folder, check=True)
    path = os.pathsep.join(
        [str(Path(sys.executable).parent), str(ensure_actionlint().parent), os.environ["PATH"]]
    )
    env = {**os.environ, "PATH": path, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _hook_results(output: str) -> dict[str, str]:
    return {line.split("...")[0]: line.rsplit(".", 1)[-1] for line in output.splitlines() if "..." in line}


def test_a_baked_project_passes_its_pre_commit_hooks(tmp_path: Path) -> None:
    project = bake(tmp_path / "bake", **NON_DEFAULT)

    result = _pre_commit(project, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    results = _hook_results(result.stdout)
    assert len(results) == 8 and set(results.values()) == {"Passed"}, result.stdout


def test_this_repository_passes_its_pre_commit_hooks(tmp_path: Path) -> None:
    """On a copy of the tracked files: the fixers must not touch the working tree."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=TEMPLATE_ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    copy = tmp_path / "repo"
    for name in filter(None, files):
        if (TEMPLATE_ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE_ROOT / name, copy / name)

    result = _pre_commit(copy, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    results = _hook_results(result.stdout)
    assert len(results) == 9 and set(results.values()) == {"Passed"}, result.stdout
