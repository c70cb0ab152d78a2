"""The generated project's uv.lock: in step with its pyproject.toml whatever the project is called,
resolved for Linux and macOS on the runtime's Python, and refused once a dependency changes without
re-locking (what CI's `uv sync --locked` relies on)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from baking import NON_DEFAULT, TEMPLATE_ROOT, bake
from packaging.requirements import Requirement
from uv import find_uv_bin

# A name that sorts after every locked package (the default and NON_DEFAULT's sort among them).
LAST_NAME = {"project_name": "Zzz Forecasting", "package_name": "zzz_forecasting"}


def _uv(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "UV_PYTHON": getattr(sys, "_base_executable", sys.executable),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_OFFLINE": "1",
    }
    return subprocess.run(
        [find_uv_bin(), *args], cwd=project, env=env, capture_output=True, text=True, check=False
    )


def _lock(project: Path) -> dict:
    return tomllib.loads((project / "uv.lock").read_text())


@pytest.mark.parametrize("names", [{}, NON_DEFAULT, LAST_NAME], ids=["default", "non-default", "last-name"])
def test_the_lock_is_in_step_with_pyproject_whatever_the_project_is_called(
    tmp_path: Path, names: dict[str, str]
) -> None:
    project = bake(tmp_path, **names)
    (own,) = [package for package in _lock(project)["package"] if package["source"] == {"editable": "."}]

    result = _uv(project, "lock", "--check")

    assert own["name"] == project.name
    assert own["dev-dependencies"] == {"dev": [{"name": project.name, "extra": ["dev"]}]}
    assert result.returncode == 0, result.stderr


def test_a_dependency_changed_without_relocking_fails_the_check(tmp_path: Path) -> None:
    project = bake(tmp_path)
    pyproject = project / "pyproject.toml"
    declared = pyproject.read_text()
    widened = declared.replace('"numpy>=1.26"', '"numpy>=1.25"', 1)  # the locked numpy still fits
    assert widened != declared
    pyproject.write_text(widened)

    result = _uv(project, "lock", "--check")

    assert result.returncode != 0
    assert "needs to be updated" in result.stderr, result.stderr


def test_the_lock_is_resolved_for_linux_and_macos_on_the_runtime_python(tmp_path: Path) -> None:
    project = bake(tmp_path)
    lock = _lock(project)
    registries = {package["source"].get("registry") for package in lock["package"]} - {None}
    locked = {package["name"]: package["version"] for package in lock["package"]}
    declared = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    requirements = map(Requirement, [*declared["dependencies"], *declared["optional-dependencies"]["dev"]])
    exact = {req.name: str(req.specifier)[2:] for req in requirements if str(req.specifier).startswith("==")}

    assert lock["supported-markers"] == [
        "python_full_version < '3.13' and sys_platform == 'linux'",
        "python_full_version < '3.13' and sys_platform == 'darwin'",
    ]
    assert len(registries) == 1  # one public index: a lock made against a private mirror would show here
    # What pyproject.toml pins exactly (Spark and Delta of the runtime, the tools) is what is locked.
    assert {"pyspark", "delta-spark", "ruff", "uv"} <= set(exact)
    assert {name: locked[name] for name in exact} == exact


def test_the_template_lock_is_what_the_lock_tool_writes() -> None:
    """tools/lock_template.py --check bakes the default project and checks its lock (offline)."""
    result = subprocess.run(
        [sys.executable, str(TEMPLATE_ROOT / "tools" / "lock_template.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    text = (TEMPLATE_ROOT / "{{cookiecutter.project_slug}}" / "uv.lock").read_text()
    assert text.count("{{ cookiecutter.project_slug }}") == 3
    assert "my-ml-project" not in text
