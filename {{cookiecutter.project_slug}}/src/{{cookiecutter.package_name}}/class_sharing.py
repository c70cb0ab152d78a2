"""Class-data sharing for the local Spark JVM: its classes mapped from an archive instead of loaded.

A fresh Spark JVM loads and verifies some 20,000 classes before its first Delta read, the same ones
every time. The JDK's dynamic class-data sharing (AppCDS) saves that work: one JVM writes the classes it
loaded to an archive when it exits (`-XX:ArchiveClassesAtExit`, ~10 s and ~170 MB, once), later JVMs map
the archive at start (`-XX:SharedArchiveFile`). Measured on 2 cores: a session plus a first Delta write
and read 12.0 -> 9.7 s quiet, 28.6 -> ~15 s with the machine busy.

Only a command process writes (`allow_writing`, called by cli.entry): it waits for its JVM's exit
(spark.stop_local_sessions), so it knows the archive is whole. Test sessions and other processes only
read one. A JVM given a truncated archive dies at start (the JDK checks the header, not the length), so:
- the archive is written under a temporary name and renamed only after its JVM exited cleanly, its
  size in its name (`classes-<key>-<bytes>.jsa`); a file whose size differs from its name is not used;
- a session whose JVM fails to start with an archive deletes it and starts without (spark.get_spark).
The key covers the JDK, pyspark and delta-spark, so a new version of any writes a new archive; an archive
the JVM still refuses (another class path) is skipped by the JVM itself. Off: SPARK_CLASS_SHARING=off.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

SWITCH_VARIABLE = "SPARK_CLASS_SHARING"
# The JVM's own `[cds]` lines (an archive refused, or written) would reach every command's stderr.
QUIET = ("-Xlog:cds=off", "-Xlog:cds+dynamic=off")
# Seconds a JVM that writes the archive gets to exit (the dump takes ~10 s on 2 quiet cores).
WRITE_SECONDS = 180
# A temporary archive older than this was left by a JVM that never finished (its process was killed).
STALE_SECONDS = 3600
_WRITER = False


@dataclass(frozen=True)
class Sharing:
    """What one JVM does: read `archive`, write `pending` at exit (renamed by `keep`), or neither."""

    folder: Path
    key: str
    archive: Path | None = None
    pending: Path | None = None

    @property
    def java_options(self) -> str:
        """For `spark.driver.extraJavaOptions`, which Spark's launcher splits at unescaped blanks."""
        if self.archive is not None:
            return " ".join((launcher_word(f"-XX:SharedArchiveFile={self.archive}"), *QUIET))
        if self.pending is not None:
            return " ".join((launcher_word(f"-XX:ArchiveClassesAtExit={self.pending}"), *QUIET))
        return ""


def allow_writing(allowed: bool = True) -> None:
    """Let this process's JVM write the archive if there is none (a command process, see above)."""
    global _WRITER
    _WRITER = allowed


def plan(folder: Path, versions: tuple[str, ...]) -> Sharing:
    """Read the whole archive for these versions if there is one, else write it if this process may."""
    key = archive_key(versions)
    # The JVM reads a `:` in SharedArchiveFile as the separator of a base and a top archive.
    if os.environ.get(SWITCH_VARIABLE, "").lower() in ("off", "0", "false") or os.pathsep in str(folder):
        return Sharing(folder, key)
    archive = whole_archive(folder, key)
    if archive is not None:
        return Sharing(folder, key, archive=archive)
    if not _WRITER:
        return Sharing(folder, key)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Sharing(folder, key)
    _remove_stale(folder)
    pending = folder / f"classes-{key}.{os.getpid()}-{time.time_ns()}.tmp"
    return Sharing(folder, key, pending=pending)


def archive_key(versions: tuple[str, ...]) -> str:
    """A short digest of the JDK (its java binary and module image) and the given versions."""
    java = _java_binary()
    modules = java.parent.parent / "lib" / "modules"
    stamp = f"{modules.stat().st_size}:{modules.stat().st_mtime_ns}" if modules.is_file() else ""
    return hashlib.sha256("|".join((str(java), stamp, *versions)).encode()).hexdigest()[:16]


def whole_archive(folder: Path, key: str) -> Path | None:
    """The newest archive for `key` whose size is the one written in its name, if any."""
    whole = [path for path in folder.glob(f"classes-{key}-*.jsa") if _size_matches(path)]
    return max(whole, key=lambda path: path.stat().st_mtime_ns, default=None)


def keep(sharing: Sharing, jvm_exit_code: int | None) -> Path | None:
    """After the writing JVM exited: its archive under the final name if it exited cleanly, else none."""
    if sharing.pending is None:
        return None
    try:
        size = sharing.pending.stat().st_size
    except OSError:  # the JVM wrote none (a JDK without a base archive, a full disk, ...)
        return None
    if jvm_exit_code != 0 or size == 0:
        sharing.pending.unlink(missing_ok=True)
        return None
    archive = sharing.folder / f"classes-{sharing.key}-{size}.jsa"
    sharing.pending.replace(archive)
    for older in sharing.folder.glob(f"classes-{sharing.key}-*.jsa"):
        if older != archive:
            older.unlink(missing_ok=True)
    return archive


def discard(sharing: Sharing) -> None:
    """Forget the archive a JVM could not start with, and anything it was writing."""
    for path in (sharing.archive, sharing.pending):
        if path is not None:
            path.unlink(missing_ok=True)


def launcher_word(option: str) -> str:
    """`option` as one word of `spark.driver.extraJavaOptions`, which Spark's launcher splits at
    unescaped blanks: a backslash before each blank, quote and backslash."""
    return re.sub(r"""([\s'"\\])""", r"\\\1", option)


def _size_matches(path: Path) -> bool:
    size = path.stem.rsplit("-", 1)[-1]
    try:
        return size.isdigit() and path.stat().st_size == int(size)
    except OSError:
        return False


def _java_binary() -> Path:
    """The java Spark's launcher runs: $JAVA_HOME/bin/java, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    found = Path(home, "bin", "java") if home else shutil.which("java")
    return Path(found).resolve() if found else Path("java")


def _remove_stale(folder: Path) -> None:
    cutoff = time.time() - STALE_SECONDS
    for path in folder.glob("classes-*.tmp"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue
