"""Bake the default project into demo/ and run its whole local lifecycle (`run-all`).

Rerunning keeps the project's local state (demo/<project>/.lakehouse), so steps that have nothing new
to do are skipped or idempotent; --fresh deletes demo/ first.
"""

from __future__ import annotations

import argparse
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


def run_lifecycle(project: Path, rows: int) -> None:
    """`run-all` in the baked project, its progress log and readable summary shown as they come."""
    package_name = next((project / "src").glob("*/__main__.py")).parent.name
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "LAKEHOUSE_HOME": str(project / ".lakehouse")}
    command = [sys.executable, "-m", package_name, "run-all", "--rows", str(rows)]
    print(f"==> python {' '.join(command[1:])}  (in {project})", flush=True)
    completed = subprocess.run(command, cwd=project, env=env, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"run-all failed with exit code {completed.returncode}; see the log above")


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
    run_lifecycle(project, args.rows)
    seconds = time.perf_counter() - started
    print(f"\nDemo: {seconds:.1f} s with the bake.")
    print("Rerun `make demo` to run again on the same state; `make demo FRESH=1` starts over.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
