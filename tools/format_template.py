"""Run `ruff format` and `ruff check --fix` on the template's Python files despite their Jinja.

Each `{{ ... }}` expression is swapped for a placeholder identifier of the same length, the files are
formatted in a scratch copy with the template's own ruff settings, and the expressions are put back.
Usage: python tools/format_template.py [--check]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1] / "{{cookiecutter.project_slug}}"
JINJA_EXPRESSION = re.compile(r"\{\{.*?\}\}")


def placeholders(texts: list[str]) -> dict[str, str]:
    """One distinct identifier per distinct Jinja expression, each as long as its expression."""
    mapping: dict[str, str] = {}
    for text in texts:
        for expression in JINJA_EXPRESSION.findall(text):
            if expression not in mapping:
                stem = f"jinja{len(mapping)}"
                mapping[expression] = stem + "_" * (len(expression) - len(stem))
    return mapping


def substitute(text: str, mapping: dict[str, str]) -> str:
    for old, new in mapping.items():
        text = text.replace(old, new)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report files that would change, change nothing")
    args = parser.parse_args()
    sources = sorted(TEMPLATE.rglob("*.py"))
    config_file = TEMPLATE / "pyproject.toml"
    texts = {path: path.read_text() for path in [*sources, config_file]}
    mapping = placeholders(list(texts.values()))
    reverse = {new: old for old, new in mapping.items()}
    with tempfile.TemporaryDirectory() as scratch:
        scratch_root = Path(scratch)
        for path, text in texts.items():
            target = scratch_root / path.relative_to(TEMPLATE)
            target.parent.mkdir(parents=True, exist_ok=True)
            if path == config_file:  # only the ruff settings: the rest is not valid TOML before rendering
                text = text[text.index("[tool.ruff]") :]
            target.write_text(substitute(text, mapping))
        ruff = [sys.executable, "-m", "ruff"]
        subprocess.run([*ruff, "check", "--fix-only", "--quiet", "."], cwd=scratch_root, check=False)
        subprocess.run([*ruff, "format", "--quiet", "."], cwd=scratch_root, check=True)
        changed = []
        for path in sources:
            formatted = substitute((scratch_root / path.relative_to(TEMPLATE)).read_text(), reverse)
            if formatted != texts[path]:
                changed.append(path)
                if not args.check:
                    path.write_text(formatted)
        shutil.rmtree(scratch_root / ".ruff_cache", ignore_errors=True)
    for path in changed:
        print(f"{'would reformat' if args.check else 'reformatted'}: {path.relative_to(TEMPLATE.parent)}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
