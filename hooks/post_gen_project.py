"""Remove the files of options that were not chosen, then print the next steps.

Cookiecutter renders this file with Jinja, so the context arrives as one JSON literal.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

# (option, value) -> files that exist only when that value is chosen.
FILES_FOR_OPTION = {
    ("ci_auth", "oidc"): ["docs/ci-auth-oidc.md"],
    ("ci_auth", "token"): ["docs/ci-auth-token.md"],
}


def files_to_remove(context: dict) -> list[str]:
    """Every option-specific file whose option value was not chosen."""
    return sorted(
        path
        for (option, value), paths in FILES_FOR_OPTION.items()
        if context.get(option) != value
        for path in paths
    )


def remove(project_dir: Path, relative_paths: list[str]) -> None:
    for relative in relative_paths:
        target = project_dir / relative
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def next_steps(context: dict) -> str:
    slug, package = context["project_slug"], context["package_name"]
    steps = [
        (f"cd {slug}", ""),
        (f"git init -b {context['default_branch']} && git add -A && git commit -m 'Scaffold {slug}'", ""),
        ("uv sync && . .venv/bin/activate", "or pip install -e '.[dev]' in a venv; Java 17 for Spark"),
        ("pytest", "unit tests on local Spark + Delta + MLflow"),
        (f"python -m {package} run-all", "the whole lifecycle here, state in ./.lakehouse"),
    ]
    width = max(len(command) for command, comment in steps if comment)
    lines = [
        f"  {command:<{width}}  # {comment}" if comment else f"  {command}" for command, comment in steps
    ]
    options = f"{context['compute']} compute on {context['cloud']}, CI auth: {context['ci_auth']}"
    return (
        f"\nCreated {slug}/ ({options}).\n"
        "\nNext steps:\n" + "\n".join(lines) + "\n\n"
        "README.md explains each folder, the commands and how CI/CD deploys to Databricks.\n"
    )


def main() -> int:
    context = json.loads(r"""{{ cookiecutter | tojson }}""")
    remove(Path.cwd(), files_to_remove(context))
    print(next_steps(context))
    return 0


if __name__ == "__main__":
    sys.exit(main())
