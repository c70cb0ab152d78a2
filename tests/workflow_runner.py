"""Reading the generated GitHub workflows and running their `run:` steps locally, as a runner would."""

from __future__ import annotations

import os
import subprocess
import sysconfig
import time
import venv
from dataclasses import dataclass
from pathlib import Path

import yaml

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
ACTIONLINT = TEMPLATE_ROOT / ".tools" / "actionlint"
INSTALL_ACTIONLINT = TEMPLATE_ROOT / "tools" / "install_actionlint.sh"
# GitHub's default shell for `run:` on Linux runners.
RUNNER_SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]
# `uv sync --locked` would download the whole locked stack. Here the environment already holds it (the
# shared packages, installed from the same lock by tools/bootstrap.sh), so the step checks the lock for
# real and installs the project itself, editable, with uv, as sync does.
STAND_INS = {"uv sync --locked": "uv lock --check && uv pip install --quiet --no-deps -e ."}


def load_workflow(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as the boolean True.
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


def workflows(project: Path) -> dict[str, dict]:
    return {
        path.name: load_workflow(path) for path in sorted((project / ".github" / "workflows").glob("*.yml"))
    }


def ensure_actionlint() -> Path:
    """The pinned actionlint, installed into .tools/ on first use (Go module proxy)."""
    result = subprocess.run(["bash", str(INSTALL_ACTIONLINT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and ACTIONLINT.is_file(), result.stdout + result.stderr
    return ACTIONLINT


def actionlint_version() -> str:
    result = subprocess.run(
        [str(ensure_actionlint()), "-version"], capture_output=True, text=True, check=True
    )
    return result.stdout.splitlines()[0]


def fresh_env(env_dir: Path) -> Path:
    """A new venv like one `uv sync` makes, without pip (`import pip` fails there), that sees this
    environment's packages (so nothing is downloaded) through a .pth file.

    A venv's `system_site_packages` would reach the base interpreter's packages, not this venv's.
    """
    venv.create(env_dir, with_pip=False)
    site = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    shared = sysconfig.get_paths()["purelib"]
    Path(site, "shared-env.pth").write_text(f"{shared}\nimport sys; sys.modules['pip'] = None\n")
    _link_console_scripts(Path(sysconfig.get_paths()["scripts"]), env_dir / "bin")
    return env_dir


def _link_console_scripts(shared_bin: Path, env_bin: Path) -> None:
    """Give the venv the shared packages' commands as an installer would put them there: Python console
    scripts (uvicorn, mlflow, ...) run by the venv's interpreter, binaries (ruff, uv) linked. pip's
    scripts stay out: the venv has no pip."""
    python = env_bin / "python"
    for script in sorted(shared_bin.iterdir()):
        target = env_bin / script.name
        if target.exists() or not script.is_file() or script.name.startswith("pip"):
            continue
        with script.open("rb") as handle:
            first_line = handle.readline()
        if first_line.startswith(b"#!") and b"python" in first_line:
            body = script.read_bytes()[len(first_line) :]
            target.write_bytes(f"#!{python}\n".encode() + body)
            target.chmod(0o755)
        elif first_line.startswith(b"\x7fELF"):
            target.symlink_to(script)


def runner_environment(env_dir: Path) -> dict[str, str]:
    """Environment variables of a step: the venv first on PATH, as after actions/setup-python."""
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABRICKS_", "PYTHON", "VIRTUAL_ENV", "LAKEHOUSE_", "PYSPARK_", "UV_"))
    }
    return {
        **keep,
        "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "VIRTUAL_ENV": str(env_dir),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        # `uv run` runs in this environment as it stands (synced by the stand-in above), and uv builds
        # with the backend it already has: offline (on a runner uv fetches what the lock names).
        "UV_PROJECT_ENVIRONMENT": str(env_dir),
        "UV_NO_SYNC": "1",
        "UV_OFFLINE": "1",
        "UV_NO_BUILD_ISOLATION": "1",
        "UV_PYTHON": str(env_dir / "bin" / "python"),
        "UV_PYTHON_DOWNLOADS": "never",
    }


@dataclass(frozen=True)
class StepResult:
    name: str
    command: str
    seconds: float
    returncode: int
    output: str


def run_steps(job: dict, project: Path, env: dict[str, str]) -> list[StepResult]:
    """Run the job's `run:` steps in order (stopping at the first failure) and time each one."""
    results = []
    for step in job["steps"]:
        if "run" not in step:
            continue
        started = time.perf_counter()
        completed = subprocess.run(
            [*RUNNER_SHELL, STAND_INS.get(step["run"], step["run"])],
            cwd=project,
            env={**env, **{key: str(value) for key, value in step.get("env", {}).items()}},
            capture_output=True,
            text=True,
            check=False,
        )
        results.append(
            StepResult(
                step.get("name", step["run"]),
                step["run"],
                time.perf_counter() - started,
                completed.returncode,
                completed.stdout[-4000:] + completed.stderr[-4000:],
            )
        )
        if completed.returncode != 0:
            break
    return results
