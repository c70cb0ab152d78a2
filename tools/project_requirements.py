"""Print the generated project's requirements (runtime + dev extra), read from the template's pyproject.

The bootstrap installs these into the shared environment, so every baked project's tests run in it
without a network install per bake.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

TEMPLATE_PYPROJECT = Path(__file__).resolve().parents[1] / "{{cookiecutter.project_slug}}" / "pyproject.toml"


def requirements(pyproject: Path = TEMPLATE_PYPROJECT) -> list[str]:
    project = tomllib.loads(pyproject.read_text())["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["dev"]]


if __name__ == "__main__":
    sys.stdout.write("\n".join(requirements()) + "\n")
