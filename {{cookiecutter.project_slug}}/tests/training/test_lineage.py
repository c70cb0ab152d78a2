"""The git commit of the running code, from the environment, git, or 'unknown'."""

import subprocess
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.training.lineage import git_commit


@pytest.fixture(autouse=True)
def _no_commit_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GIT_COMMIT", raising=False)
    monkeypatch.delenv("GITHUB_SHA", raising=False)


def test_a_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_SHA", "b" * 40)
    monkeypatch.setenv("GIT_COMMIT", "a" * 40)

    assert git_commit() == "a" * 40


def test_outside_a_checkout_it_is_unknown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))

    assert git_commit() == "unknown"


def test_inside_a_checkout_it_is_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", str(tmp_path)], check=True)
    subprocess.run([*git, "-C", str(tmp_path), "commit", "-q", "--allow-empty", "-m", "x"], check=True)
    head = subprocess.run(
        ["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    monkeypatch.chdir(tmp_path)

    assert git_commit() == head
