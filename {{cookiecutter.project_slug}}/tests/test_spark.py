from {{ cookiecutter.package_name }}.spark import local_spark_conf


def test_the_shared_session_is_local_with_delta_and_few_partitions(spark, config) -> None:
    assert spark.sparkContext.master.startswith("local")
    assert spark.conf.get("spark.sql.shuffle.partitions") == str(config.shuffle_partitions)
    assert spark.conf.get("spark.sql.catalog.spark_catalog").endswith("DeltaCatalog")
    assert spark.conf.get("spark.ui.enabled") == "false"


def test_local_conf_keeps_delta_snapshots_small(config) -> None:
    conf = local_spark_conf(config)

    assert conf["spark.databricks.delta.snapshotPartitions"] == str(config.shuffle_partitions)
    assert conf["spark.sql.session.timeZone"] == "UTC"
