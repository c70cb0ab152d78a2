import logging
import re
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from {{ cookiecutter.package_name }}.class_sharing import Sharing
from {{ cookiecutter.package_name }}.progress import logger
from {{ cookiecutter.package_name }}.spark import (
    QUIET_LOG4J,
    STATIC_CONF_REFUSED,
    delta_jars_record,
    local_java_options,
    local_spark_conf,
    recorded_jars,
    resolves_in_a_child,
    with_delta_jars,
)


def test_the_shared_session_is_local_with_delta_and_few_partitions(spark, config) -> None:
    assert spark.sparkContext.master.startswith("local")
    assert spark.conf.get("spark.sql.shuffle.partitions") == str(config.shuffle_partitions)
    assert spark.conf.get("spark.sql.catalog.spark_catalog").endswith("DeltaCatalog")
    assert spark.conf.get("spark.ui.enabled") == "false"


def test_local_conf_keeps_delta_snapshots_small(config) -> None:
    conf = local_spark_conf(config)

    assert conf["spark.databricks.delta.snapshotPartitions"] == str(config.shuffle_partitions)
    assert conf["spark.sql.session.timeZone"] == "UTC"


# --- Delta's jars: Ivy resolves them once, later sessions reuse the files ---------------------------
def _jar(path: Path) -> str:
    with zipfile.ZipFile(path, "w") as jar:
        jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    return str(path)


@pytest.fixture
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A record of two whole jars, in a cache of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    record = delta_jars_record()
    record.parent.mkdir(parents=True)
    jars = [_jar(tmp_path / "delta-spark.jar"), _jar(tmp_path / "delta-storage.jar")]
    record.write_text("\n".join(jars) + "\n")
    return record


def _resolves(record: Path) -> bool:
    return with_delta_jars(SparkSession.Builder(), record)[1]


def test_the_record_is_per_installed_delta_version_in_the_user_cache(record: Path, tmp_path: Path) -> None:
    assert record == tmp_path / "cache" / record.parent.name / f"delta-spark-{version('delta-spark')}.jars"
    assert delta_jars_record("9.9.9") != record


def test_a_complete_record_skips_the_ivy_resolution(record: Path, tmp_path: Path) -> None:
    assert recorded_jars(record) == [str(tmp_path / "delta-spark.jar"), str(tmp_path / "delta-storage.jar")]
    assert _resolves(record) is False


def test_without_a_record_for_the_installed_version_ivy_resolves(record: Path) -> None:
    other_version = delta_jars_record("9.9.9")

    assert recorded_jars(other_version) is None
    assert _resolves(other_version) is True


@pytest.mark.parametrize("damage", ["deleted", "truncated", "empty record"])
def test_a_missing_or_cut_short_jar_sends_the_session_back_to_ivy(
    damage: str, record: Path, tmp_path: Path
) -> None:
    jar = tmp_path / "delta-storage.jar"
    if damage == "deleted":
        jar.unlink()
    elif damage == "truncated":  # a download cut short: the zip's end, written last, is missing
        jar.write_bytes(jar.read_bytes()[:20])
    else:
        record.write_text("\n")

    assert recorded_jars(record) is None
    assert _resolves(record) is True


def test_only_a_missing_record_that_can_be_written_is_resolved_in_a_child_process(
    record: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = delta_jars_record("9.9.9")
    assert (resolves_in_a_child(record), resolves_in_a_child(missing)) == (False, True)

    previous = logger.level
    try:
        logger.setLevel(logging.DEBUG)  # --verbose: Ivy reports in the command's JVM
        assert resolves_in_a_child(missing) is False
    finally:
        logger.setLevel(previous)

    # A cache folder that cannot be created: each command would start the child again for nothing.
    (tmp_path / "not-a-folder").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    assert resolves_in_a_child(delta_jars_record()) is False


def test_the_shared_session_loaded_the_recorded_jars_of_the_installed_delta(spark) -> None:
    """Whichever route it took, the session ends with a record naming the jars it runs with."""
    jars = recorded_jars(delta_jars_record())

    assert jars is not None
    names = [Path(jar).name for jar in jars]
    assert any("delta-spark_" in name and name.endswith(f"-{version('delta-spark')}.jar") for name in names)
    assert [Path(uri).name for uri in spark.conf.get("spark.jars").split(",")] == names


# --- what the local JVM prints ---------------------------------------------------------------------
def test_spark_logs_errors_only_unless_the_package_logs_at_debug(tmp_path: Path) -> None:
    archive = Sharing(tmp_path, "key", archive=tmp_path / "classes-key-10.jsa")
    previous = logger.level
    try:
        logger.setLevel(logging.INFO)
        quiet = local_java_options(archive)
        logger.setLevel(logging.DEBUG)
        verbose = local_java_options(archive)
    finally:
        logger.setLevel(previous)

    assert quiet == f"{archive.java_options} -Dlog4j2.configurationFile={QUIET_LOG4J}"
    assert verbose == archive.java_options
    assert "rootLogger.level = ${env:SPARK_LOG_LEVEL:-error}" in QUIET_LOG4J.read_text()


def test_the_connect_warnings_filtered_are_the_static_settings_refused() -> None:
    """The message Spark Connect's client warns with (pyspark/sql/connect/conf.py), as seen locally."""
    refused = (
        "Failed to set spark.sql.warehouse.dir to Some(/tmp/home/spark-warehouse) due to "
        '[CANNOT_MODIFY_CONFIG] Cannot modify the value of the Spark config: "spark.sql.warehouse.dir".'
    )
    other = "Failed to set spark.sql.shuffle.partitions to Some(x) due to [INVALID_CONF_VALUE] bad"

    assert re.match(STATIC_CONF_REFUSED, refused)
    assert not re.match(STATIC_CONF_REFUSED, other)
