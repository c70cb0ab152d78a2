"""Template input fuzzing: seeded random values for every field are either refused by the pre-gen hook
(one line naming the field and the value, nothing written) or bake a project that ruff accepts, that
imports, whose workflows pass actionlint and that has no leftover template markers.

Deterministic (fixed seed) and bounded: thousands of values go through the hook's validate() directly,
a few accepted ones are baked and checked in full, a few refused ones are baked to see nothing is left.
"""

from __future__ import annotations

import json
import os
import random
import re
import string
import subprocess
import sys
import tomllib
import unicodedata
from pathlib import Path

import pytest
from baking import DEFAULTS, TEMPLATE_ROOT, bake
from cookiecutter.environment import StrictEnvironment
from cookiecutter.exceptions import FailedHookException
from test_bake import LEFTOVER_JINJA, text_files
from test_hooks import CHOICE_FIELDS, VALID, pre_gen
from workflow_runner import ensure_actionlint, load_workflow

SEED = 20261212
VALUES_PER_FIELD = 400  # through validate(): about 7,000 values in well under a second
BAKED_PROJECTS = 4  # each takes one accepted value of every field
REFUSED_BAKES = 4

FIELDS = list(pre_gen.CHECKS)
FREE_FIELDS = [field for field in FIELDS if field not in CHOICE_FIELDS]
JINJA = ["{" + "{", "}" + "}", "{%", "%}", "{#", "#}", "{" + "{ 7*7 }" + "}", "{% raw %}"]
NASTY = [
    *["\n", "\r", "\r\n", "\t", "\x00", "\x0b", "\x1b", "\x7f", "\x85", "\u2028", "\u200b", "\u202e"],
    *['"', "'", "`", "\\", '"""', "'''"],
    *["\u00e9", "\u00dc", "\u00df", "\u0141", "\u6570", "\U0001f389", "\u043e", "\uff21", "\u00a0", "\u2013"],
    *["\u2019", "\ud800", "\ufffe", "\U000e0001"],
    *JINJA,
    *["$(id)", "`id`", ";", "|", "&&", ">", "<", "*", "~", "$HOME", "!", "%s", "%(x)s"],
    *[": ", " #", "- ", "[", "]", "{", "}", "&a", "*a", "!!python/object", "? ", "@", ",", "..", "//"],
    *["$" + "{" + "{ github.token }" + "}", "') || true || ('", "@{", ".lock", "HEAD", " "],
]
# Cookiecutter renders every input with this environment before the hooks see it.
RENDER = StrictEnvironment(keep_trailing_newline=True)
ACCENTED = "\u00e9\u00fc\u00f1\u00c5\u00e7\u00f8\u00e5"


def _word(rng: random.Random, alphabet: str, low: int = 1, high: int = 10) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def _label(rng: random.Random) -> str:
    return _word(rng, string.ascii_lowercase) + rng.choice(
        ["", "-" + _word(rng, string.digits + "abc", 1, 4)]
    )


def safe_value(field: str, rng: random.Random) -> str:
    """A value of the kind the field takes, made of the characters the field allows."""
    lower = string.ascii_lowercase
    if field == "project_name":
        return " ".join(
            _word(rng, string.ascii_letters + ACCENTED + "'&()-.!,") for _ in range(rng.randint(1, 4))
        )
    if field in ("description", "author_name"):
        alphabet = string.ascii_letters + string.digits + ACCENTED + "\u6570\u00df\u0141'&()-.!,:;?/#@$*<>`"
        return " ".join(_word(rng, alphabet) for _ in range(rng.randint(1, 8)))
    if field == "project_slug":
        return "-".join(_word(rng, lower, 1, 6) for _ in range(rng.randint(1, 4)))
    if field in ("package_name", "schema_name") or field.endswith("_catalog"):
        return _word(rng, lower) + rng.choice(["", "_" + _word(rng, lower + string.digits + "_")])
    if field.endswith("_host"):
        return "https://" + ".".join(_label(rng) for _ in range(rng.randint(2, 5)))
    if field in ("default_branch", "release_branch_prefix"):
        parts = [_word(rng, string.ascii_letters + string.digits + "_-.") for _ in range(rng.randint(1, 3))]
        return "/".join(parts) + ("/" if field == "release_branch_prefix" and rng.random() < 0.5 else "")
    if field == "notification_emails":
        addresses = [f"{_word(rng, lower + '.+')}@{_label(rng)}.{_word(rng, lower, 2, 4)}" for _ in range(2)]
        return rng.choice(["", addresses[0], ", ".join(addresses), ",".join(addresses)])
    return rng.choice(pre_gen.CHOICES[field])


def random_value(field: str, rng: random.Random) -> str:
    """A safe value, a safe value with nasty pieces in it, a jumble, or something very long."""
    kind = rng.choice(["safe", "safe", "mutated", "mutated", "jumble", "long"])
    value = safe_value(field, rng)
    if kind == "mutated":
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(value))
            value = value[:at] + rng.choice(NASTY) + value[at:]
    elif kind == "jumble":
        pieces = [*NASTY, *string.printable]
        value = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
    elif kind == "long":
        value = (value or "x") * rng.randint(2, 400)
    return value


def has_forbidden_character(value: str) -> bool:
    return any(unicodedata.category(char) in pre_gen.INVISIBLE_CATEGORIES for char in value)


@pytest.fixture(scope="module")
def verdicts() -> dict[str, dict[str, list[str]]]:
    """field -> {"accepted": [...], "refused": [...]}, every problem line checked on the way."""
    rng = random.Random(SEED)
    result: dict[str, dict[str, list[str]]] = {}
    for field in FIELDS:
        accepted: list[str] = []
        refused: list[str] = []
        for _ in range(VALUES_PER_FIELD):
            value = random_value(field, rng)
            problems = pre_gen.validate({**VALID, field: value})
            for problem in problems:
                # One line naming a field and showing the value; the cross-field rule names the prefix.
                assert "\n" not in problem and re.match(r"[a-z_]+: ", problem), problem
                assert repr(value) in problem, problem
            (refused if problems else accepted).append(value)
        result[field] = {"accepted": list(dict.fromkeys(accepted)), "refused": list(dict.fromkeys(refused))}
    return result


def test_values_with_markers_invisible_characters_or_outer_spaces_are_always_refused(verdicts: dict) -> None:
    for field, verdict in verdicts.items():
        for value in verdict["accepted"]:
            assert not any(marker in value for marker in JINJA), (field, value)
            assert not has_forbidden_character(value), (field, value)
            assert value == value.strip(), (field, value)
        refused = verdict["refused"]
        assert refused, f"nothing refused for {field}: the generator is too tame"


def test_branch_values_that_pass_are_of_the_safe_characters_only(verdicts: dict) -> None:
    for field in ("default_branch", "release_branch_prefix"):
        for value in verdicts[field]["accepted"]:
            assert re.fullmatch(r"[A-Za-z0-9/_.-]+", value), (field, value)


def test_every_free_field_gets_accepted_values_too(verdicts: dict) -> None:
    assert {field for field in FREE_FIELDS if not verdicts[field]["accepted"]} == set()


def _weirdness(value: str) -> tuple[int, int]:
    """Values with the most unusual characters first, then the longest."""
    return (-sum(not char.isalnum() or not char.isascii() for char in set(value)), -len(value))


def _fuzzed_contexts(verdicts: dict) -> list[dict[str, str]]:
    """BAKED_PROJECTS contexts, each with one accepted value per field, valid together."""
    rng = random.Random(SEED + 1)
    picks = {
        field: sorted(verdicts[field]["accepted"], key=_weirdness)[:BAKED_PROJECTS] for field in FREE_FIELDS
    }
    contexts = []
    for index in range(BAKED_PROJECTS):
        context = {field: values[index % len(values)] for field, values in picks.items()}
        context |= {field: rng.choice(DEFAULTS[field]) for field in CHOICE_FIELDS}
        # Values fuzzed one field at a time can clash together (a prefix matching the default branch):
        # fall back to the plain value of the field named, and of the default branch if that was it.
        while problems := pre_gen.validate({**context, "_repo_dir": str(TEMPLATE_ROOT)}):
            field = problems[0].split(":")[0]
            if context[field] == VALID[field]:
                field = "default_branch"
            context[field] = VALID[field]
        contexts.append(context)
    return contexts


def _ruff_findings(project: Path, package: str) -> set[str]:
    """Every ruff check and format finding, with paths made independent of the package name."""

    def normal(path: str) -> str:
        relative = Path(path).resolve().relative_to(project.resolve()).as_posix()
        return re.sub(rf"^src/{re.escape(package)}/", "src/<package>/", relative)

    check = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "json", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.stdout.strip(), check.stderr  # a broken pyproject.toml fails here
    findings = {
        f"{normal(d['filename'])}:{d['location']['row']}: {d['code']}" for d in json.loads(check.stdout)
    }
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "error" not in fmt.stderr.lower(), fmt.stderr
    findings |= {
        f"{normal(line.removeprefix('Would reformat: '))}: unformatted"
        for line in fmt.stdout.splitlines()
        if line.startswith("Would reformat: ")
    }
    return findings


def _config_strings(project: Path, package: str) -> tuple[str, set[str]]:
    """Import the package and its config with the project's stack; return its docstring and strings."""
    code = (
        f"import json, {package}, {package}.config as config\n"
        "def strings(value):\n"
        "    if isinstance(value, str): yield value\n"
        "    elif isinstance(value, dict): yield from (s for v in value.values() for s in strings(v))\n"
        "    elif isinstance(value, (list, tuple)): yield from (s for v in value for s in strings(v))\n"
        f"print(json.dumps([{package}.__doc__, sorted(set(strings(vars(config))))]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        env={**os.environ, "PYTHONPATH": "src"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    doc, values = json.loads(result.stdout)
    return doc, set(values)


def test_accepted_values_bake_projects_that_lint_import_and_pass_actionlint(
    verdicts: dict, default_project: Path, tmp_path: Path
) -> None:
    baseline = _ruff_findings(default_project, "my_ml_project")
    projects = []
    for index, context in enumerate(_fuzzed_contexts(verdicts)):
        project = bake(tmp_path / f"fuzz{index}", **context)
        projects.append((context, project))
        package = context["package_name"]

        leftovers = [
            f"{path.relative_to(project)}: {line.strip()}"
            for path, text in text_files(project)
            for line in text.splitlines()
            if LEFTOVER_JINJA.search(line)
        ]
        assert leftovers == [], context
        # The ruff findings the values add to those of the default project (test_bake checks those).
        assert _ruff_findings(project, package) - baseline == set(), context

        doc, config_values = _config_strings(project, package)
        assert doc.startswith(context["project_name"] + ":"), (doc, context)
        config_fields = ["project_slug", "package_name", "schema_name", "databricks_staging_host"]
        config_fields += ["databricks_prod_host", "dev_catalog", "staging_catalog", "prod_catalog"]
        assert {context[field] for field in config_fields} <= config_values, context
        assert context["notification_emails"] in config_values, context

        metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
        assert (metadata["name"], metadata["description"]) == (
            context["project_slug"],
            context["description"],
        )
        assert metadata["authors"] == [{"name": context["author_name"]}]

        flows = {path.name: load_workflow(path) for path in (project / ".github/workflows").glob("*.yml")}
        prefix = context["release_branch_prefix"]
        assert flows["main.yml"]["on"] == {"push": {"branches": [context["default_branch"]]}}
        assert flows["release.yml"]["on"] == {"push": {"branches": [prefix + "**"]}}
        assert (
            flows["release.yml"]["jobs"]["deploy-prod"]["if"]
            == f"startsWith(github.ref, 'refs/heads/{prefix}')"
        )

    workflows = [
        str(path) for _, project in projects for path in sorted(project.glob(".github/workflows/*.yml"))
    ]
    result = subprocess.run(
        [str(ensure_actionlint()), "-no-color", *workflows], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_refused_values_bake_nothing_and_say_why(
    verdicts: dict, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    """A few refused values through cookiecutter itself: the hook fails the bake and no folder is left.

    Values with Jinja markers are left out (cookiecutter fails rendering them before any hook runs), and
    so is project_slug, which names the folder cookiecutter creates before the hook.
    """
    rng = random.Random(SEED + 2)
    candidates = [
        (field, value)
        for field in FREE_FIELDS
        if field != "project_slug"
        for value in verdicts[field]["refused"]
        if not any(marker in value for marker in JINJA)
    ]
    for index, (field, value) in enumerate(rng.sample(candidates, REFUSED_BAKES)):
        output = tmp_path / f"refused{index}"
        output.mkdir()
        with pytest.raises(FailedHookException):
            bake(output, **{field: value})

        error = capfd.readouterr().err
        rendered = RENDER.from_string(value).render(cookiecutter={})  # what the hook sees ("\r" -> "\n")
        assert "nothing was generated" in error and repr(rendered) in error, (field, value, error)
        assert list(output.iterdir()) == [], (field, value)
