"""Bake the default project into demo/ and run its whole local lifecycle (`run-all`).

Rerunning keeps the project's local state (demo/<project>/.lakehouse), so steps that have nothing new
to do are skipped or idempotent; --fresh deletes demo/ first.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from cookiecutter.main import cookiecutter

REPO = Path(__file__).resolve().parents[1]
DEMO_ROOT = REPO / "demo"


def bake_demo_project(demo_root: Path) -> Path:
    project = cookiecutter(str(REPO), no_input=True, output_dir=str(demo_root), overwrite_if_exists=True)
    return Path(project)


def run_command(project: Path, *arguments: str) -> dict:
    """Run one CLI command of the baked project with its progress log shown; return its --json summary."""
    package_name = next((project / "src").glob("*/__main__.py")).parent.name
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "LAKEHOUSE_HOME": str(project / ".lakehouse")}
    command = [sys.executable, "-m", package_name, *arguments, "--json"]
    print(f"==> python {' '.join(command[1:])}  (in {project})", flush=True)
    completed = subprocess.run(command, cwd=project, env=env, stdout=subprocess.PIPE, text=True, check=False)
    output_lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0:
        print("\n".join(output_lines), file=sys.stderr)
        raise SystemExit(f"{arguments[0]} failed with exit code {completed.returncode}; see the log above")
    return json.loads(output_lines[-1])


def describe_step(name: str, facts: dict) -> str:
    if facts.get("skipped"):
        return "skipped (nothing to do)"
    counts = {
        "generate-data": lambda: f"{facts['events']} events, {facts['labels']} labels",
        "ingest": lambda: (
            f"{facts['events_rows_in']} rows in = {facts['events_accepted']} accepted"
            f" + {facts['events_quarantined']} quarantined + {facts['events_duplicates']} duplicates"
        ),
        "features": lambda: f"{facts['feature_rows']} feature rows, {facts['training_rows']} training rows",
        "train": lambda: f"version {facts['model_version']}, test AUC {facts['test_auc']}",
        "validate": lambda: (
            f"{'passed' if facts['passed'] else 'rejected'}, holdout AUC {facts['holdout_auc']}"
        ),
        "promote": lambda: facts["message"],
        "score": lambda: f"{facts['scored_rows']} customers scored for {facts['scoring_date']}",
        "monitor": lambda: f"{facts['metrics']} metrics, {facts['alerts']} alerts",
    }
    return counts[name]() if name in counts else ""


def print_summary(project: Path, lifecycle: dict, inventory: dict, seconds: float) -> None:
    steps = lifecycle["steps"]
    print("\nLifecycle")
    for name, facts in steps.items():
        print(f"  {name:<14} {facts.get('seconds', 0.0):>6.1f} s  {describe_step(name, facts)}")
    print("\nTables (rows, Delta version)")
    for name, table in inventory["tables"].items():
        print(f"  {name:<20} {table['rows']:>9}  v{table['version']}")
    train, validate, monitor = steps.get("train", {}), steps.get("validate", {}), steps.get("monitor", {})
    if train:
        print(f"\nModel: {train['model_name']} version {train['model_version']}")
        print(
            f"  validation AUC {train['validation_auc']}, test AUC {train['test_auc']}, "
            f"test log loss {train['test_log_loss']}"
        )
    if validate:
        checks = ", ".join(f"{check} {'ok' if ok else 'FAILED'}" for check, ok in validate["checks"].items())
        verdict = "passed" if validate["passed"] else "rejected"
        print(
            f"Gate: {verdict} ({checks}); champion is now version {steps['promote'].get('champion_version')}"
        )
    if monitor:
        alerting = ", ".join(monitor["alerting"]) or "none"
        print(f"Drift: {monitor['alerts']} alerts (alerting: {alerting}); quality {monitor.get('quality')}")
        print(f"Report: {monitor['report']}")
    home = project / ".lakehouse"
    print(f"\nLocal state: {home}")
    print(f"MLflow data: {home / 'mlflow'}  (sqlite tracking + registry, artifacts)")
    print(
        "Open the MLflow UI:\n"
        f"  {Path(sys.executable).parent / 'mlflow'} ui --host 127.0.0.1 --port 5000 "
        f"--backend-store-uri sqlite:///{home / 'mlflow' / 'mlflow.db'}"
    )
    print(f"\nTotal: {seconds:.1f} s (rerun `make demo` to run again on the same state; FRESH=1 starts over)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="delete demo/ first and start over")
    parser.add_argument("--rows", type=int, default=100_000, help="events to generate (default: 100000)")
    parser.add_argument("--demo-root", type=Path, default=DEMO_ROOT, help="where to bake (default: demo/)")
    args = parser.parse_args()
    if args.fresh and args.demo_root.exists():
        shutil.rmtree(args.demo_root)
    started = time.perf_counter()
    project = bake_demo_project(args.demo_root.resolve())
    print(f"==> baked {project}", flush=True)
    lifecycle = run_command(project, "run-all", "--rows", str(args.rows))
    inventory = run_command(project, "tables")
    print_summary(project, lifecycle, inventory, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
