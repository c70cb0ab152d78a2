"""This repository's own code is lint-clean, and the template's Python files are ruff-formatted."""

from __future__ import annotations

import subprocess
import sys

from baking import TEMPLATE_ROOT


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=TEMPLATE_ROOT, capture_output=True, text=True, check=False)


def test_ruff_check_and_format_pass_on_the_repository() -> None:
    check = run(sys.executable, "-m", "ruff", "check", "--no-cache", ".")
    fmt = run(sys.executable, "-m", "ruff", "format", "--check", "--no-cache", ".")

    assert check.returncode == 0, check.stdout
    assert fmt.returncode == 0, fmt.stdout


def test_template_python_files_are_formatted() -> None:
    result = run(sys.executable, "tools/format_template.py", "--check")

    assert result.returncode == 0, result.stdout + result.stderr


def test_hooks_are_plain_python_that_compiles() -> None:
    for hook in ("pre_gen_project.py", "post_gen_project.py"):
        source = (TEMPLATE_ROOT / "hooks" / hook).read_text()
        compile(source, hook, "exec")


def _mermaid_blocks(readme: str) -> list[str]:
    return [block.split("```", 1)[0] for block in readme.split("```mermaid\n")[1:]]


def test_both_readmes_draw_the_same_data_flow() -> None:
    """The root README shows the generated project's data flow: a copy that must not drift."""
    root = _mermaid_blocks((TEMPLATE_ROOT / "README.md").read_text())
    generated = _mermaid_blocks((TEMPLATE_ROOT / "{{cookiecutter.project_slug}}" / "README.md").read_text())

    assert len(root) == len(generated) == 2
    assert root[0] == generated[0]
    assert "flowchart LR" in root[1] and "flowchart LR" in generated[1]
