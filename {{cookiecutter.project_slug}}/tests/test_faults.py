"""A crash at every commit boundary of ingest, features, score and monitor; a rerun must converge.

For each command: an uninterrupted run from a saved state gives the reference tables and its commit
boundaries (tests/crash_runner.py says what they are). Then, for each boundary, the state is restored,
the command crashes right after that boundary, and a rerun must leave the same tables as the
reference: nothing lost, nothing doubled, the accounting intact.

A crash is an exception raised at the boundary inside this process (a fresh JVM per case would cost
~20 s each); `finally` blocks still run then, which a kill -9 skips, so a real SIGKILL of a separate
process is tested too: at the boundary where it matters most (a micro-batch written, its checkpoint
not), and at every boundary with FAULTS_SIGKILL=all (minutes per command: a local soak).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import cli
from {{ cookiecutter.package_name }}.config import TABLES, load_config
from {{ cookiecutter.package_name }}.tables import read_table, table_exists

import crash_runner

pytestmark = pytest.mark.integration

TESTS_DIR = Path(__file__).resolve().parent
PROJECT_DIR = TESTS_DIR.parent
# The MLflow store stays in place (its engine is cached in this process); everything else is restored.
RESTORED = ("landing", "checkpoints", "warehouse", "reports")
# Columns that differ between two correct runs: when a row was written, and by which run.
VOLATILE = {"ingested_at", "recorded_at", "computed_at", "scored_at", "run_id", "batch_id", "mlflow_run_id"}
COMMANDS = ("ingest", "features", "score", "monitor")
SIGKILL_ALL = os.environ.get("FAULTS_SIGKILL") == "all"


def _save(home: Path, stash: Path) -> None:
    for name in RESTORED:
        if (home / name).exists():
            shutil.copytree(home / name, stash / name)


def _restore(spark, stash: Path, home: Path) -> None:
    for name in RESTORED:
        shutil.rmtree(home / name, ignore_errors=True)
        if (stash / name).exists():
            shutil.copytree(stash / name, home / name)
    # This process caches each Delta table's log: forget it, the folders were just replaced.
    spark._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()


def _snapshot(spark, config) -> dict[str, list]:
    """Every table's rows without the volatile columns; the audit as its per-batch accounting."""
    snapshot = {}
    for name in TABLES:
        table = config.table(name)
        if not table_exists(spark, table):
            continue
        rows = read_table(spark, table)
        if name == "ingest_audit":
            rows = rows.where("batch_id IS NOT NULL")
        kept = [column for column in rows.columns if column not in VOLATILE]
        snapshot[name] = sorted(map(tuple, rows.select(*kept).collect()), key=repr)
    return snapshot


def _crash(home: Path, command: str, boundary: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "LAKEHOUSE_HOME": str(home), "PYTHONPATH": str(PROJECT_DIR / "src")}
    argv = [sys.executable, str(TESTS_DIR / "crash_runner.py"), str(boundary), command]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def states(spark, tmp_path_factory: pytest.TempPathFactory):
    """Per command: the saved state before it, its reference tables and its commit boundaries."""
    home, stashes = tmp_path_factory.mktemp("home"), tmp_path_factory.mktemp("stashes")
    patch = pytest.MonkeyPatch()
    patch.setenv("LAKEHOUSE_HOME", str(home))
    config = load_config("local")
    assert cli.main(["generate-data", "--rows", "20000"]) == 0
    prepared = {}
    for command, then in (
        ("ingest", ()),
        ("features", ("train", "validate", "promote")),
        ("score", ()),
        ("monitor", ()),
    ):
        stash = stashes / command
        _save(home, stash)
        with pytest.MonkeyPatch.context() as counting:
            boundaries = crash_runner.install(0, counting.setattr)
            assert cli.main([command]) == 0
        prepared[command] = (stash, _snapshot(spark, config), list(boundaries))
        for step in then:
            assert cli.main([step]) == 0
    yield home, config, prepared
    patch.undo()


def _raise() -> None:
    raise crash_runner.SimulatedCrash("crash at a commit boundary")


def _converges(spark, config, command: str, reference: dict, what: str) -> None:
    assert cli.main([command]) == 0, f"{command} failed on the rerun after {what}"
    assert _snapshot(spark, config) == reference, f"{command} did not converge after {what}"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_crash_at_any_commit_boundary_then_a_rerun_converges(spark, states, command: str) -> None:
    home, config, prepared = states
    stash, reference, boundaries = prepared[command]
    assert boundaries, f"{command} passed no commit boundary"
    for number, label in enumerate(boundaries, 1):
        _restore(spark, stash, home)
        with pytest.MonkeyPatch.context() as patch:
            crash_runner.install(number, patch.setattr, crash=_raise)
            try:
                code = cli.main([command])
            except crash_runner.SimulatedCrash:
                code = None
        assert code != 0, f"{command} went on after a crash at boundary {number} ({label})"
        _converges(spark, config, command, reference, f"a crash at boundary {number} ({label})")


@pytest.mark.parametrize("command", COMMANDS if SIGKILL_ALL else ("ingest",))
def test_a_kill_9_then_a_rerun_converges(spark, states, command: str) -> None:
    home, config, prepared = states
    stash, reference, boundaries = prepared[command]
    # By default the last boundary of ingest: its last micro-batch is written, its checkpoint is not.
    numbers = range(1, len(boundaries) + 1) if SIGKILL_ALL else [len(boundaries)]
    for number in numbers:
        _restore(spark, stash, home)
        crashed = _crash(home, command, number)
        label = boundaries[number - 1]
        assert crashed.returncode == -9, (
            f"{command} was not killed at {number} ({label}): {crashed.stderr[-2000:]}"
        )
        _converges(spark, config, command, reference, f"kill -9 at boundary {number} ({label})")
