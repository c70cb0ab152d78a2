"""The package's floors: every import, lazy ones included, goes down or stays on its floor; no cycles.

Floors from the ground up: contracts -> the shared plumbing (config, tables, spark, ...) -> data ->
ingestion -> features -> training -> validation -> deployment and inference -> monitoring -> the CLI.
A stage may use every floor below it and never one above, so a stage can be read, tested and changed
without the ones that come after it in the data flow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import {{ cookiecutter.package_name }}

PACKAGE_DIR = Path({{ cookiecutter.package_name }}.__file__).parent
PACKAGE = PACKAGE_DIR.name
STAGES = (
    ("contracts",),
    (
        *("errors", "runtime", "arguments", "config", "progress", "workspace"),
        *("spark", "tables", "tracking", "lakehouse", "commands"),
    ),
    ("data",),
    ("ingestion",),
    ("features",),
    ("training",),
    ("validation",),
    ("deployment", "inference"),
    ("monitoring",),
    ("cli", "inventory", "__main__", "__init__"),
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
    assert "deployment.runs" in graph["monitoring.retrain"]  # imported inside a function
