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


def bake_demo_project() -> Path:
    project = cookiecutter(str(REPO), no_input=True, output_dir=str(DEMO_ROOT), overwrite_if_exists=True)
    return Path(project)


def run_lifecycle(project: Path, rows: int) -> dict:
    package_name = next((project / "src").glob("*/__main__.py")).parent.name
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "LAKEHOUSE_HOME": str(project / ".lakehouse")}
    command = [sys.executable, "-m", package_name, "run-all", "--rows", str(rows), "--json"]
    print(f"==> {' '.join(command[1:])}  (in {project.relative_to(REPO)})", flush=True)
    completed = subprocess.run(command, cwd=project, env=env, stdout=subprocess.PIPE, text=True, check=False)
    output_lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0:
        print("\n".join(output_lines), file=sys.stderr)
        raise SystemExit(f"run-all failed with exit code {completed.returncode}; see the log above")
    return json.loads(output_lines[-1])


def print_summary(project: Path, summary: dict, seconds: float) -> None:
    print("\nLifecycle summary")
    for name, facts in summary["steps"].items():
        shown = {key: value for key, value in facts.items() if not isinstance(value, dict | list)}
        print(f"  {name:<14} " + ", ".join(f"{key}={value}" for key, value in shown.items()))
    print(f"\nProject: {project}\nLocal state: {project / '.lakehouse'}\nTotal: {seconds:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="delete demo/ first and start over")
    parser.add_argument("--rows", type=int, default=100_000, help="events to generate (default: 100000)")
    args = parser.parse_args()
    if args.fresh and DEMO_ROOT.exists():
        shutil.rmtree(DEMO_ROOT)
    started = time.perf_counter()
    project = bake_demo_project()
    print(f"==> baked {project.relative_to(REPO)}", flush=True)
    summary = run_lifecycle(project, args.rows)
    print_summary(project, summary, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
