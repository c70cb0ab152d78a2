"""Validate every cookiecutter input before anything is generated.

Cookiecutter renders this file with Jinja, so the context arrives as one JSON literal; everything
else is plain Python, written without Jinja's markers (JINJA_MARKERS is built from pairs for that).
On bad input we print one line per problem (field, value, what is allowed) and exit non-zero;
cookiecutter then deletes the half-created project directory.

Every check matches the whole value (re.fullmatch): a trailing newline is not a valid name. Cookiecutter
has already rendered each value as a Jinja template before this hook runs, so a value with Jinja
markers has been executed by then (bake only with trusted inputs, see the README); what is left to do
here is to refuse any value that still contains a marker.
"""

from __future__ import annotations

import functools
import json
import keyword
import re
import sys
import unicodedata
from pathlib import Path

CHOICES = {
    "cloud": ("aws", "azure", "gcp"),
    "compute": ("serverless", "classic"),
    "ci_auth": ("oidc", "token"),
    "deploy_tool": ("sdk", "bundle"),
    "serving": ("none", "endpoint"),
    "license": ("proprietary", "MIT", "Apache-2.0"),
    # Databricks Runtime 17.3 LTS (the target runtime) runs Python 3.12.
    "_python_version": ("3.12",),
}

# Top-level modules the generated project imports; a package with one of these names would shadow it.
DEPENDENCY_MODULES = frozenset(
    {
        "chispa",
        "cookiecutter",
        "databricks",
        "delta",
        "google",
        "grpc",
        "hatchling",
        "joblib",
        "matplotlib",
        "mlflow",
        "numpy",
        "packaging",
        "pandas",
        "pip",
        "py4j",
        "pyarrow",
        "pyspark",
        "pytest",
        "requests",
        "ruff",
        "scipy",
        "setuptools",
        "sklearn",
        "skops",
        "sqlalchemy",
        "yaml",
    }
)
# Names the generated project uses itself: a package named like one would shadow it or be shadowed
# (tests/ is on its pytest pythonpath). project_names() adds every top-level entry of the template,
# of its tests/ and of its package, so a new folder or module is covered without being listed here;
# this list is the floor for when the template folder cannot be read.
PROJECT_NAMES = frozenset(
    {
        "benchmarks",
        "conftest",
        "databricks_twin",
        "docs",
        "fake_workspace",
        "hatch_build",
        "model_helpers",
        "src",
        "tests",
    }
)

JINJA_MARKERS = tuple(
    a + b for a, b in (("{", "{"), ("{", "%"), ("{", "#"), ("}", "}"), ("%", "}"), ("#", "}"))
)
# Unicode categories no value may contain: controls (newline, tab, NUL, DEL, C1), invisible formatting
# (zero-width characters, bidirectional overrides), surrogates, private-use and unassigned code points,
# line and paragraph separators.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

SLUG_PATTERN = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
PACKAGE_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
UC_IDENTIFIER_PATTERN = re.compile(r"[a-z_][a-z0-9_]*")
HOSTNAME_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST_PATTERN = re.compile(rf"https://((?:{HOSTNAME_LABEL}\.)+{HOSTNAME_LABEL})")
RESERVED_CATALOGS = frozenset({"system", "hive_metastore", "samples"})
FORBIDDEN_IN_TEXT = re.compile(r'["\\{}%]')
# Branch names land in YAML strings, `on:` filters and a GitHub expression: only characters that can
# do nothing there (no quotes, parentheses, `|`, `$`, `#`, `:`, spaces, globs or non-ASCII).
BRANCH_CHARACTERS = re.compile(r"[A-Za-z0-9/_.-]+")
# A pragmatic address check: local@domain.tld of the characters addresses really use (no quotes,
# spaces or commas, which would break the generated code and the list).
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9.!#$&'*+/=?^_`|~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
# Hosts, catalogs and the schema are string literals on lines of their own in the generated config.py,
# which must stay within its 110-column line length (Unity Catalog itself allows 255 characters).
HOST_MAX = 80
IDENTIFIER_MAX = 60
# cookiecutter.json's project_slug when the project name slugifies to nothing. Not a valid slug, so it is
# never baked; a folder name nonetheless, so that cookiecutter creates a folder and runs this hook.
EMPTY_SLUG = "EMPTY-SLUG"
# The project name becomes the package docstring, which the generated project's ruff checks: its line
# (plus the rest of the sentence) must fit 110 columns, and ruff flags look-alike characters (RUF002).
PROJECT_NAME_MAX = 50


def jinja_problem(value: str) -> str | None:
    if any(marker in value for marker in JINJA_MARKERS):
        return (
            f"must not contain Jinja markers ({' '.join(JINJA_MARKERS)}): cookiecutter renders inputs as "
            "templates"
        )
    return None


def invisible_problem(value: str) -> str | None:
    found = sorted({char for char in value if unicodedata.category(char) in INVISIBLE_CATEGORIES})
    if found:
        listed = ", ".join(f"U+{ord(char):04X}" for char in found)
        return f"must not contain control, invisible or unassigned characters (found {listed})"
    return None


def is_accented_latin_letter(char: str) -> bool:
    """A letter that decomposes into an ASCII letter plus accents: e, u, n with diacritics and so on."""
    base, *marks = unicodedata.normalize("NFD", char)
    return (
        char.isalpha()
        and bool(marks)
        and base.isascii()
        and base.isalpha()
        and all(unicodedata.category(mark) == "Mn" for mark in marks)
    )


def check_text(value: str, max_length: int) -> str | None:
    if not value.strip():
        return "must not be empty"
    if len(value) > max_length:
        return f"must be at most {max_length} characters"
    if FORBIDDEN_IN_TEXT.search(value):
        return 'must not contain double quotes, backslashes, braces or "%"'
    return None


def check_project_name(value: str) -> str | None:
    problem = check_text(value, PROJECT_NAME_MAX)
    if problem is None and not all(
        (char.isascii() and char.isprintable()) or is_accented_latin_letter(char) for char in value
    ):
        problem = (
            "may contain only ASCII letters, digits, spaces and punctuation and accented Latin letters "
            "(it is the package docstring, where ruff flags look-alike characters)"
        )
    return problem


def check_slug(value: str) -> str | None:
    if len(value) > 50:
        return "must be at most 50 characters"
    if not SLUG_PATTERN.fullmatch(value):
        return (
            "must be kebab-case: lowercase letters and digits in words joined by single hyphens, "
            "starting with a letter"
        )
    return None


@functools.cache
def project_names(repo_dir: object) -> frozenset[str]:
    """PROJECT_NAMES plus the names of the template's top-level entries, tests/ and package modules."""
    names = set(PROJECT_NAMES)
    try:
        template = next(
            path for path in Path(str(repo_dir)).iterdir() if path.is_dir() and JINJA_MARKERS[0] in path.name
        )
    except (OSError, StopIteration):
        return frozenset(names)  # not a local template checkout: the floor above still applies
    for folder in [template, template / "tests", *(template / "src").glob("*")]:
        if folder.is_dir():
            names.update(path.name.split(".")[0] for path in folder.iterdir())
    return frozenset(names)


def check_package(value: str, reserved: frozenset[str] = PROJECT_NAMES) -> str | None:
    # Longer names could push generated import lines past the line length ruff enforces.
    if len(value) > 30:
        return "must be at most 30 characters"
    if not PACKAGE_PATTERN.fullmatch(value):
        return "must be snake_case: lowercase letters, digits and underscores, starting with a letter"
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return "must not be a Python keyword"
    if value in sys.stdlib_module_names:
        return "must not shadow a module of the Python standard library"
    if value in DEPENDENCY_MODULES:
        return "must not shadow a module the project depends on"
    if value in reserved:
        return (
            "must not shadow a folder or module of the generated project itself (its top level, "
            "tests/ or its package)"
        )
    return None


def check_host(value: str) -> str | None:
    if len(value) > HOST_MAX:
        return f"must be at most {HOST_MAX} characters (it is one line of the generated config.py)"
    if HOST_PATTERN.fullmatch(value) is None:
        return (
            "must be an https workspace URL and nothing else (no path, port, query, fragment, trailing "
            "slash or whitespace), e.g. https://my-workspace.cloud.databricks.com"
        )
    return None


def check_uc_identifier(value: str) -> str | None:
    if len(value) > IDENTIFIER_MAX:
        return f"must be at most {IDENTIFIER_MAX} characters (it is one line of the generated config.py)"
    if not UC_IDENTIFIER_PATTERN.fullmatch(value):
        return (
            "must be a Unity Catalog identifier: lowercase letters, digits and underscores, "
            "not starting with a digit"
        )
    return None


def check_catalog(value: str) -> str | None:
    problem = check_uc_identifier(value)
    if problem is None and value in RESERVED_CATALOGS:
        problem = f"must not be one of the reserved or shared catalogs {sorted(RESERVED_CATALOGS)}"
    return problem


def branch_name_problem(name: str) -> str | None:
    """Our character set, then the rules of `git check-ref-format --branch` that still apply."""
    if not name or name == "HEAD":
        return "must not be empty or 'HEAD'"
    if len(name) > 100:
        return "must be at most 100 characters"
    if not BRANCH_CHARACTERS.fullmatch(name):
        return "may contain only ASCII letters, digits and / - _ ."
    if name.startswith("/") or name.endswith("/") or "//" in name:
        return "must not start or end with '/' or contain '//'"
    if ".." in name or name.endswith("."):
        return "must not contain '..' or end with '.'"
    for component in name.split("/"):
        if component.startswith(".") or component.endswith(".lock"):
            return "path components must not start with '.' or end with '.lock'"
    if name.startswith("-"):
        return "must not start with '-'"
    return None


def check_branch(value: str) -> str | None:
    problem = branch_name_problem(value)
    return f"is not a valid branch name here: it {problem}" if problem else None


def check_branch_prefix(value: str) -> str | None:
    if not value:
        return "must not be empty (release branches are matched by it)"
    problem = branch_name_problem(value + "1.0")
    if problem:
        return f"must start a valid branch name (e.g. release/): a branch named {value + '1.0'!r} {problem}"
    return None


def check_emails(value: str) -> str | None:
    """Empty, or comma-separated e-mail addresses (short enough for one line of generated code)."""
    if len(value) > 80:
        return "must be at most 80 characters (use a group address to reach more people)"
    addresses = [address.strip(" ") for address in value.split(",")] if value else []
    bad = [address for address in addresses if not EMAIL_PATTERN.fullmatch(address) or len(address) > 254]
    if bad:
        return f"must be empty or comma-separated e-mail addresses (not {', '.join(repr(a) for a in bad)})"
    return None


def check_choice(field: str):
    def check(value: str) -> str | None:
        allowed = CHOICES[field]
        return None if value in allowed else f"must be one of {', '.join(allowed)}"

    return check


CHECKS = {
    "project_name": check_project_name,
    "project_slug": check_slug,
    "package_name": check_package,
    "description": lambda value: check_text(value, 300),
    "author_name": lambda value: check_text(value, 120),
    "cloud": check_choice("cloud"),
    "compute": check_choice("compute"),
    "databricks_staging_host": check_host,
    "databricks_prod_host": check_host,
    "dev_catalog": check_catalog,
    "staging_catalog": check_catalog,
    "prod_catalog": check_catalog,
    "schema_name": check_uc_identifier,
    "default_branch": check_branch,
    "release_branch_prefix": check_branch_prefix,
    "ci_auth": check_choice("ci_auth"),
    "deploy_tool": check_choice("deploy_tool"),
    "serving": check_choice("serving"),
    "notification_emails": check_emails,
    "license": check_choice("license"),
    "_python_version": check_choice("_python_version"),
}
# Defaults computed in cookiecutter.json from another field: when that field is refused and this one
# still holds the value computed from it, its problem is the same problem and is not reported twice.
DERIVED_FROM = {
    "package_name": ("project_slug", lambda slug: slug.replace("-", "_")),
    "schema_name": ("package_name", lambda package: package),
}


def field_problem(field: str, value: str, context: dict) -> str | None:
    """What is wrong with one value, checked in order: markers, invisible characters, then the field."""
    problem = jinja_problem(value) or invisible_problem(value)
    if problem is None and value.strip() and value != value.strip():
        problem = "must not start or end with whitespace"
    if problem is None and field == "package_name":
        problem = check_package(value, project_names(context.get("_repo_dir")))
    elif problem is None and field == "project_slug" and value in ("", EMPTY_SLUG):
        problem = (
            f"is empty: the project name {context.get('project_name')!r} has no ASCII letters or digits to "
            "make it from; pass project_slug=<kebab-case-name> (and package_name if you like) explicitly"
        )
    elif problem is None and field in CHECKS:
        problem = CHECKS[field](value)
    return problem


def validate(context: dict) -> list[str]:
    """Return one message per invalid field; an empty list means the inputs are fine.

    Every input is checked: the fields of CHECKS, and any other non-internal field cookiecutter passes
    (for markers, invisible characters and surrounding whitespace).
    """
    problems: list[str] = []
    refused: set[str] = set()
    fields = [*CHECKS, *(field for field in context if field not in CHECKS and not field.startswith("_"))]
    for field in fields:
        value = context.get(field)
        if not isinstance(value, str):
            if field in CHECKS:
                problems.append(f"{field}: got {value!r}, expected a string.")
                refused.add(field)
            continue
        problem = field_problem(field, value, context)
        if problem is None:
            continue
        refused.add(field)
        source, derive = DERIVED_FROM.get(field, (None, None))
        if source in refused and isinstance(context.get(source), str) and value == derive(context[source]):
            continue  # computed from a refused value: fixing that one fixes this one
        shown = "" if field == "project_slug" and value == EMPTY_SLUG else value  # what it stands for
        problems.append(f"{field}: {shown!r} {problem}.")
    if context.get("release_branch_prefix", "") and str(context.get("default_branch", "")).startswith(
        str(context["release_branch_prefix"])
    ):
        problems.append(
            f"release_branch_prefix: {context['release_branch_prefix']!r} must not match the default branch "
            f"{context['default_branch']!r}, or every push to it would deploy to production."
        )
    return problems


def main() -> int:
    context = json.loads(r"""{{ cookiecutter | tojson }}""")
    problems = validate(context)
    if problems:
        print("ERROR: invalid template input, nothing was generated:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print(
            "Fix the values above (e.g. `cookiecutter <template> field=value`) and run again.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
