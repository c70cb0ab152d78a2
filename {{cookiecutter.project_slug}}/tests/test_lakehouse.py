"""The lakehouse home as commands use it: checked once before a command starts, locked while one writes.

A second writing command on the same home is refused (exit 5) with the running one named; a command
killed with SIGKILL never leaves a lock that blocks the rerun; reading and workspace-only commands take
no lock. The holders are separate processes, as two commands in two shells are.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import cli
from {{ cookiecutter.package_name }}.config import PACKAGE_NAME
from {{ cookiecutter.package_name }}.lakehouse import LOCK_FILE

HOLDER = """
import sys, time
from pathlib import Path
from {{ cookiecutter.package_name }}.lakehouse import command_lock
with command_lock(Path(sys.argv[1]), "ingest --env local"):
    print("held", flush=True)
    time.sleep(300)
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _child_env() -> dict[str, str]:
    """This process's environment, with its import path (the package may come from PYTHONPATH=src)."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}


@pytest.fixture
def holder(home: Path):
    """Another process that holds the home's lock as a running `ingest` would."""
    home.mkdir(parents=True)
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home)], stdout=subprocess.PIPE, text=True, env=_child_env()
    )
    assert process.stdout.readline().strip() == "held"
    yield process
    process.kill()
    process.wait()


def _stub(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """Replace the named commands' work with nothing, to see what happens around it."""
    registered = [
        dataclasses.replace(command, run=lambda context, args: {"ran": True})
        if command.name in names
        else command
        for command in cli.REGISTERED
    ]
    monkeypatch.setattr(cli, "REGISTERED", registered)


def test_a_second_writing_command_is_refused_naming_the_running_one(
    home: Path, holder: subprocess.Popen, capsys
) -> None:
    code = cli.main(["generate-data", "--rows", "10"])

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 5
    assert len(err) == 1, err
    assert "`ingest --env local`" in err[0] and f"pid {holder.pid}" in err[0] and "since 20" in err[0]
    assert str(home) in err[0] and "LAKEHOUSE_HOME" in err[0]
    assert not (home / "landing").exists()


def test_run_all_is_refused_before_its_first_step(home: Path, holder, capsys) -> None:
    assert cli.main(["run-all", "--rows", "200"]) == 5
    assert not (home / "landing").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["tables"],
        # CI runs these with a workspace target without the emulation switch: they touch no local data.
        ["run-job", "--target", "prod"],
        ["deploy-jobs", "--target", "staging", "--dry-run"],
        ["seed-data", "--target", "staging"],
    ],
)
def test_reading_and_workspace_api_commands_take_no_lock(
    argv: list[str], home: Path, holder, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _stub(monkeypatch, argv[0])

    assert cli.main(argv) == 0


def test_an_emulated_workspace_environment_takes_no_lock(home: Path, holder, monkeypatch, capsys) -> None:
    # As on Databricks: the twin's monitoring task may start the training job while it still runs.
    monkeypatch.setenv("LAKEHOUSE_EMULATE_WORKSPACE", "1")
    _stub(monkeypatch, "features")

    assert cli.main(["features", "--env", "staging"]) == 0


def test_help_takes_no_lock(home: Path, holder, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["ingest", "--help"])

    assert exit_info.value.code == 0


def test_a_command_killed_with_sigkill_never_blocks_the_rerun(home: Path, capsys) -> None:
    # A real command, killed while it holds the lock (its record names it).
    command = [sys.executable, "-m", PACKAGE_NAME, "generate-data", "--rows", "3000000", "--seed", "1"]
    process = subprocess.Popen(command, env=_child_env(), stderr=subprocess.DEVNULL)
    lock = home / LOCK_FILE
    deadline = time.monotonic() + 60
    while not (lock.is_file() and lock.read_text()) and process.poll() is None:
        assert time.monotonic() < deadline, "generate-data never took the lock"
        time.sleep(0.05)
    assert process.poll() is None, "generate-data ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert json.loads(lock.read_text())["pid"] == process.pid  # the record is left behind

    code = cli.main(["generate-data", "--rows", "10"])

    err = capsys.readouterr().err
    assert code == 0
    assert f"pid {process.pid}" in err and "ended without releasing" in err
    assert lock.read_text() == ""  # released by the rerun


def test_the_lock_is_released_when_a_command_fails(home: Path, monkeypatch, capsys) -> None:
    def fail(context, args):
        raise RuntimeError("broken")

    registered = [
        dataclasses.replace(command, run=fail) if command.name == "features" else command
        for command in cli.REGISTERED
    ]
    monkeypatch.setattr(cli, "REGISTERED", registered)

    assert cli.main(["features"]) == 1
    assert cli.main(["generate-data", "--rows", "10"]) == 0
    assert "ended without releasing" not in capsys.readouterr().err


@pytest.mark.parametrize("command", ["generate-data", "tables"])
def test_a_home_under_a_file_is_a_usage_error_naming_the_path_and_the_variable(
    command: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("LAKEHOUSE_HOME", str(blocker / "home"))

    code = cli.main([command])

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1, err
    assert str(blocker / "home") in err[0] and "LAKEHOUSE_HOME" in err[0] and "Traceback" not in err[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_home_is_a_usage_error(tmp_path: Path, monkeypatch, capsys) -> None:
    home = tmp_path / "read-only"
    home.mkdir(mode=0o555)
    monkeypatch.setenv("LAKEHOUSE_HOME", str(home))

    code = cli.main(["generate-data", "--rows", "10"])

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and str(home) in err[0] and "LAKEHOUSE_HOME" in err[0]


@pytest.mark.parametrize("move", [shutil.move, shutil.copytree], ids=["moved", "copied"])
def test_a_moved_or_copied_home_is_refused_with_what_to_do(move, tmp_path: Path, monkeypatch, capsys) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    monkeypatch.setenv("LAKEHOUSE_HOME", str(old))
    assert cli.main(["generate-data", "--rows", "10"]) == 0
    move(old, new)
    monkeypatch.setenv("LAKEHOUSE_HOME", str(new))
    capsys.readouterr()

    code = cli.main(["ingest"])

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert str(old) in err[0] and str(new) in err[0] and "move it back" in err[0]
