"""The training set `train` and `validate` read: all of it up to the cap, a stable sample above."""

import dataclasses
from pathlib import Path

from pyspark.sql import functions as F

from {{ cookiecutter.package_name }}.config import TrainingLimits, load_config
from {{ cookiecutter.package_name }}.contracts.tables import Table
from {{ cookiecutter.package_name }}.features.training_set import sample_rows
from {{ cookiecutter.package_name }}.tables import overwrite_table, table_version
from {{ cookiecutter.package_name }}.training.sample import training_rows

from model_helpers import synthetic_training_set, training_set_frame

KEY = ["customer_id", "label_ts"]


def _keys(frame) -> list[tuple]:
    return sorted(tuple(row) for row in frame.select(*KEY).collect())


def test_a_sample_is_the_same_rows_whatever_the_partitioning(spark) -> None:
    rows = training_set_frame(spark, synthetic_training_set(customers=200))

    one, many = sample_rows(rows.repartition(1), 0.3), sample_rows(rows.repartition(5, "label_ts"), 0.3)

    assert _keys(one) == _keys(many)
    assert 0.2 * 600 < one.count() < 0.4 * 600  # 200 customers x 3 label dates
    assert sample_rows(rows, 1.0).count() == 600


def test_training_rows_sample_only_above_the_cap_and_say_so(spark, tmp_path: Path, log_lines) -> None:
    config = load_config("local", home=tmp_path)
    table = config.table(Table.TRAINING_SET)
    overwrite_table(training_set_frame(spark, synthetic_training_set(customers=200)), table)
    version = table_version(spark, table)
    capped = dataclasses.replace(config, training=TrainingLimits(max_rows=150))

    whole = training_rows(spark, config, version)
    assert not [line for line in log_lines if "max_rows" in line]  # the uncapped read logs nothing
    sampled = training_rows(spark, capped, version)
    assert [line for line in log_lines if "more than training.max_rows=150" in line]

    assert whole.count() == 600
    assert 100 < sampled.count() < 200
    assert _keys(sampled) == _keys(training_rows(spark, capped, version))  # validate reads the same rows
    assert sampled.where(F.col("label_ts").isNull()).count() == 0
