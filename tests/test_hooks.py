"""Invalid inputs are refused before anything is written; valid unusual inputs are accepted."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest
from baking import DEFAULTS, TEMPLATE_ROOT, bake
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter
from workflow_runner import ensure_actionlint, load_workflow


def _load_pre_gen_hook():
    spec = importlib.util.spec_from_file_location(
        "pre_gen_project", TEMPLATE_ROOT / "hooks" / "pre_gen_project.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pre_gen = _load_pre_gen_hook()

INVALID = {
    "project_name": [
        "",
        "   ",
        'Say "hi"',
        "a" * 81,
        "tab\there",
        "braces {x}",
        "My Project\n",
        " My Project",
        "Pr\u043eject",  # a Cyrillic o among Latin letters: ruff flags it in the package docstring
        "a" * 51,  # the package docstring would exceed the generated project's line length
    ],
    "project_slug": [
        "My-Project",
        "-leading",
        "trailing-",
        "double--hyphen",
        "1st-project",
        "a" * 51,
        "my-project\n",
    ],
    "package_name": [
        "my-project",
        "class",
        "match",
        "json",
        "pyspark",
        "mlflow",
        "1abc",
        "a" * 31,
        "my_pkg\n",
        # names the generated project already uses (top level, tests/ on its pythonpath, the package)
        "tests",
        "benchmarks",
        "docs",
        "src",
        "hatch_build",
        "conftest",
        "fake_workspace",
        "model_helpers",
        "databricks_twin",
        "config",
    ],
    "description": ["", 'quote"', "back\\slash", "line\nbreak", "trailing\n"],
    "author_name": ["", "x" * 121, "Team\n"],
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
        "https://staging.cloud.databricks.com\n",
        "https://staging.cloud.databricks.com?",
        "https://staging.cloud.databricks.com#",
        "https://staging.cloud.databricks.com#top",
        " https://staging.cloud.databricks.com",
        "https://staging.cloud.data\tbricks.com",
        "https://staging.cloud.databricks.com\x00",
    ],
    "databricks_prod_host": [
        "https://user:pw@prod.cloud.databricks.com",
        "https://prod_ws.cloud.databricks.com",
        "https://" + "a" * 60 + ".cloud.databricks.com",  # one line of config.py: at most 80 characters
    ],
    "dev_catalog": ["Dev", "my-catalog", "1catalog", "system", "hive_metastore", "ml_dev\n", "d" * 61],
    "staging_catalog": ["stag ing", ""],
    "prod_catalog": ["prod.catalog", "samples"],
    "schema_name": ["My_Schema", "schema-name", "9lives", "my_schema\n"],
    "default_branch": [
        "",
        "main branch",
        "feature..x",
        "a//b",
        "/main",
        "main.lock",
        "x~1",
        "@",
        "main\n",
        # only letters, digits and / - _ . : nothing that can end a YAML string or a GitHub expression
        'main"',
        "ma'in",
        "feat(x)",
        "a|b",
        "a$b",
        "a{b}",
        "a,b",
        "a#b",
        "a`b",
        "a&b",
        "m\u00e4in",
        "HEAD",
    ],
    "release_branch_prefix": [
        "",
        "re lease/",
        "release..",
        "/release/",
        "release:",
        "release/')||('",
        "release/' || true || '",
        'rel"/',
        "rel(",
        "rel|",
        "rel$",
        "rel+",
    ],
    "ci_auth": ["password"],
    "deploy_tool": ["terraform", "Bundle"],
    "serving": ["yes", ""],
    "notification_emails": [
        "oncall",
        "a@b",
        "ml@example.com;ops@example.com",
        'x"@example.com',
        "ml@example.com, ",
        "{x}@example.com",
        "a" * 70 + "@example.com",
        "ml@example.com\n",
        "ml@example.com,\tops@example.com",
    ],
    "_python_version": ["3.11", "3.13", "3"],
    "license": ["mit", "GPL-3.0", ""],
}
CASES = [(field, value) for field, values in INVALID.items() for value in values]


def _rendered_defaults() -> dict:
    context = dict(DEFAULTS)
    for field, value in context.items():
        if isinstance(value, list):
            context[field] = value[0]
    context.update(project_slug="my-ml-project", package_name="my_ml_project", schema_name="my_ml_project")
    # Cookiecutter adds the template's folder; the hook reads the generated project's own names there.
    context["_repo_dir"] = str(TEMPLATE_ROOT)
    return context


def _problem_lines(error: str) -> list[str]:
    """The problems the hook printed, one per line."""
    return [line.removeprefix("  - ") for line in error.splitlines() if line.startswith("  - ")]


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
    with pytest.raises(FailedHookException):
        bake(tmp_path, **{field: value})

    error = capfd.readouterr().err
    assert f"{field}: {value!r}" in error
    if field in ("project_slug", "package_name"):  # the names derived from it are not reported again
        assert [line.split(":")[0] for line in _problem_lines(error)] == [field]
    assert "nothing was generated" in error
    assert list(tmp_path.iterdir()) == []


# --- whole values, every field ---------------------------------------------------------------------
FREE_FIELDS = [field for field in pre_gen.CHECKS if field not in CHOICE_FIELDS]
# A valid value per free field, to which the tests below add one bad piece.
VALID = {**_rendered_defaults(), "notification_emails": "ml@example.com"}
JINJA_MARKERS = ["{" + "{", "{%", "{#", "}" + "}", "%}", "#}"]


def test_every_input_of_the_template_has_a_check() -> None:
    """The questions, and the private values (`_python_version`) one could still pass in."""
    values = {field for field, value in DEFAULTS.items() if isinstance(value, str)}
    assert set(pre_gen.CHECKS) == {field for field in DEFAULTS if not field.startswith("_")} | values


@pytest.mark.parametrize("field", FREE_FIELDS)
@pytest.mark.parametrize("suffix", ["\n", "\r\n", "\t", "\x00", "\x85", "\u2028", "\u200b", " "])
def test_a_valid_value_with_a_trailing_control_or_space_character_is_refused(field: str, suffix: str) -> None:
    value = VALID[field] + suffix

    problems = pre_gen.validate({**VALID, field: value})

    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{field}: {value!r} ")


@pytest.mark.parametrize("field", FREE_FIELDS)
@pytest.mark.parametrize("marker", JINJA_MARKERS)
def test_jinja_markers_are_refused_in_every_field(field: str, marker: str) -> None:
    value = VALID[field][:3] + marker + VALID[field][3:]

    problems = pre_gen.validate({**VALID, field: value})

    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{field}: {value!r} must not contain Jinja markers")


def test_a_value_that_renders_to_a_jinja_marker_fails_the_bake(
    tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    # Cookiecutter renders the value first ({% raw %} survives as the bare marker); the hook still sees
    # the marker and refuses it.
    with pytest.raises(FailedHookException):
        bake(tmp_path, default_branch="{% raw %}ma{{in{% endraw %}")

    assert "default_branch: 'ma{" + "{in' must not contain Jinja markers" in capfd.readouterr().err
    assert list(tmp_path.iterdir()) == []


# --- derived names ---------------------------------------------------------------------------------
EMPTY_SLUG = (
    "project_slug: '' is empty: the project name {!r} has no ASCII letters or digits to make it from; "
    "pass project_slug=<kebab-case-name> (and package_name if you like) explicitly."
)


@pytest.mark.parametrize("project_name", ["!!!", "- & -"])
def test_a_project_name_that_slugifies_to_nothing_fails_with_one_clear_message(
    project_name: str, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    with pytest.raises(FailedHookException):
        bake(tmp_path, project_name=project_name)

    # package_name and schema_name derive from the empty slug: their problems are that one problem.
    assert _problem_lines(capfd.readouterr().err) == [EMPTY_SLUG.format(project_name)]
    assert list(tmp_path.iterdir()) == []


def test_an_emoji_project_name_fails_instead_of_baking_a_placeholder_folder(
    tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    name = "\U0001f389\U0001f680"

    with pytest.raises(FailedHookException):
        bake(tmp_path, project_name=name)

    problems = _problem_lines(capfd.readouterr().err)
    assert [problem.split(":")[0] for problem in problems] == ["project_name", "project_slug"]
    assert problems[1] == EMPTY_SLUG.format(name)
    assert list(tmp_path.iterdir()) == []


def test_names_are_read_from_the_template_so_a_new_folder_or_module_is_reserved(tmp_path: Path) -> None:
    template = tmp_path / ("{" + "{cookiecutter.project_slug}" + "}")
    (template / "tests" / "scenario_helpers.py").parent.mkdir(parents=True)
    (template / "tests" / "scenario_helpers.py").touch()
    (template / "notebooks").mkdir()
    (template / "src" / ("{" + "{cookiecutter.package_name}" + "}") / "widgets").mkdir(parents=True)

    for name in ("scenario_helpers", "notebooks", "widgets", "tests", "src"):
        problems = pre_gen.validate(
            {**VALID, "_repo_dir": str(tmp_path), "package_name": name, "schema_name": "fine"}
        )
        assert len(problems) == 1, problems
        assert problems[0].startswith(f"package_name: {name!r} must not shadow a folder or module")
    assert pre_gen.validate({**VALID, "_repo_dir": str(tmp_path)}) == []


def test_the_fixed_names_are_reserved_even_when_the_template_folder_is_unknown() -> None:
    context = {**VALID, "schema_name": "fine"}
    del context["_repo_dir"]

    for name in ("tests", "benchmarks", "docs", "src", "hatch_build", "conftest", "model_helpers"):
        assert pre_gen.validate({**context, "package_name": name}) != []


# --- branch names in the workflows -----------------------------------------------------------------
SAFE_BRANCHES = {"default_branch": "Trunk-2_x.y/base", "release_branch_prefix": "Ship_3.x-rc/"}


def test_branch_names_of_every_allowed_character_reach_the_workflows_intact(tmp_path: Path) -> None:
    project = bake(tmp_path, **SAFE_BRANCHES)
    flows = {path.name: load_workflow(path) for path in (project / ".github/workflows").glob("*.yml")}

    assert flows["main.yml"]["on"] == {"push": {"branches": ["Trunk-2_x.y/base"]}}
    assert flows["pull-request.yml"]["on"] == {"pull_request": {"branches": ["Trunk-2_x.y/base"]}}
    assert flows["release.yml"]["on"] == {"push": {"branches": ["Ship_3.x-rc/**"]}}
    assert (
        flows["release.yml"]["jobs"]["deploy-prod"]["if"]
        == "startsWith(github.ref, 'refs/heads/Ship_3.x-rc/')"
    )
    result = subprocess.run(
        [
            str(ensure_actionlint()),
            "-no-color",
            *sorted(map(str, (project / ".github/workflows").glob("*.yml"))),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "")


@pytest.mark.parametrize("prefix", ["x') || true || ('", "x' || 'y", 'x"\n  - "**', "${" + "{ true }" + "}/"])
def test_the_production_guard_fails_closed_even_if_the_hook_is_skipped(prefix: str, tmp_path: Path) -> None:
    """With --accept-hooks=no nothing validates the prefix: the guard must then never be true."""
    project = Path(
        cookiecutter(
            str(TEMPLATE_ROOT),
            no_input=True,
            output_dir=str(tmp_path),
            accept_hooks=False,
            extra_context={"release_branch_prefix": "{% raw %}" + prefix + "{% endraw %}"},
        )
    )
    release = load_workflow(project / ".github/workflows/release.yml")

    assert release["on"] == {"push": {"branches": [prefix + "**"]}}
    assert release["jobs"]["deploy-prod"]["if"] is False
