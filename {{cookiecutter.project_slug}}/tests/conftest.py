"""One Spark session for the whole test run, on a throw-away lakehouse home."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.config import Config, load_config
from {{ cookiecutter.package_name }}.spark import get_spark

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
