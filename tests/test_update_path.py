"""The template update path: a project generated with cruft from an older commit of this repository,
changed locally, takes this commit's template with `cruft update` and stays lint-clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from baking import TEMPLATE_ROOT

# An older commit of this repository (2026-11-28): since then the template gained files (pre-commit,
# dependabot, the class archive's module), renamed an input (_python_version) and added one (license).
OLD_COMMIT = "702af49b8fa25ef3d1828d650d69ae501c7b1e21"
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
GIT_IDENTITY |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


def _run(*command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        **GIT_IDENTITY,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def _git(*arguments: str, cwd: Path) -> str:
    result = _run("git", *arguments, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _has_commit(commit: str) -> bool:
    return _run("git", "cat-file", "-e", f"{commit}^{{commit}}", cwd=TEMPLATE_ROOT).returncode == 0


@pytest.mark.skipif(
    not _has_commit(OLD_COMMIT), reason="needs this repository's history (not a shallow clone)"
)
def test_a_project_from_an_older_commit_updates_to_this_one_and_keeps_its_changes(tmp_path: Path) -> None:
    current = _git("rev-parse", "HEAD", cwd=TEMPLATE_ROOT)
    created = _run(
        "cruft",
        "create",
        str(TEMPLATE_ROOT),
        "--checkout",
        OLD_COMMIT,
        "--no-input",
        "--output-dir",
        str(tmp_path),
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stdout + created.stderr
    project = tmp_path / "my-ml-project"
    assert json.loads((project / ".cruft.json").read_text())["commit"] == OLD_COMMIT
    _git("init", "-q", "-b", "main", cwd=project)
    _git("add", "-A", cwd=project)
    _git("commit", "-qm", "Scaffold", cwd=project)
    # The team's own work: a module of theirs and a retitled README.
    (project / "src" / "my_ml_project" / "team_rules.py").write_text(
        '"""Rules of our own."""\n\nOWNER = "team"\n'
    )
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("# My ML Project", "# My ML Project (Team A)", 1))
    _git("add", "-A", cwd=project)
    _git("commit", "-qm", "Our changes", cwd=project)

    updated = _run("cruft", "update", "--skip-apply-ask", "--checkout", current, cwd=project)

    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert _run("cruft", "check", "--checkout", current, cwd=project).returncode == 0
    assert json.loads((project / ".cruft.json").read_text())["commit"] == current
    assert not list(project.rglob("*.rej")) and "<<<<<<<" not in _git("diff", "HEAD", cwd=project)
    assert (project / ".pre-commit-config.yaml").is_file()  # added by the template since OLD_COMMIT
    assert (project / "src" / "my_ml_project" / "team_rules.py").is_file()
    assert readme.read_text().startswith("# My ML Project (Team A)\n")
    for check in (["check"], ["format", "--check"]):
        lint = _run(sys.executable, "-m", "ruff", *check, "--no-cache", ".", cwd=project)
        assert lint.returncode == 0, lint.stdout + lint.stderr
