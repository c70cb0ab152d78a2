"""Baking projects from this template for the tests."""

from __future__ import annotations

import json
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
DEFAULTS = json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text())


def bake(output_dir: Path, **extra_context: str) -> Path:
    """Generate a project with the defaults overridden by `extra_context`; return its folder."""
    project = cookiecutter(
        str(TEMPLATE_ROOT),
        no_input=True,
        output_dir=str(output_dir),
        extra_context=extra_context,
        overwrite_if_exists=False,
    )
    return Path(project)
