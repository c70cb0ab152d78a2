"""One Spark session for the whole test run, on a throw-away lakehouse home; the project's wheel."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Config, load_config
from {{ cookiecutter.package_name }}.deployment.wheel import build_wheel
from {{ cookiecutter.package_name }}.progress import logger
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


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Messages of the package logger at every level, in the order logged (a command run in-process
    logs to stderr only, not to pytest's caplog)."""
    lines: list[str] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = lambda record: lines.append(record.getMessage())
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    yield lines
    logger.setLevel(previous)
    logger.removeHandler(handler)
