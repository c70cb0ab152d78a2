"""The package's floors: every import, lazy ones included, goes down or stays on its floor; no cycles.

Floors from the ground up: contracts -> the shared plumbing (config, tables, spark, ...) -> data ->
ingestion -> features -> training -> validation -> deployment and inference -> monitoring -> the CLI.
A stage may use every floor below it and never one above, so a stage can be read, tested and changed
without the ones that come after it in the data flow.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import {{ cookiecutter.package_name }}

PACKAGE_DIR = Path({{ cookiecutter.package_name }}.__file__).parent
PACKAGE = PACKAGE_DIR.name
STAGES = (
    ("contracts",),
    (
        *("errors", "runtime", "arguments", "config", "progress", "workspace"),
        *("class_sharing", "spark", "tables", "tracking", "lakehouse", "commands"),
    ),
    ("data",),
    ("ingestion",),
    ("features",),
    ("training",),
    ("validation",),
    ("deployment", "inference"),
    ("monitoring",),
    ("cli", "inventory", "lifecycle_summary", "__main__", "__init__"),
)
FLOOR = {name: floor for floor, names in enumerate(STAGES) for name in names}


def _modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(PACKAGE_DIR).with_suffix("").parts): path
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
    }


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules this one imports, at any depth of its code (lazy imports too)."""
    package = module.split(".")[:-1]  # of `features.__init__` too: `features`
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.split(".")[0] == PACKAGE:
                target = node.module.split(".")[1:]
            else:
                continue
            names = [".".join([*target, alias.name]) for alias in node.names]
            found.update(name for name in names if name in known)
            if ".".join(target) in known:
                found.add(".".join(target))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == PACKAGE and ".".join(parts[1:]) in known:
                    found.add(".".join(parts[1:]))
    found.discard(module)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = {name for name in modules if name}
    return {name: _imports(name, path, known) for name, path in modules.items() if name}


def _floor(module: str) -> int:
    top = module.split(".")[0]
    if top not in FLOOR:
        pytest.fail(f"{module} is on no floor: add its package or module to STAGES in {__file__}")
    return FLOOR[top]


def test_every_import_goes_down_or_stays_on_its_floor() -> None:
    upward = sorted(
        f"{module} (floor {_floor(module)}) imports {target} (floor {_floor(target)})"
        for module, targets in _graph().items()
        for target in targets
        if _floor(target) > _floor(module)
    )
    assert not upward, "imports from a lower floor to a higher one:\n" + "\n".join(upward)


def test_no_module_imports_itself_through_others() -> None:
    graph = _graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        for target in sorted(graph.get(module, ())):
            cycle = visit(target, [*path, module])
            if cycle:
                return cycle
        done.add(module)
        return None

    for module in sorted(graph):
        cycle = visit(module, [])
        assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_reader_sees_the_imports_it_checks() -> None:
    """The checks above are only worth what the import reader finds: it must see lazy and relative ones."""
    graph = _graph()
    assert "contracts.landing" in graph["ingestion.rules"]
    assert "ingestion.ingest" in graph["ingestion.commands"]
    assert any(target.startswith("ingestion") for target in graph["cli"])
    assert "deployment.release" in graph["deployment.commands"]  # imported inside a function


def test_every_test_helper_module_sorts_in_its_own_import_section() -> None:
    """Test helpers import by name (tests/ is on pythonpath); unless ruff's isort knows them as local,
    where their imports sort depends on how the package name sorts against theirs (and a renamed
    project fails `ruff check`)."""
    tests = Path(__file__).parent
    pyproject = tomllib.loads((tests.parent / "pyproject.toml").read_text())
    local = set(pyproject["tool"]["ruff"]["lint"]["isort"]["known-local-folder"])
    helpers = {path.stem for path in tests.glob("*.py") if not path.stem.startswith("test_")}
    packages = {path.parent.name for path in tests.glob("*/__init__.py")}
    assert helpers | packages == local


# --- the import rule (the generated README's "Layout") -----------------------------------------------
# What the CLI loads before it knows the command: the standard library and each other only, so
# `--help` and the commands that need no Spark start without loading Spark, MLflow or the SDK.
SURFACE = {
    *("__init__", "__main__", "cli", "commands", "inventory", "config", "errors", "progress", "arguments"),
    *("lakehouse", "runtime", "inference.schema", "deployment.jobs", "class_sharing", "lifecycle_summary"),
}
# (module, what it imports: a library or one of the package's modules) -> why that module imports it
# inside a function: a dependency Databricks lacks, or one that costs a command a second or more to
# import (the Databricks SDK loads every service's module; Spark starts a JVM) and that the module's
# work needs only in some cases.
LAZY_BY_NEED = {
    ("spark", "delta"): "delta-spark's pip helper is a local (dev) dependency, absent on Databricks",
    (
        "tracking",
        f"{PACKAGE}.workspace",
    ): "the SDK only for an experiment's folder or a run link in a workspace",
    ("deployment.release", f"{PACKAGE}.workspace"): "the SDK only where a serving endpoint is kept",
    ("deployment.release", f"{PACKAGE}.deployment.serving"): "the SDK only where an endpoint is kept",
    ("deployment.release", f"{PACKAGE}.training.baseline"): "Spark only for a baseline not yet recorded",
}
HEAVY = (
    "pyspark",
    "mlflow",
    "databricks",
    "sklearn",
    "pandas",
    "numpy",
    "pyarrow",
    "matplotlib",
    "scipy",
    "delta",
)


def _on_surface(module: str) -> bool:
    parts = module.split(".")
    # A stage's commands.py and its constants (spec.py) are on it too.
    return module in SURFACE or parts[0] == "contracts" or parts[-1] in ("commands", "spec", "__init__")


def _imported(node: ast.Import | ast.ImportFrom, module: str) -> str:
    """The module an import statement names, package-relative imports resolved (`features.spec`)."""
    if isinstance(node, ast.Import):
        name = node.names[0].name
    elif node.level:
        package = module.split(".")[:-1]
        name = ".".join([PACKAGE, *package[: len(package) - node.level + 1], *filter(None, [node.module])])
    else:
        name = node.module or ""
    return name


def _function_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    return [
        node
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]


def _is_package_surface(node: ast.Import | ast.ImportFrom, name: str, known: set[str]) -> bool:
    """Whether an import of the package names surface modules only (`from .. import runtime` too)."""
    inner = name.split(".", 1)[1] if "." in name else ""
    if inner in known:
        return _on_surface(inner)
    names = [f"{inner}.{alias.name}".lstrip(".") for alias in node.names]
    submodules = [candidate for candidate in names if candidate in known]
    if submodules:
        return all(_on_surface(candidate) for candidate in submodules)
    return _on_surface(inner.rsplit(".", 1)[0] if "." in inner else f"{inner}.__init__")


def test_the_cli_surface_imports_only_the_standard_library_and_itself() -> None:
    modules = _modules()
    known = {name for name in modules if name}
    wrong = []
    for module, path in modules.items():
        if not module or not _on_surface(module):
            continue
        for node in ast.parse(path.read_text()).body:  # top level; TYPE_CHECKING blocks are not run
            if isinstance(node, ast.Import | ast.ImportFrom) and getattr(node, "module", "") != "__future__":
                name = _imported(node, module)
                own = name.split(".")[0] == PACKAGE
                if (own and not _is_package_surface(node, name, known)) or (
                    not own and name.split(".")[0] not in sys.stdlib_module_names
                ):
                    wrong.append(f"{module}: {name}")
    assert not wrong, (
        "the CLI surface imports at its top what it must import inside a command:\n" + "\n".join(wrong)
    )


def _lazy_by_need(module: str, imported: str) -> tuple[str, str] | None:
    """The LAZY_BY_NEED entry that lets `module` import `imported` inside a function, if any."""
    parts = imported.split(".")
    prefixes = (".".join(parts[:end]) for end in range(len(parts), 0, -1))
    return next(((module, name) for name in prefixes if (module, name) in LAZY_BY_NEED), None)


def test_every_other_module_imports_at_its_top() -> None:
    wrong = []
    for module, path in _modules().items():
        if not module or _on_surface(module):
            continue
        tree = ast.parse(path.read_text())
        for node in _function_imports(tree):
            if not _lazy_by_need(module, _imported(node, module)):
                wrong.append(f"{module} line {node.lineno}: {_imported(node, module)}")
        wrong.extend(
            f"{module} line {node.lineno}: an `if TYPE_CHECKING:` block"
            for node in tree.body
            if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
        )
    assert not wrong, "imports inside functions (move them to the top of the module):\n" + "\n".join(wrong)


def test_every_exception_to_the_import_rule_is_still_needed() -> None:
    """An exception no import uses any more is removed, so the list says what really is lazy."""
    used = {
        _lazy_by_need(module, _imported(node, module))
        for module, path in _modules().items()
        if module and not _on_surface(module)
        for node in _function_imports(ast.parse(path.read_text()))
    }
    assert set(LAZY_BY_NEED) - used == set()


def test_starting_the_cli_loads_no_heavy_library() -> None:
    """The rule above, measured: what importing the CLI really loads."""
    probe = (
        "import importlib, json, sys; importlib.import_module(sys.argv[1] + '.cli'); "
        "loaded = set(name.split('.')[0] for name in sys.modules); "
        "print(json.dumps(sorted(loaded & set(sys.argv[2:]))))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
    result = subprocess.run(
        [sys.executable, "-c", probe, PACKAGE, *HEAVY], capture_output=True, text=True, check=True, env=env
    )
    assert json.loads(result.stdout) == []
