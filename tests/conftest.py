from __future__ import annotations

from pathlib import Path

import pytest
from baking import bake


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project, baked once per test run (treat it as read-only)."""
    return bake(tmp_path_factory.mktemp("default"))
