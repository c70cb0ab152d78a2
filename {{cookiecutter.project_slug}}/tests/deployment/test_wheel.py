"""Building the wheel the jobs run: with uv, in any environment of the project (pip or uv made)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.deployment import wheel
from {{ cookiecutter.package_name }}.errors import LifecycleError

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _environment_without_pip(folder: Path) -> Path:
    """A venv that sees this environment's packages and this project's source, but has no pip (as a
    `uv sync` environment has none): `import pip` fails there."""
    venv.create(folder, with_pip=False)
    python = folder / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Everything this interpreter imports from (its site-packages and whatever they add), the source.
    shared = [*(entry for entry in sys.path if entry and Path(entry).is_dir()), str(PROJECT_ROOT / "src")]
    Path(site, "shared.pth").write_text("\n".join([*shared, "import sys; sys.modules['pip'] = None", ""]))
    return python


def test_the_wheel_builds_in_an_environment_without_pip(tmp_path: Path) -> None:
    python = _environment_without_pip(tmp_path / "env")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    assert subprocess.run([str(python), "-c", "import pip"], env=env, capture_output=True).returncode != 0
    build = (
        "import sys; from pathlib import Path; "
        "from {{ cookiecutter.package_name }}.deployment.wheel import build_wheel; "
        "print(build_wheel(Path(sys.argv[1]), Path(sys.argv[2])))"
    )

    result = subprocess.run(
        [str(python), "-c", build, str(PROJECT_ROOT), str(tmp_path / "dist")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    built = Path(result.stdout.strip())
    assert built.parent == tmp_path / "dist"
    with zipfile.ZipFile(built) as archive:
        assert "{{ cookiecutter.package_name }}/cli.py" in archive.namelist()


def test_without_uv_the_build_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(wheel.sysconfig, "get_path", lambda name: str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(LifecycleError, match=r"uv is not installed: install the dev dependencies \(uv sync"):
        wheel.build_wheel(PROJECT_ROOT, tmp_path)
