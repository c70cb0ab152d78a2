"""The target runtime is recorded once in runtime.py; the dev pins in pyproject.toml must match it, and
every library the package imports is one it declares."""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

from {{ cookiecutter.package_name }} import runtime

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
PACKAGE_DIR = Path(runtime.__file__).parent


def _pins() -> dict[str, str]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    pins = {}
    for requirement in project["optional-dependencies"]["dev"]:
        if "==" in requirement:
            name, version = requirement.split("==")
            pins[name.split("[")[0]] = version
    return pins


def test_dev_pins_match_the_target_runtime() -> None:
    pins = _pins()

    assert pins["pyspark"].startswith(runtime.SPARK_MINOR + ".")
    assert pins["delta-spark"].startswith(runtime.DELTA_MINOR + ".")


def test_wheel_dependencies_leave_spark_and_delta_to_the_runtime() -> None:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    names = {requirement.split(">")[0].split("=")[0].split("<")[0] for requirement in project["dependencies"]}

    assert "pyspark" not in names
    assert "delta-spark" not in names
    assert project["requires-python"] == f">={runtime.PYTHON_VERSION}"


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _third_party_imports() -> set[str]:
    """Absolute imports of every module in the package (lazy ones too), standard library left out."""
    found = set()
    for path in PACKAGE_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module)
    return {name for name in found if name.split(".")[0] not in sys.stdlib_module_names | {"__future__"}}


def _distribution(module: str) -> set[str]:
    """The installed distributions that provide `module` (a namespace such as `databricks` has several:
    the one whose files hold the module's folder)."""
    top = module.split(".")[0]
    candidates = importlib.metadata.packages_distributions().get(top, [])
    if len(candidates) > 1 and "." in module:
        folder = "/".join(module.split(".")[:2]) + "/"
        owners = [
            name
            for name in candidates
            if any(str(file).startswith(folder) for file in importlib.metadata.files(name) or [])
        ]
        candidates = owners or candidates
    return {_name(name) for name in candidates}


def test_every_library_the_package_imports_is_declared() -> None:
    """A library that only arrives through another's dependencies can vanish in that one's next release.
    Spark, Delta and the bundle builder are declared in the dev extra: the runtime or CLI provides them."""
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    declared = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}

    undeclared = {
        module: sorted(owners)
        for module in sorted(_third_party_imports())
        if not (owners := _distribution(module)) & declared
    }

    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
