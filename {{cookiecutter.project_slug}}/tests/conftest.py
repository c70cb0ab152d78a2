"""One Spark session for the whole test run, on a throw-away lakehouse home; the project's wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config, load_config
from {{ cookiecutter.package_name }}.deployment.wheel import build_wheel
from {{ cookiecutter.package_name }}.spark import get_spark

PROJECT_DIR = Path(__file__).resolve().parents[1]

# Shared fixtures from helper modules (tests/ is on pythonpath, see pyproject.toml).
pytest_plugins = ["fake_workspace"]


@pytest.fixture(scope="session")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return load_config("local", home=tmp_path_factory.mktemp("lakehouse"))


@pytest.fixture(scope="session")
def spark(config: Config):
    session = get_spark(config, app_name="tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def project_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This project's wheel, built once per run the way CI builds it."""
    return build_wheel(PROJECT_DIR, tmp_path_factory.mktemp("dist"))
