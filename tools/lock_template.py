"""Refresh (or check) the generated project's uv.lock.

The lock is resolved on a baked default project and stored in the template with the project's own name
turned back into the template variable, so every generated project gets a lock naming itself. Run it
after changing a dependency in the template's pyproject.toml:

    .venv/bin/python tools/lock_template.py            # re-lock, keeping every pin still allowed
    .venv/bin/python tools/lock_template.py --upgrade  # re-lock at the newest allowed versions
    .venv/bin/python tools/lock_template.py --check    # exit 1 when the lock is out of step (offline)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cookiecutter.main import cookiecutter
from uv import find_uv_bin

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_LOCK = TEMPLATE_ROOT / "{{cookiecutter.project_slug}}" / "uv.lock"
SLUG_VARIABLE = "{{ cookiecutter.project_slug }}"
# Where the project names itself in its lock: its package entry, and its dev group's self-reference
# (resolved and as declared).
SELF_REFERENCES = (
    'name = "{slug}"\n',
    '{{ name = "{slug}", extra = ["dev"] }}',
    '{{ name = "{slug}", extras = ["dev"] }}',
)


def uv_environment() -> dict[str, str]:
    """uv resolves for the template's Python (this interpreter's) and never downloads one."""
    return {
        **os.environ,
        "UV_PYTHON": getattr(sys, "_base_executable", sys.executable),
        "UV_PYTHON_DOWNLOADS": "never",
    }


def uv(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [find_uv_bin(), *args], cwd=project, env=uv_environment(), capture_output=True, text=True, check=False
    )


@contextlib.contextmanager
def stdout_silenced() -> Iterator[None]:
    """Standard output off at the descriptor: the generation hooks are processes of their own."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def bake_default(output_dir: Path) -> Path:
    with stdout_silenced():  # the post-generation hook's next steps
        return Path(cookiecutter(str(TEMPLATE_ROOT), no_input=True, output_dir=str(output_dir)))


def templated(lock: str, slug: str) -> str:
    """The baked project's lock with its own name replaced by the template variable."""
    if any(mark in lock for mark in ("{{", "{%", "{#")):
        raise SystemExit(
            "error: the lock holds Jinja markup of its own; it cannot be stored as a template file"
        )
    for reference in SELF_REFERENCES:
        concrete = reference.format(slug=slug)
        if lock.count(concrete) != 1:
            raise SystemExit(
                f"error: expected {concrete!r} once in the lock, found it {lock.count(concrete)} times"
            )
        lock = lock.replace(concrete, reference.format(slug=SLUG_VARIABLE))
    return lock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="only check the lock is in step with pyproject.toml"
    )
    mode.add_argument(
        "--upgrade", action="store_true", help="re-lock at the newest versions pyproject allows"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        project = bake_default(Path(scratch))
        command = (
            ["lock", "--check", "--offline"]
            if args.check
            else ["lock", *(["--upgrade"] if args.upgrade else [])]
        )
        result = uv(project, *command)
        print(result.stderr.strip(), file=sys.stderr)
        if result.returncode != 0:
            return 1
        if not args.check:
            TEMPLATE_LOCK.write_text(templated((project / "uv.lock").read_text(), project.name))
            print(f"wrote {TEMPLATE_LOCK.relative_to(TEMPLATE_ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
