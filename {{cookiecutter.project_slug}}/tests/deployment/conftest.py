"""Shared by the deployment tests: a stand-in wheel file (its bytes only matter to the hash checks)."""

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import PACKAGE_NAME


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    """A wheel file in `<tmp>/v1/`, so a test can put a changed one beside it in `<tmp>/v2/`."""
    path = tmp_path / "v1" / f"{PACKAGE_NAME}-0.1.0-py3-none-any.whl"
    path.parent.mkdir()
    path.write_bytes(b"wheel bytes, version 1")
    return path
