"""Class-data sharing for the local Spark JVM: which archive a JVM reads or writes, and that a real JVM
maps it, stays quiet, and survives an archive cut short."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import class_sharing
from {{ cookiecutter.package_name }}.class_sharing import Sharing, keep, plan, whole_archive
from {{ cookiecutter.package_name }}.config import PACKAGE_NAME
from {{ cookiecutter.package_name }}.spark import delta_jars_record

VERSIONS = ("4.0.1", "/venv/pyspark", "4.0.0")


@pytest.fixture
def writer() -> None:
    class_sharing.allow_writing()
    yield
    class_sharing.allow_writing(False)


def _written(sharing: Sharing, size: int = 1000, exit_code: int = 0) -> Path | None:
    """What the JVM does at exit, then what stop_local_sessions does after it."""
    assert sharing.pending is not None
    sharing.pending.write_bytes(b"x" * size)
    return keep(sharing, exit_code)


def test_a_process_that_may_not_write_runs_without_an_archive(tmp_path: Path) -> None:
    sharing = plan(tmp_path / "cache", VERSIONS)

    assert (sharing.archive, sharing.pending, sharing.java_options) == (None, None, "")


def test_a_command_writes_the_archive_once_and_later_jvms_read_it(tmp_path: Path, writer: None) -> None:
    folder = tmp_path / "cache"
    first = plan(folder, VERSIONS)
    assert first.pending is not None and first.pending.parent == folder
    assert first.java_options.startswith(f"-XX:ArchiveClassesAtExit={first.pending} ")

    archive = _written(first)

    assert archive == folder / f"classes-{first.key}-1000.jsa"
    assert not first.pending.exists()
    again = plan(folder, VERSIONS)
    assert (again.archive, again.pending) == (archive, None)
    assert again.java_options == f"-XX:SharedArchiveFile={archive} -Xlog:cds=off -Xlog:cds+dynamic=off"


@pytest.mark.parametrize("exit_code", [1, -9, None])
def test_an_archive_is_kept_only_after_its_jvm_exited_cleanly(
    exit_code: int | None, tmp_path: Path, writer: None
) -> None:
    sharing = plan(tmp_path, VERSIONS)

    assert _written(sharing, exit_code=exit_code) is None
    assert list(tmp_path.iterdir()) == []


def test_a_jvm_that_wrote_nothing_leaves_nothing(tmp_path: Path, writer: None) -> None:
    sharing = plan(tmp_path, VERSIONS)

    assert keep(sharing, 0) is None
    assert list(tmp_path.iterdir()) == []


def test_an_archive_cut_short_is_not_read_and_is_written_again(tmp_path: Path, writer: None) -> None:
    archive = _written(plan(tmp_path, VERSIONS))
    archive.write_bytes(b"x" * 400)  # the JVM would die mapping it

    assert whole_archive(tmp_path, plan(tmp_path, VERSIONS).key) is None
    sharing = plan(tmp_path, VERSIONS)
    assert sharing.archive is None and sharing.pending is not None
    assert _written(sharing, size=999) == tmp_path / f"classes-{sharing.key}-999.jsa"
    assert not archive.exists()


def test_other_versions_get_an_archive_of_their_own(tmp_path: Path, writer: None) -> None:
    archive = _written(plan(tmp_path, VERSIONS))
    other = plan(tmp_path, ("4.0.1", "/venv/pyspark", "4.1.0"))

    assert other.key != plan(tmp_path, VERSIONS).key
    assert other.archive is None and other.pending is not None
    assert archive.exists()


def test_another_jdk_gets_an_archive_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    java_home = tmp_path / "jdk"
    (java_home / "bin").mkdir(parents=True)
    (java_home / "bin" / "java").write_text("")
    key = plan(tmp_path, VERSIONS).key

    monkeypatch.setenv("JAVA_HOME", str(java_home))

    assert plan(tmp_path, VERSIONS).key != key


def test_a_left_over_temporary_archive_is_removed_only_when_stale(tmp_path: Path, writer: None) -> None:
    stale = tmp_path / "classes-0123456789abcdef.1-1.tmp"
    being_written = tmp_path / "classes-0123456789abcdef.2-2.tmp"
    for path in (stale, being_written):
        path.write_bytes(b"x")
    hours_ago = time.time() - 2 * class_sharing.STALE_SECONDS
    os.utime(stale, (hours_ago, hours_ago))

    plan(tmp_path, VERSIONS)

    assert not stale.exists()
    assert being_written.exists()


@pytest.mark.parametrize("switch", ["off", "0", "false", "OFF"])
def test_sharing_can_be_switched_off(
    switch: str, tmp_path: Path, writer: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _written(plan(tmp_path, VERSIONS))
    monkeypatch.setenv(class_sharing.SWITCH_VARIABLE, switch)

    assert plan(tmp_path, VERSIONS).java_options == ""


def test_a_folder_whose_name_holds_the_path_separator_gets_no_archive(tmp_path: Path, writer: None) -> None:
    """The JVM would read `a:b` in SharedArchiveFile as two archives."""
    assert plan(tmp_path / "odd:name", VERSIONS).java_options == ""


def test_blanks_and_quotes_in_the_path_are_escaped_for_sparks_launcher(tmp_path: Path, writer: None) -> None:
    sharing = plan(tmp_path / 'it\'s a "cache"', VERSIONS)

    word = sharing.java_options.split(" -Xlog")[0]
    assert word == f"-XX:ArchiveClassesAtExit={sharing.pending}".replace("'", "\\'").replace(
        '"', '\\"'
    ).replace(" ", "\\ ")


# --- a real JVM -------------------------------------------------------------------------------------
MAPPED_PROBE = f"""
import json, sys
from pathlib import Path
from pyspark import SparkContext
from {PACKAGE_NAME}.config import load_config
from {PACKAGE_NAME}.spark import get_spark, stop_local_sessions
get_spark(load_config("local"))
maps = Path("/proc", str(SparkContext._gateway.proc.pid), "maps").read_text()
stop_local_sessions()
print(json.dumps([line.split(maxsplit=5)[-1] for line in maps.splitlines() if line.endswith(".jsa")]))
"""


@pytest.mark.integration
@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads the JVM's memory map (Linux)")
def test_a_command_writes_the_archive_the_next_jvm_maps_and_one_cut_short_is_survived(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "a cache's folder"  # blanks and a quote: escaped for Spark's launcher
    folder = cache / PACKAGE_NAME
    folder.mkdir(parents=True)
    # This cache's own Delta jars record: the installed jars, without an Ivy resolution.
    (folder / delta_jars_record().name).write_text(delta_jars_record().read_text())
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(cache),
        "LAKEHOUSE_HOME": str(tmp_path / "home"),
        "PYTHONPATH": os.pathsep.join(filter(None, sys.path)),
    }
    env.pop(class_sharing.SWITCH_VARIABLE, None)

    def run(*argv: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert "cds" not in result.stdout + result.stderr
        return result

    run(sys.executable, "-m", PACKAGE_NAME, "tables")
    [archive] = folder.glob("classes-*.jsa")
    assert archive.stat().st_size == int(archive.stem.rsplit("-", 1)[1]) > 10_000_000
    assert list(folder.glob("*.tmp")) == []

    mapped = json.loads(run(sys.executable, "-c", MAPPED_PROBE).stdout.strip().splitlines()[-1])
    assert str(archive) in mapped
    assert list(folder.glob("classes-*.jsa")) == [archive]  # read, not written again

    # Cut short with a name that claims it whole (a dump that ended early yet exited 0):
    # the JVM dies mapping it; the command starts it again without.
    cut = archive.with_name(archive.name.replace(archive.stem.rsplit("-", 1)[1], "5000000"))
    archive.rename(cut)
    os.truncate(cut, 5_000_000)
    result = run(sys.executable, "-m", PACKAGE_NAME, "tables")
    assert "did not start with its class archive" in result.stderr
    assert not cut.exists()
