"""Validate every cookiecutter input before anything is generated.

Cookiecutter renders this file with Jinja, so the context arrives as one JSON literal; everything
else is plain Python. On bad input we print one line per problem (field, value, what is allowed) and
exit non-zero; cookiecutter then deletes the half-created project directory.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from urllib.parse import urlsplit

CHOICES = {
    "cloud": ("aws", "azure", "gcp"),
    "compute": ("serverless", "classic"),
    "ci_auth": ("oidc", "token"),
    # Databricks Runtime 17.3 LTS (the target runtime) runs Python 3.12.
    "python_version": ("3.12",),
}

# Top-level modules the generated project imports; a package with one of these names would shadow it.
DEPENDENCY_MODULES = frozenset(
    {
        "chispa",
        "cookiecutter",
        "databricks",
        "delta",
        "matplotlib",
        "mlflow",
        "numpy",
        "pandas",
        "pyarrow",
        "pyspark",
        "pytest",
        "requests",
        "ruff",
        "scipy",
        "sklearn",
        "yaml",
    }
)

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PACKAGE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
UC_IDENTIFIER_PATTERN = re.compile(r"^[a-z_][a-z0-9_]*$")
HOSTNAME_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
RESERVED_CATALOGS = frozenset({"system", "hive_metastore", "samples"})
FORBIDDEN_IN_TEXT = re.compile(r'["\\\x00-\x1f\x7f{}%]')
BRANCH_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")
# A pragmatic address check: local@domain.tld of the characters addresses really use (no quotes,
# spaces or commas, which would break the generated code and the list).
EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9.!#$&'*+/=?^_`|~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def check_text(value: str, max_length: int) -> str | None:
    if not value.strip():
        return "must not be empty"
    if len(value) > max_length:
        return f"must be at most {max_length} characters"
    if FORBIDDEN_IN_TEXT.search(value):
        return 'must not contain quotes, backslashes, braces, "%" or control characters'
    return None


def check_slug(value: str) -> str | None:
    if len(value) > 50:
        return "must be at most 50 characters"
    if not SLUG_PATTERN.match(value):
        return (
            "must be kebab-case: lowercase letters and digits in words joined by single hyphens, "
            "starting with a letter"
        )
    return None


def check_package(value: str) -> str | None:
    # Longer names could push generated import lines past the line length ruff enforces.
    if len(value) > 30:
        return "must be at most 30 characters"
    if not PACKAGE_PATTERN.match(value):
        return "must be snake_case: lowercase letters, digits and underscores, starting with a letter"
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return "must not be a Python keyword"
    if value in sys.stdlib_module_names:
        return "must not shadow a module of the Python standard library"
    if value in DEPENDENCY_MODULES:
        return "must not shadow a module the project depends on"
    return None


def check_host(value: str) -> str | None:
    allowed = "an https workspace URL with no path, query or trailing slash, e.g. https://my-workspace.cloud.databricks.com"
    parts = urlsplit(value)
    if parts.scheme != "https":
        return f"must be {allowed}"
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        return f"must be {allowed}"
    try:
        port = parts.port
    except ValueError:
        return f"must be {allowed}"
    hostname = parts.hostname or ""
    labels = hostname.split(".")
    if port is not None or len(labels) < 2 or not all(HOSTNAME_LABEL.match(label) for label in labels):
        return f"must be {allowed}"
    return None


def check_uc_identifier(value: str) -> str | None:
    if not UC_IDENTIFIER_PATTERN.match(value) or len(value) > 255:
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
    """The rules of `git check-ref-format --branch`, for names we put in workflows."""
    if not name or name == "@":
        return "must not be empty or '@'"
    if BRANCH_FORBIDDEN.search(name):
        return "must not contain spaces, control characters or any of ~ ^ : ? * [ \\"
    if name.startswith("/") or name.endswith("/") or "//" in name:
        return "must not start or end with '/' or contain '//'"
    if ".." in name or "@{" in name or name.endswith("."):
        return "must not contain '..' or '@{' or end with '.'"
    for component in name.split("/"):
        if component.startswith(".") or component.endswith(".lock"):
            return "path components must not start with '.' or end with '.lock'"
    if name.startswith("-"):
        return "must not start with '-'"
    return None


def check_branch(value: str) -> str | None:
    problem = branch_name_problem(value)
    return f"is not a valid git branch name: it {problem}" if problem else None


def check_branch_prefix(value: str) -> str | None:
    if not value:
        return "must not be empty (release branches are matched by it)"
    problem = branch_name_problem(value + "1.0")
    if problem:
        return f"must start a valid git branch name (e.g. release/): a branch named {value}1.0 {problem}"
    return None


def check_emails(value: str) -> str | None:
    """Empty, or comma-separated e-mail addresses (short enough for one line of generated code)."""
    if len(value) > 80:
        return "must be at most 80 characters (use a group address to reach more people)"
    addresses = [address.strip() for address in value.split(",")] if value.strip() else []
    bad = [address for address in addresses if not EMAIL_PATTERN.match(address) or len(address) > 254]
    if bad:
        return f"must be empty or comma-separated e-mail addresses (not {', '.join(repr(a) for a in bad)})"
    return None


def check_choice(field: str):
    def check(value: str) -> str | None:
        allowed = CHOICES[field]
        return None if value in allowed else f"must be one of {', '.join(allowed)}"

    return check


CHECKS = {
    "project_name": lambda value: check_text(value, 80),
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
    "notification_emails": check_emails,
    "python_version": check_choice("python_version"),
}


def validate(context: dict) -> list[str]:
    """Return one message per invalid field; an empty list means the inputs are fine."""
    problems = []
    for field, check in CHECKS.items():
        value = context.get(field)
        if not isinstance(value, str):
            problems.append(f"{field}: got {value!r}, expected a string")
            continue
        problem = check(value)
        if problem:
            problems.append(f"{field}: {value!r} {problem}.")
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
