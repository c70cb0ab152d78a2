"""The README's first command: the demo bakes the default project and runs its whole lifecycle, twice."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from baking import TEMPLATE_ROOT

pytestmark = pytest.mark.slow
STEPS = ("generate-data", "ingest", "features", "train", "validate", "promote", "score", "monitor")


def run_demo(demo_root: Path) -> str:
    result = subprocess.run(
        [sys.executable, "tools/demo.py", "--rows", "20000", "--demo-root", str(demo_root)],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout


def test_the_demo_runs_the_lifecycle_and_a_rerun_works(tmp_path: Path) -> None:
    first = run_demo(tmp_path)
    second = run_demo(tmp_path)

    for step in STEPS:
        assert f"\n  {step} " in first
    assert "20000 events" in first
    assert "generate-data    " in second and "skipped (nothing to do)" in second
    for output in (first, second):
        assert "Gate: passed" in output
        assert "Report: " in output and "index.html" in output
        assert "mlflow ui --host 127.0.0.1" in output
        assert re.search(r"\n  bronze_events\s+20000\s+v\d", output)
    assert "champion is now version 2" in second
