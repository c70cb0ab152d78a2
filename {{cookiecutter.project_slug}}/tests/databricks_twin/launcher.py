"""The Databricks wheel launcher, as the twin runs it for each `python_wheel_task`.

Databricks installs the job's wheel, sets `sys.argv` to the package name followed by the task's
parameters, finds the entry point named by the task among the distribution's entry points (else the
attribute of that name in the package), calls it, and ignores its return value: only an exception or
SystemExit fails the task (databricks/cli's python wheel trampoline does the same). This script does
exactly that in a fresh process, so the process exit code is the task's outcome.

Usage: `python launcher.py '{"package_name": ..., "entry_point": ..., "parameters": [...],
"serverless": false}'`. With "serverless", the serverless limits are installed first. With "module"
instead of an entry point, the module runs as `python -m module` would (for code that is not installed
as a distribution, e.g. the serverless test tier on a source checkout).
"""

from __future__ import annotations

import json
import runpy
import sys
from importlib import import_module, metadata


def main() -> None:
    spec = json.loads(sys.argv[1])
    # Nothing from the twin's folder may shadow the job's imports.
    harness = sys.path.pop(0)
    if spec.get("serverless"):
        sys.path.insert(0, harness)
        import serverless_limits

        sys.path.pop(0)
        serverless_limits.install()
    if "module" in spec:
        sys.argv = [spec["module"], *spec["parameters"]]
        runpy.run_module(spec["module"], run_name="__main__", alter_sys=True)
        return
    package, entry_point = spec["package_name"], spec["entry_point"]
    sys.argv = [package, *spec["parameters"]]
    entries = [ep for ep in metadata.distribution(package).entry_points if ep.name == entry_point]
    function = entries[0].load() if entries else getattr(import_module(package), entry_point)
    function()  # the return value is ignored, as on Databricks


if __name__ == "__main__":
    main()
