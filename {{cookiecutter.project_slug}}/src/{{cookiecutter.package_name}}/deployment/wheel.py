"""The wheel the jobs run: built from the project, kept in the target's `artifacts` volume under its
content hash, and checked against that hash after every upload and on every reuse.

Volume files are only as safe as the volume's grants: give WRITE VOLUME on `artifacts` to the
deploying service principal alone (docs/deployment.md). The hash check catches a file that was
changed anyway: the deployment stops instead of pointing production jobs at it.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound

from ..config import ARTIFACTS_VOLUME, load_config
from ..errors import LifecycleError, WorkspaceError
from ..workspace import call

WHEELS_FOLDER = "wheels"


@dataclass(frozen=True)
class WheelUpload:
    local_path: Path
    remote_path: str
    digest: str  # SHA-256 of the wheel's bytes, also a folder of remote_path
    present: bool  # already in the volume with exactly these bytes


def wheel_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def remote_wheel_path(target: str, wheel: Path) -> str:
    """`/Volumes/<catalog>/<schema>/artifacts/wheels/<sha256>/<wheel file name>`."""
    config = load_config(target, on_databricks=True)
    volume = f"/Volumes/{config.catalog}/{config.schema}/{ARTIFACTS_VOLUME}"
    return f"{volume}/{WHEELS_FOLDER}/{wheel_digest(wheel.read_bytes())}/{wheel.name}"


def remote_digest(client: WorkspaceClient, remote_path: str) -> str | None:
    """The SHA-256 of the file at `remote_path`, or None when there is none."""

    def read() -> bytes | None:
        try:
            response = client.files.download(remote_path)
        except NotFound:
            return None
        return response.contents.read() if response.contents else b""

    content = call(client, f"reading the wheel {remote_path}", read)
    return None if content is None else wheel_digest(content)


def check_wheel(client: WorkspaceClient, target: str, wheel: Path) -> WheelUpload:
    """Where the wheel goes and whether it is there already; refuses a file there that differs."""
    remote = remote_wheel_path(target, wheel)
    digest = wheel_digest(wheel.read_bytes())
    found = remote_digest(client, remote)
    if found is not None and found != digest:
        raise WorkspaceError(
            f"the wheel at {remote} does not match its content hash (found sha256 {found}): it was changed "
            "after upload. Jobs must not run it: find out who can write to the volume, delete the file, "
            "and deploy again"
        )
    return WheelUpload(wheel, remote, digest, present=found is not None)


def upload_wheel(client: WorkspaceClient, upload: WheelUpload) -> None:
    """Upload without overwriting anything, then read it back and compare the hash."""
    content = upload.local_path.read_bytes()
    call(
        client,
        f"uploading the wheel to {upload.remote_path}",
        client.files.upload,
        upload.remote_path,
        io.BytesIO(content),
        overwrite=False,
    )
    found = remote_digest(client, upload.remote_path)
    if found != upload.digest:
        raise WorkspaceError(
            f"the wheel uploaded to {upload.remote_path} reads back with sha256 {found}, "
            f"not {upload.digest}: "
            "the upload was altered; no job was changed"
        )


def uv_command() -> str:
    """The uv of this environment (the dev dependencies pin it), else the one on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / "uv"
    found = str(beside) if beside.is_file() else shutil.which("uv")
    if found is None:
        raise LifecycleError(
            "uv is not installed: install the dev dependencies (uv sync, or pip install -e '.[dev]')"
        )
    return found


def build_wheel(project_dir: Path, output_dir: Path) -> Path:
    """Build the project's wheel with `uv build`, using this environment's hatchling (dev dependencies):
    nothing is downloaded, and no pip is needed (uv environments have none)."""
    command = [uv_command(), "build", "--wheel", "--no-build-isolation", "--offline", "--quiet"]
    command += ["--python", sys.executable, "--out-dir", str(output_dir), str(project_dir)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(output_dir.glob("*.whl"))
    if result.returncode != 0 or len(wheels) != 1:
        raise LifecycleError(
            f"building the wheel of {project_dir} failed (uv build; is hatchling installed? uv sync, or "
            f"pip install -e '.[dev]'):\n{result.stderr.strip()}"
        )
    return wheels[0]
