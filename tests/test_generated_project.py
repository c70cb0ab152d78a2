"""The baked project installs, builds a wheel without Spark, and a non-default one passes its unit tests.

The default project's whole suite runs in tests/test_workflows.py, split the way its CI runs it: the
pull-request job's steps (lint, unit tests) and the main workflow's integration job, each in a fresh
environment. Running it here once more would repeat every test. A non-default project's unit tests run
in this test run's environment (bootstrap installs the project's stack once), with the baked `src/`
first on PYTHONPATH, so no per-bake network install is needed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from baking import bake

pytestmark = pytest.mark.slow
SUMMARY_LINE = re.compile(r"=+ (?P<summary>.*\d+ passed.*) in [\d.]+s")


def run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )


def run_project_tests(project: Path, *pytest_args: str) -> str:
    result = run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *pytest_args],
        cwd=project,
        PYTHONPATH=str(project / "src"),
        LAKEHOUSE_HOME=str(project / ".lakehouse"),
    )
    tail = result.stdout[-6000:] + result.stderr[-3000:]
    assert result.returncode == 0, tail
    match = SUMMARY_LINE.search(result.stdout)
    assert match, tail
    assert "failed" not in match["summary"] and "error" not in match["summary"], tail
    return match["summary"]


def test_a_non_default_project_passes_its_unit_tests(tmp_path: Path) -> None:
    project = bake(
        tmp_path,
        project_name="Acme Churn",
        package_name="acme_churn",
        cloud="gcp",
        compute="classic",
        ci_auth="token",
        deploy_tool="bundle",
        serving="endpoint",
        dev_catalog="acme_dev",
        schema_name="churn",
    )

    summary = run_project_tests(project, "-m", "not integration")

    print(f"acme_churn project: {summary}")


@pytest.fixture(scope="module")
def installed_env(default_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv on top of this environment's packages, with the project installed as users do."""
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # See this environment's packages (a venv's system_site_packages would reach the base interpreter's).
    env_site = run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=env_dir
    )
    Path(env_site.stdout.strip(), "parent-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    result = run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "-e",
            ".[dev]",
        ],
        cwd=default_project,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return env_dir


def test_pip_install_editable_with_dev_extra_gives_a_working_console_script(installed_env: Path) -> None:
    result = run([str(installed_env / "bin" / "my_ml_project"), "--help"], cwd=installed_env)

    assert result.returncode == 0, result.stderr
    assert "generate-data" in result.stdout and "run-all" in result.stdout


def test_the_wheel_leaves_spark_and_delta_to_the_runtime(default_project: Path, tmp_path: Path) -> None:
    result = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), "."],
        cwd=default_project,
        GITHUB_SHA="c0ffee" * 6 + "c0ff",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        built_commit = archive.read("my_ml_project/BUILD_COMMIT").decode().strip()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        entry_points = archive.read(
            next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        ).decode()
    requires = [
        line.removeprefix("Requires-Dist: ")
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    ]
    runtime_requires = [requirement for requirement in requires if "extra ==" not in requirement]

    assert not [r for r in runtime_requires if r.startswith(("pyspark", "delta-spark"))], runtime_requires
    pyspark_in_dev = re.compile(r"pyspark\[connect\]==[\d.]+; extra == ['\"]dev['\"]")
    assert any(pyspark_in_dev.fullmatch(requirement) for requirement in requires), requires
    assert "my_ml_project = my_ml_project.cli:entry" in entry_points
    assert built_commit == "c0ffee" * 6 + "c0ff"  # model lineage on Databricks comes from it
    assert "my_ml_project/cli.py" in names and not any(name.startswith("tests/") for name in names)


def test_the_benchmark_script_prints_its_table_and_writes_json(default_project: Path, tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    result = run(
        [
            sys.executable,
            "benchmarks/run_benchmarks.py",
            "--sizes",
            "20000",
            "--scoring-rows",
            "20000",
            "--output",
            str(output),
        ],
        cwd=default_project,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Lifecycle wall time (s)" in result.stdout and "Spark + MLflow UDF" in result.stdout
    results = json.loads(output.read_text())
    (lifecycle,) = results["lifecycle"]
    assert lifecycle["rows"] == 20000 and lifecycle["steps"]["monitor"] > 0
    assert results["scoring"]["rows"] == 20000 and results["scoring"]["ratio"] > 0
