"""Print the generated project's locked requirements (runtime + dev group, exact versions of uv.lock).

The bootstrap installs these into the shared environment, so every baked project's tests run in it,
on the versions a project's `uv sync --locked` installs, without a network install per bake.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from lock_template import bake_default, uv


def locked_requirements() -> str:
    """`uv export` of a baked default project: its lock, as a requirements file with markers."""
    with tempfile.TemporaryDirectory() as scratch:
        project = bake_default(Path(scratch))
        command = [
            "export",
            "--locked",
            "--no-emit-project",
            "--no-hashes",
            "--no-header",
            "--no-annotate",
            "--quiet",
        ]
        result = uv(project, *command, "--format", "requirements.txt")
    if result.returncode != 0:
        raise SystemExit(f"error: uv export of the template's lock failed:\n{result.stderr.strip()}")
    return result.stdout


if __name__ == "__main__":
    sys.stdout.write(locked_requirements())
