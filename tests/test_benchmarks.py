"""The baked project's benchmark in quick mode: every section and target of issue 15 in the JSON and the
printed table, each target with its value, its same-run reference and a met/missed verdict that agrees
with the value. Quick mode runs one tiny size, so the growth targets (1M -> 10M) are skipped, by name.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SECTIONS = ("machine", "settings", "scoring", "lifecycle", "growth", "floor", "commands", "spark_command")
GROWTH_TARGETS = ("lifecycle_time_growth_1m_to_10m", "peak_memory_growth_1m_to_10m")
MEASURED_TARGETS = (
    "scoring_native_over_in_process",
    "run_all_over_floor",
    "start_help",
    "start_promote",
    "start_rollback",
    "start_deploy_jobs_dry_run",
    "start_run_job",
    "spark_command_fixed_cost",
    "leftover_processes",
)
COMMANDS = ("--help", "promote", "rollback", "deploy-jobs --dry-run", "run-job")
HEADINGS = ("Machine:", "1. Scoring", "2. Lifecycle", "3. Floor", "4. Per-command start", "Targets")


@pytest.fixture(scope="module")
def quick_run(default_project: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    output = tmp_path_factory.mktemp("benchmark") / "results.json"
    result = subprocess.run(
        [sys.executable, "benchmarks/run_benchmarks.py", "--quick", "--output", str(output)],
        cwd=default_project,
        env={**os.environ},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return json.loads(output.read_text()), result.stdout


def test_every_section_is_measured(quick_run: tuple[dict, str]) -> None:
    results, _ = quick_run

    assert set(SECTIONS) <= set(results)
    assert results["machine"]["cores"] >= 1 and results["machine"]["memory_gb"] > 0
    scoring = results["scoring"]
    assert scoring["rows"] == 20_000
    for path in ("in_process", "native", "pyfunc"):
        assert scoring[f"{path}_rows_per_second"] > 0
    (lifecycle,) = results["lifecycle"]
    assert lifecycle["rows"] == 20_000 and lifecycle["steps"]["monitor"] > 0
    assert lifecycle["peak_memory_mb"] > 100  # Python, a JVM and its workers
    assert results["floor"]["session_seconds"] > 0 and results["floor"]["read_write_seconds"] > 0
    for command in COMMANDS:
        assert results["commands"][command]["seconds"] > 0
    assert results["spark_command"]["seconds"] > 0
    # The Spark probes end as a command does: no JVM left in their process group when they exit.
    assert results["spark_command"]["leftover_processes"] == results["floor"]["leftover_processes"] == 0
    assert all("skipped" in step for step in results["growth"].values())


def test_every_target_has_a_verdict_that_agrees_with_its_value(quick_run: tuple[dict, str]) -> None:
    targets = quick_run[0]["targets"]

    assert sorted(targets) == sorted(MEASURED_TARGETS + GROWTH_TARGETS)
    for name in MEASURED_TARGETS:
        line = targets[name]
        assert isinstance(line["value"], int | float) and isinstance(line["met"], bool), name
        within = line["value"] <= line["target"] if line["at_most"] else line["value"] >= line["target"]
        assert line["met"] is within and line["reference"], name
    for name in GROWTH_TARGETS:
        assert targets[name]["met"] is None and "needs --sizes" in targets[name]["skipped"]


def test_the_table_prints_every_section_and_target(quick_run: tuple[dict, str]) -> None:
    results, stdout = quick_run

    for heading in HEADINGS:
        assert heading in stdout
    target_lines = {line.split()[0]: line for line in stdout.splitlines() if line.startswith("  ")}
    for name, line in results["targets"].items():
        verdict = "skipped" if line["met"] is None else ("met" if line["met"] else "MISSED")
        assert verdict in target_lines[name].split(), target_lines[name]
