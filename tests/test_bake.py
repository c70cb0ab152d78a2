"""Bake a covering set of the option combinations (every pair of values) and check what comes out."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from baking import (
    DEFAULTS,
    OPTIONS,
    TEMPLATE_ROOT,
    bake,
    every_combination,
    pairwise_combinations,
    value_pairs,
)

TEMPLATE_DIR = TEMPLATE_ROOT / "{{cookiecutter.project_slug}}"
# Files that exist only for one value of an option; every other template file is always generated.
OPTION_FILES = {
    ("ci_auth", "oidc"): {"docs/ci-auth-oidc.md"},
    ("ci_auth", "token"): {"docs/ci-auth-token.md"},
}
# Combinations that make no sense together (none yet); the matrix skips them.
INVALID_COMBINATIONS: list[dict[str, str]] = []
# GitHub Actions expressions (${{ ... }}) and Databricks dynamic value references ({{job.run_id}}) are
# legitimate; any other Jinja delimiter is a leftover.
LEFTOVER_JINJA = re.compile(r"(?<!\$)\{\{(?!(job|task|tasks)\.)|\{%|%\}|\{#")

DISTINCT = {
    "project_name": "Acme Fraud Radar",
    "project_slug": "acme-fraud-radar",
    "package_name": "acme_fraud_radar",
    "description": "Flags suspicious card payments for the Acme risk desk.",
    "author_name": "Risk Modelling Guild",
    "databricks_staging_host": "https://adb-111122223333.4.azuredatabricks.net",
    "databricks_prod_host": "https://adb-999988887777.6.azuredatabricks.net",
    "dev_catalog": "acme_sandbox",
    "staging_catalog": "acme_preprod",
    "prod_catalog": "acme_live",
    "schema_name": "fraud_radar",
    "default_branch": "trunk",
    "release_branch_prefix": "ship-",
    "cloud": "azure",
    "compute": "classic",
    "ci_auth": "token",
    "deploy_tool": "bundle",
    "serving": "endpoint",
    "notification_emails": "fraud-oncall@acme.example",
    "license": "Apache-2.0",
}
# Default values that are distinctive enough to be searched for in a project baked with DISTINCT.
DISTINCTIVE_DEFAULTS = [
    "My ML Project",
    "my-ml-project",
    "my_ml_project",
    DEFAULTS["description"],
    DEFAULTS["author_name"],
    DEFAULTS["databricks_staging_host"],
    DEFAULTS["databricks_prod_host"],
    "staging-workspace-placeholder",
    "prod-workspace-placeholder",
    DEFAULTS["dev_catalog"],
    DEFAULTS["staging_catalog"],
    DEFAULTS["prod_catalog"],
]


def combinations() -> list[dict[str, str]]:
    return [combo for combo in pairwise_combinations() if combo not in INVALID_COMBINATIONS]


def combo_id(combo: dict[str, str]) -> str:
    return "-".join(combo[name] for name in sorted(combo))


def generated_files(project: Path) -> set[str]:
    return {str(path.relative_to(project)) for path in project.rglob("*") if path.is_file()}


def expected_files(combo: dict[str, str], package_name: str) -> set[str]:
    always = {
        str(path.relative_to(TEMPLATE_DIR)).replace("{{cookiecutter.package_name}}", package_name)
        for path in TEMPLATE_DIR.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    for (option, value), files in OPTION_FILES.items():
        if combo[option] != value:
            always -= files
    return always


def text_files(project: Path):
    for path in sorted(project.rglob("*")):
        if path.is_file():
            yield path, path.read_text()


def ruff(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_matrix_covers_every_pair_of_values_and_the_defaults() -> None:
    chosen = combinations()
    covered = set().union(*map(value_pairs, chosen))

    assert covered == set().union(*map(value_pairs, every_combination()))
    assert {name: values[0] for name, values in OPTIONS.items()} in chosen
    assert len(chosen) < len(every_combination()) / 4


@pytest.fixture(scope="module", params=combinations(), ids=combo_id)
def baked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    combo = request.param
    return combo, bake(tmp_path_factory.mktemp(combo_id(combo)), **combo)


def test_exact_file_set(baked: tuple[dict, Path]) -> None:
    combo, project = baked

    assert generated_files(project) == expected_files(combo, "my_ml_project")


def test_no_leftover_template_markers(baked: tuple[dict, Path]) -> None:
    _, project = baked
    leftovers = [
        f"{path.relative_to(project)}:{number}: {line.strip()}"
        for path, text in text_files(project)
        for number, line in enumerate(text.splitlines(), start=1)
        if LEFTOVER_JINJA.search(line)
    ]

    assert leftovers == []


def test_ruff_check_and_format_pass(baked: tuple[dict, Path]) -> None:
    _, project = baked

    check, fmt = ruff(project, "check"), ruff(project, "format", "--check")

    assert check.returncode == 0, check.stdout + check.stderr
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@pytest.fixture(scope="module")
def distinct_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bake(tmp_path_factory.mktemp("distinct"), **DISTINCT)


def test_distinct_values_replace_every_default(distinct_project: Path) -> None:
    found = [
        f"{path.relative_to(distinct_project)}: {default!r}"
        for path, text in text_files(distinct_project)
        for default in DISTINCTIVE_DEFAULTS
        if default in text or default in str(path)
    ]

    assert found == []
    assert distinct_project.name == "acme-fraud-radar"
    assert (distinct_project / "src" / "acme_fraud_radar" / "cli.py").is_file()


def test_a_project_with_distinct_names_stays_lint_clean(distinct_project: Path) -> None:
    """The import order must not depend on how the package name sorts (acme_* before conftest)."""
    check, fmt = ruff(distinct_project, "check"), ruff(distinct_project, "format", "--check")

    assert check.returncode == 0, check.stdout + check.stderr
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_distinct_values_appear_where_they_belong(distinct_project: Path) -> None:
    config = (distinct_project / "src" / "acme_fraud_radar" / "config.py").read_text()
    pyproject = (distinct_project / "pyproject.toml").read_text()

    for value in (
        "acme_sandbox",
        "acme_preprod",
        "acme_live",
        "fraud_radar",
        DISTINCT["databricks_prod_host"],
        DISTINCT["notification_emails"],
    ):
        assert value in config
    assert 'name = "acme-fraud-radar"' in pyproject
    assert '"acme_fraud_radar" = "acme_fraud_radar.cli:entry"' in pyproject


def test_the_ci_cd_diagram_names_the_projects_branches(distinct_project: Path) -> None:
    diagram = (distinct_project / "README.md").read_text().split("```mermaid\n")[2].split("```")[0]

    assert '"push to trunk"' in diagram and '"push to ship-*"' in diagram


def test_a_long_package_name_stays_lint_clean(tmp_path: Path) -> None:
    project = bake(tmp_path, project_name="x", project_slug="a" * 50, package_name="p" * 30)

    assert ruff(project, "check").returncode == 0, ruff(project, "check").stdout
    assert ruff(project, "format", "--check").returncode == 0, ruff(project, "format", "--check").stdout


# The first line of each LICENSE, and the SPDX expression the package metadata declares.
LICENSES = {
    "proprietary": ("Copyright (c) Risk Modelling Guild. All rights reserved.", "LicenseRef-Proprietary"),
    "MIT": ("MIT License", "MIT"),
    "Apache-2.0": ("Apache License", "Apache-2.0"),
}


@pytest.mark.parametrize("license_name", DEFAULTS["license"])
def test_the_chosen_license_is_the_file_and_the_package_metadata(license_name: str, tmp_path: Path) -> None:
    from hatchling.metadata.core import ProjectMetadata

    project = bake(tmp_path, author_name="Risk Modelling Guild", license=license_name)
    first_line, expression = LICENSES[license_name]

    text = (project / "LICENSE").read_text()
    assert text.strip().splitlines()[0].strip() == first_line
    assert text.endswith("\n") and not text.endswith("\n\n")
    if license_name == "MIT":
        assert "Copyright (c) Risk Modelling Guild" in text
    metadata = ProjectMetadata(str(project), None).core
    assert (metadata.license_expression, metadata.license_files) == (expression, ["LICENSE"])
