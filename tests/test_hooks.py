"""Invalid inputs are refused before anything is written; valid unusual inputs are accepted."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from baking import DEFAULTS, TEMPLATE_ROOT, bake
from cookiecutter.exceptions import FailedHookException


def _load_pre_gen_hook():
    spec = importlib.util.spec_from_file_location(
        "pre_gen_project", TEMPLATE_ROOT / "hooks" / "pre_gen_project.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pre_gen = _load_pre_gen_hook()

INVALID = {
    "project_name": ["", "   ", 'Say "hi"', "a" * 81, "tab\there", "braces {x}"],
    "project_slug": ["My-Project", "-leading", "trailing-", "double--hyphen", "1st-project", "a" * 51],
    "package_name": ["my-project", "class", "match", "json", "pyspark", "mlflow", "1abc", "a" * 31],
    "description": ["", 'quote"', "back\\slash"],
    "author_name": ["", "x" * 121],
    "cloud": ["ibm", "AWS"],
    "compute": ["gpu", ""],
    "databricks_staging_host": [
        "http://staging.cloud.databricks.com",
        "https://staging.cloud.databricks.com/",
        "https://staging.cloud.databricks.com/path",
        "https://staging.cloud.databricks.com?o=1",
        "https://staging.cloud.databricks.com:8443",
        "https://localhost",
        "staging.cloud.databricks.com",
    ],
    "databricks_prod_host": [
        "https://user:pw@prod.cloud.databricks.com",
        "https://prod_ws.cloud.databricks.com",
    ],
    "dev_catalog": ["Dev", "my-catalog", "1catalog", "system", "hive_metastore"],
    "staging_catalog": ["stag ing", ""],
    "prod_catalog": ["prod.catalog", "samples"],
    "schema_name": ["My_Schema", "schema-name", "9lives"],
    "default_branch": ["", "main branch", "feature..x", "a//b", "/main", "main.lock", "x~1", "@"],
    "release_branch_prefix": ["", "re lease/", "release..", "/release/", "release:"],
    "ci_auth": ["password"],
    "notification_emails": [
        "oncall",
        "a@b",
        "ml@example.com;ops@example.com",
        'x"@example.com',
        "ml@example.com, ",
        "{x}@example.com",
        "a" * 70 + "@example.com",
    ],
    "python_version": ["3.11", "3.13", "3"],
}
CASES = [(field, value) for field, values in INVALID.items() for value in values]


def _rendered_defaults() -> dict:
    context = dict(DEFAULTS)
    for field, value in context.items():
        if isinstance(value, list):
            context[field] = value[0]
    context.update(project_slug="my-ml-project", package_name="my_ml_project", schema_name="my_ml_project")
    return context


@pytest.mark.parametrize(("field", "value"), CASES)
def test_validate_names_the_field_and_the_value(field: str, value: str) -> None:
    problems = pre_gen.validate({**_rendered_defaults(), field: value})

    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{field}: {value!r} ")


def test_the_defaults_are_valid() -> None:
    assert pre_gen.validate(_rendered_defaults()) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("databricks_prod_host", "https://adb-1234567890123456.7.azuredatabricks.net"),
        ("databricks_staging_host", "https://1234567890123456.7.gcp.databricks.com"),
        ("release_branch_prefix", "releases-"),
        ("default_branch", "trunk"),
        ("project_name", "Ünïcode Project 2"),
        ("dev_catalog", "_scratch"),
        ("notification_emails", "ml-oncall@example.com"),
        ("notification_emails", "ml@example.com, ops+alerts@example.co.uk"),
    ],
)
def test_unusual_but_valid_values_are_accepted(field: str, value: str) -> None:
    assert pre_gen.validate({**_rendered_defaults(), field: value}) == []


def test_a_release_prefix_that_matches_the_default_branch_is_refused() -> None:
    problems = pre_gen.validate({**_rendered_defaults(), "default_branch": "release/main"})

    assert problems == [
        "release_branch_prefix: 'release/' must not match the default branch 'release/main', "
        "or every push to it would deploy to production."
    ]


CHOICE_FIELDS = {
    field for field, value in DEFAULTS.items() if isinstance(value, list) and not field.startswith("_")
}


@pytest.mark.parametrize(("field", "value"), [case for case in CASES if case[0] in CHOICE_FIELDS])
def test_cookiecutter_refuses_a_value_outside_the_choices(field: str, value: str, tmp_path: Path) -> None:
    with pytest.raises(
        ValueError, match=f"{value} provided for choice variable {field}, but the choices are"
    ):
        bake(tmp_path, **{field: value})

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("field", "value"), [case for case in CASES if case[0] not in CHOICE_FIELDS])
def test_baking_with_a_bad_value_fails_and_writes_nothing(
    field: str, value: str, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    extra = {field: value}
    if field == "project_slug":  # otherwise the package name derived from a bad slug is reported too
        extra["package_name"] = "valid_package"
    if field == "package_name":
        extra["schema_name"] = "valid_schema"

    with pytest.raises(FailedHookException):
        bake(tmp_path, **extra)

    error = capfd.readouterr().err
    assert f"{field}: {value!r}" in error
    assert "nothing was generated" in error
    assert list(tmp_path.iterdir()) == []
