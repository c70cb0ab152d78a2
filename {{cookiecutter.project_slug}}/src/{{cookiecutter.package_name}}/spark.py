"""The Spark session factory: the platform's session on Databricks, a local one with Delta elsewhere.

- Databricks (classic or serverless): the runtime's session.
- `SPARK_REMOTE` set: the Spark Connect server it names (Databricks Connect, or the local twin's
  serverless compute in tests).
- Locally with `Config.serverless`: a local Spark Connect server (`remote("local[*]")`), so the code
  runs as on serverless: a Connect client, foreachBatch on the server side.
- Locally otherwise: classic `local[*]`.

Delta's jars, locally: the first session asks for them as a Maven package (delta-spark's pip helper
sets `spark.jars.packages`), which Ivy resolves and downloads once into its cache (~/.ivy2.5.2). The
jar files that resolution gave are then recorded (`delta_jars_record`, one per delta-spark version),
and later sessions pass them as `spark.jars`: a new JVM skips the Ivy resolution (seconds on every
command). A record with a missing or truncated jar, or none for the installed delta-spark version,
sends the session back to the package route, which records again. That resolution runs first in a
child process whose output is kept unless it fails, so Ivy's report does not reach the terminal
(`--verbose` resolves in the command's own JVM, report shown). The Spark Connect local server gets
the same settings: it runs in a JVM of this process.

A local JVM maps its classes from a class-data sharing archive written once by a command's JVM
(class_sharing.py): seconds less at every start.

A command process stops the local session it started, and waits for its JVM, before it exits
(`stop_local_sessions`, called by cli.entry): no JVM or Python worker outlives the command.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyspark
from pyspark import SparkContext
from pyspark.sql import DataFrame, SparkSession

from . import class_sharing
from .config import PACKAGE_NAME, Config
from .progress import logger

REMOTE_VARIABLE = "SPARK_REMOTE"
# Seconds a stopped session's JVM gets to exit on its own before it is killed.
JVM_EXIT_SECONDS = 30
JAVA_OPTIONS = "spark.driver.extraJavaOptions"
QUIET_LOG4J = Path(__file__).with_name("log4j2-quiet.properties")
STATIC_CONF_REFUSED = r"Failed to set spark\.\S+ to .* due to \[CANNOT_MODIFY_CONFIG\]"
# The local sessions this process started (get_spark), stopped by stop_local_sessions.
_STARTED: list[SparkSession] = []
# The class archive this process's JVM writes when it exits, if it writes one (kept by stop_local_sessions).
_WRITING: list[class_sharing.Sharing] = []


def local_spark_conf(config: Config) -> dict[str, str]:
    """Settings that keep a one-machine session quick: few partitions, no UI, quiet progress."""
    partitions = str(config.shuffle_partitions)
    return {
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.shuffle.partitions": partitions,
        "spark.default.parallelism": partitions,
        "spark.databricks.delta.snapshotPartitions": partitions,
        "spark.sql.warehouse.dir": f"{config.state_root}/spark-warehouse",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # One thread per Python worker: local[*] already runs one worker per core, and OpenMP inside
        # each (scikit-learn's predict) would oversubscribe the cores.
        "spark.executorEnv.OMP_NUM_THREADS": "1",
        "spark.driver.memory": os.environ.get("SPARK_DRIVER_MEMORY", "4g"),
        # Local files without Hadoop's `.name.crc` side files: with them a file whose name holds a
        # `:` cannot be read (the side file's name is not a valid relative path).
        "spark.hadoop.fs.file.impl": "org.apache.hadoop.fs.RawLocalFileSystem",
    }


def get_spark(config: Config, app_name: str = PACKAGE_NAME) -> SparkSession:
    """The session this process should use (see the module docstring).

    A local session downloads the Delta jars from Maven Central on first use (cached in ~/.ivy2.5.2).
    """
    if config.on_databricks or REMOTE_VARIABLE in os.environ:
        return SparkSession.builder.getOrCreate()

    # Workers must run this interpreter (it has pandas, pyarrow, mlflow), on loopback only.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    record = delta_jars_record()
    if resolves_in_a_child(record):
        resolve_delta_jars(record)
    sharing = class_sharing.plan(cache_folder(), _versions())
    try:
        session, resolves = _local_session(config, app_name, record, sharing)
    except Exception:  # the JVM did not start: without the archive if it had one, else as it failed
        if not sharing.java_options:
            raise
        class_sharing.discard(sharing)
        sharing = class_sharing.Sharing(sharing.folder, sharing.key)
        session, resolves = _local_session(config, app_name, record, sharing)
        logger.warning("the Spark JVM did not start with its class archive: archive deleted, started without")
    if session not in _STARTED:
        _STARTED.append(session)
    if sharing.pending is not None:
        _WRITING.append(sharing)
    if resolves:
        _record_jars(session, record)
    if not config.serverless:
        session.sparkContext.setLogLevel(os.environ.get("SPARK_LOG_LEVEL", "ERROR"))
    return session


def _local_session(
    config: Config, app_name: str, record: Path, sharing: class_sharing.Sharing
) -> tuple[SparkSession, bool]:
    """A local session (Connect server with `serverless`); True if Ivy resolved the Delta jars."""
    master = os.environ.get("SPARK_MASTER", "local[*]")
    builder = (
        SparkSession.builder.remote(master) if config.serverless else SparkSession.builder.master(master)
    )
    for key, value in local_spark_conf(config).items():
        builder = builder.config(key, value)
    java_options = local_java_options(sharing)
    if java_options:
        builder = builder.config(JAVA_OPTIONS, java_options)
    builder, resolves = with_delta_jars(builder.appName(app_name), record)
    with warnings.catch_warnings():
        # A local Connect server starts with these settings, then its client sets them again on the
        # session, and Spark refuses each static one (in effect already) with a warning.
        warnings.filterwarnings("ignore", message=STATIC_CONF_REFUSED, category=UserWarning)
        return builder.getOrCreate(), resolves


def local_java_options(sharing: class_sharing.Sharing) -> str:
    """The local JVM's options: its class archive, and Spark's logging quiet unless the package logs at
    debug level (--verbose), in which case Spark's own log4j defaults apply."""
    options = [sharing.java_options] if sharing.java_options else []
    if not logger.isEnabledFor(logging.DEBUG):
        options.append(class_sharing.launcher_word(f"-Dlog4j2.configurationFile={QUIET_LOG4J}"))
    return " ".join(options)


def cache_folder() -> Path:
    """This package's folder in the user's cache: $XDG_CACHE_HOME (default ~/.cache)/<package>."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", PACKAGE_NAME)


def _versions() -> tuple[str, ...]:
    """What a class archive depends on besides the JDK: this pyspark (its jars) and delta-spark."""
    return (pyspark.__version__, str(Path(pyspark.__file__).parent), version("delta-spark"))


def delta_jars_record(delta_version: str | None = None) -> Path:
    """Where the jar files of the installed (or the given) delta-spark version are recorded:
    <cache folder>/delta-spark-<version>.jars, one path a line."""
    return cache_folder() / f"delta-spark-{delta_version or version('delta-spark')}.jars"


def recorded_jars(record: Path) -> list[str] | None:
    """The recorded jar files, or None unless there is a record and each of its files is a whole jar
    (a zip whose end, written last, is there: a download cut short is not)."""
    try:
        jars = [line for line in record.read_text().splitlines() if line.strip()]
    except OSError:
        return None
    whole = jars and all(Path(jar).is_file() and zipfile.is_zipfile(jar) for jar in jars)
    return jars if whole else None


def with_delta_jars(builder: SparkSession.Builder, record: Path) -> tuple[SparkSession.Builder, bool]:
    """The builder with the recorded Delta jars as `spark.jars` when they are all there, else with
    delta-spark's package for Ivy to resolve (`spark.jars.packages`); True in the second case."""
    jars = recorded_jars(record)
    if jars is not None:
        return builder.config("spark.jars", ",".join(jars)), False
    # Only here: delta-spark's pip helper is a local dependency (the dev extra), not on Databricks.
    from delta import configure_spark_with_delta_pip

    return configure_spark_with_delta_pip(builder), True


def resolves_in_a_child(record: Path) -> bool:
    """Whether a child process should resolve the Delta jars first: there is no whole record, the
    command is not --verbose, and a record can be written (else every command would start it again)."""
    if recorded_jars(record) is not None or logger.isEnabledFor(logging.DEBUG):
        return False
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(record.parent, os.W_OK)


def resolve_delta_jars(record: Path) -> None:
    """Have Ivy resolve delta-spark's package in a child process's JVM and record the jars, keeping its
    resolution report out of the terminal. Failing, it says why; the session then resolves in its own
    JVM, where Ivy reports the error itself."""
    logger.info(
        "spark: resolving the Delta Lake jars (first session for delta-spark %s here)", version("delta-spark")
    )
    child = f"import sys; from pathlib import Path; from {PACKAGE_NAME}.spark import record_delta_jars; "
    child += "record_delta_jars(Path(sys.argv[1]))"
    result = subprocess.run(
        [sys.executable, "-c", child, str(record)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0 or recorded_jars(record) is None:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        logger.warning(
            "resolving the Delta Lake jars in a child process failed (exit %s):\n%s", result.returncode, tail
        )


def record_delta_jars(record: Path) -> None:
    """A bare local JVM with delta-spark's package (Ivy resolves it), its jars recorded, stopped."""
    from delta import configure_spark_with_delta_pip

    builder = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
    session = configure_spark_with_delta_pip(builder).getOrCreate()
    _record_jars(session, record)
    session.stop()
    _end_jvm(JVM_EXIT_SECONDS)


def _record_jars(session: SparkSession, record: Path) -> None:
    """Record the jar files Ivy resolved (Spark lists them in `spark.jars`) for the next sessions.

    Best effort: a record that cannot be written only means the next session resolves again.
    """
    uris = [uri for uri in session.conf.get("spark.jars", "").split(",") if uri]
    jars = [unquote(urlsplit(uri).path) if uri.startswith("file:") else uri for uri in uris]
    if not jars:
        return
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=record.parent, delete=False, suffix=".tmp") as file:
            file.write("".join(f"{jar}\n" for jar in jars))
        Path(file.name).replace(record)  # whole or absent, even with several sessions starting at once
    except OSError as error:
        logger.debug("Delta jars not recorded in %s: %s", record, error)


def stop_local_sessions(timeout_seconds: float = JVM_EXIT_SECONDS) -> None:
    """Stop the local sessions this process started and wait for their JVM (with its Python workers)
    to exit; at the end of a command process (cli.entry). A JVM that writes the class archive gets
    longer, and the archive is kept only if it exited cleanly. The session of a Databricks runtime or of
    a Spark Connect server (not started here) is not touched."""
    if not _STARTED:
        return
    while _STARTED:
        _STARTED.pop().stop()
    exit_code = _end_jvm(timeout_seconds + (class_sharing.WRITE_SECONDS if _WRITING else 0))
    while _WRITING:
        class_sharing.keep(_WRITING.pop(), exit_code)


def _end_jvm(timeout_seconds: float) -> int | None:
    """Close the local JVM's stdin and wait for it to exit (killed after `timeout_seconds`); its exit
    code, or None without a JVM of this process."""
    # pyspark keeps the JVM's process as `proc` on its gateway "for use by the caller" (java_gateway.py)
    # and leaves it running after stop(); the JVM exits when its stdin closes.
    gateway = SparkContext._gateway
    process: subprocess.Popen | None = getattr(gateway, "proc", None)
    if gateway is None or process is None:
        return None
    gateway.shutdown()
    SparkContext._gateway = SparkContext._jvm = None
    if process.stdin is not None:
        process.stdin.close()
    try:
        return process.wait(timeout_seconds)
    except subprocess.TimeoutExpired:
        logger.warning("the Spark JVM did not exit %s s after its session stopped: killed", timeout_seconds)
        process.kill()
        return process.wait()


@contextmanager
def cached(df: DataFrame, config: Config) -> Iterator[DataFrame]:
    """`df` cached for the several actions run on it inside the block, then released.

    Serverless compute cannot cache (persist() is refused there): it gets `df` as it is and recomputes.
    """
    if config.serverless:
        yield df
        return
    persisted = df.persist()
    try:
        yield persisted
    finally:
        persisted.unpersist()
