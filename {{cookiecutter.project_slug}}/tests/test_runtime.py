"""The target runtime is recorded once in runtime.py; the dev pins in pyproject.toml must match it."""

import tomllib
from pathlib import Path

from {{ cookiecutter.package_name }} import runtime

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


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
