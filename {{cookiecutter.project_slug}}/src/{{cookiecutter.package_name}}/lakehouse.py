"""The local lakehouse home as commands use it: checked once before a command starts, locked while one
writes.

Off Databricks every environment keeps its state under $LAKEHOUSE_HOME (config.py). Two writing commands
on one home at once would break each other's Delta commits and streaming checkpoints, so a writing
command holds the home's lock (`LOCK_FILE`) while it runs and a second one is refused (HomeBusyError,
exit 5) with the running one named. The lock is an OS lock (POSIX `lockf`) that ends with its process,
even under `kill -9`, and that child processes do not inherit: a crashed or killed command never leaves
a lock that blocks. The file's record (command, pid, host, start) only names the holder; a record left
behind by a killed command is reported with a log line when the next command takes the lock over.

A home is used where it was created: its streaming checkpoints and MLflow store record absolute paths,
so a moved or copied home would re-read every landing file and load models from the old folder.
`HOME_RECORD` keeps the path of its creation and a home found elsewhere is refused with what to do.

Workspace environments take no lock, on Databricks or emulated off it (the twin's job tasks): on
Databricks state lives in Unity Catalog and volumes, where a lock file would not be reliable; each job
runs one run at a time (max_concurrent_runs) and Delta's optimistic concurrency guards the tables.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .config import LAKEHOUSE_HOME_VARIABLE
from .errors import ConfigError, HomeBusyError
from .progress import logger

LOCK_FILE = "command.lock"
HOME_RECORD = "home.json"


def prepare_home(home: Path) -> None:
    """Create the home unless it exists; a usage error when it is not a writable folder or was moved."""
    try:
        home.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=home):
            pass
    except OSError as error:
        raise ConfigError(
            f"the lakehouse home {home} (${LAKEHOUSE_HOME_VARIABLE}) is not a writable folder "
            f"({error.strerror or error}): set {LAKEHOUSE_HOME_VARIABLE} to a folder you can write to"
        ) from None
    _check_not_moved(home)


def _check_not_moved(home: Path) -> None:
    record = home / HOME_RECORD
    try:
        created_at = json.loads(record.read_text())["path"]
    except (OSError, ValueError, KeyError, TypeError):
        record.write_text(json.dumps({"path": str(home)}))
        return
    if created_at != str(home):
        raise ConfigError(
            f"the lakehouse home {home} was created at {created_at} and moved or copied here; its streaming "
            "checkpoints and MLflow store hold absolute paths under the old folder: move it back there, or "
            f"start over with {LAKEHOUSE_HOME_VARIABLE} set to an empty folder (`run-all` fills it)"
        )


def _describe(record: dict) -> str:
    command, pid, host, started = (record.get(key) for key in ("command", "pid", "host", "started"))
    return f"`{command}` (pid {pid} on {host}, since {started})"


def _read_record(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        return {}


@contextmanager
def command_lock(home: Path, command: str) -> Iterator[None]:
    """Hold the home's lock while `command` runs; HomeBusyError when another command holds it."""
    fd = os.open(home / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_record(fd)
            running = _describe(holder) if holder else "another command (starting)"
            raise HomeBusyError(
                f"{running} is writing to the lakehouse home {home} (${LAKEHOUSE_HOME_VARIABLE}): "
                "wait for it to end, or use another home"
            ) from None
        left = _read_record(fd)
        if left:
            logger.warning("%s ended without releasing the lakehouse home; taking it over", _describe(left))
        record = {
            "command": command,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock
