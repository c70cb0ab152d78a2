"""Quality once labels arrive: the label join on key and time, AUC with ties, log loss."""

import math
from datetime import date, datetime

import pandas as pd
import pytest
from chispa import assert_df_equality

from {{ cookiecutter.package_name }}.monitoring.quality import (
    SCORE_GROUP_COLUMNS,
    Quality,
    labeled_predictions,
    measure_quality,
    quality_from_groups,
    score_groups,
)

INFERENCE_SCHEMA = "customer_id string, scoring_date date, as_of_ts timestamp, prediction double"
LABELS_SCHEMA = "customer_id string, label_ts timestamp, churned int"
AS_OF = datetime(2026, 3, 1)
DAY = date(2026, 3, 1)


def test_labels_join_at_or_after_the_prediction_within_the_horizon(spark) -> None:
    inference = spark.createDataFrame(
        [
            ("C1", DAY, AS_OF, 0.2),
            ("C2", DAY, AS_OF, 0.6),
            ("C3", DAY, AS_OF, 0.7),
            ("C4", DAY, AS_OF, 0.1),
            ("C5", DAY, AS_OF, None),
        ],
        INFERENCE_SCHEMA,
    )
    labels = spark.createDataFrame(
        [
            ("C1", datetime(2026, 2, 28), 1),  # before the prediction: not an outcome of it
            ("C1", AS_OF, 0),  # at as_of_ts: counts, and is the earliest
            ("C1", datetime(2026, 3, 15), 1),
            ("C2", datetime(2026, 3, 31), 1),  # exactly 30 days later: inside the horizon
            ("C3", datetime(2026, 3, 31, 0, 0, 1), 1),  # one second too late
            ("C5", AS_OF, 1),  # the prediction is missing
        ],
        LABELS_SCHEMA,
    )

    labeled = labeled_predictions(inference, labels, horizon_days=30)

    expected = spark.createDataFrame(
        [("C1", DAY, 0.2, 0), ("C2", DAY, 0.6, 1)],
        "customer_id string, scoring_date date, prediction double, churned int",
    )
    assert_df_equality(labeled, expected, ignore_row_order=True, ignore_nullable=True)


OUTCOMES = [(0.1, 0), (0.4, 0), (0.35, 1), (0.8, 1), (0.5, 0), (0.5, 1)]


def test_score_groups_count_classes_per_rounded_score(spark) -> None:
    labeled = spark.createDataFrame([*OUTCOMES, (0.50004, 1)], "prediction double, churned int")

    groups = score_groups(labeled).orderBy("score").collect()

    assert [(g.score, g.positives, g.negatives) for g in groups] == [
        (0.1, 0, 1),
        (0.35, 1, 0),
        (0.4, 0, 1),
        (0.5, 2, 1),  # 0.50004 rounds to 0.5
        (0.8, 1, 0),
    ]
    assert groups[3].log_loss_sum == pytest.approx(-math.log(0.5) * 2 - math.log(0.50004), rel=1e-12)


def test_auc_counts_ties_half_and_log_loss_is_the_mean(spark) -> None:
    labeled = spark.createDataFrame(OUTCOMES, "prediction double, churned int")
    groups = pd.DataFrame([row.asDict() for row in score_groups(labeled).collect()])

    quality = quality_from_groups(groups)

    # positives 0.35, 0.8, 0.5 against negatives 0.1, 0.4, 0.5: 1 + 3 + 2.5 of 9 pairs
    losses = [0.9, 0.6, 0.35, 0.8, 0.5, 0.5]
    assert quality.labeled_rows == 6
    assert quality.auc == pytest.approx(6.5 / 9, rel=1e-12)
    assert quality.log_loss == pytest.approx(-sum(math.log(p) for p in losses) / 6, rel=1e-12)


def test_a_single_class_has_no_auc_and_no_rows_have_nothing() -> None:
    one_class = pd.DataFrame([(0.3, 2, 0, 1.2)], columns=list(SCORE_GROUP_COLUMNS))
    empty = pd.DataFrame([], columns=list(SCORE_GROUP_COLUMNS))

    assert quality_from_groups(one_class) == Quality(2, None, 0.6)
    assert quality_from_groups(empty) == Quality(0, None, None)


def test_measure_quality_end_to_end_clips_certain_predictions(spark) -> None:
    inference = spark.createDataFrame([("C1", DAY, AS_OF, 1.0), ("C2", DAY, AS_OF, 0.0)], INFERENCE_SCHEMA)
    labels = spark.createDataFrame([("C1", AS_OF, 0), ("C2", AS_OF, 0)], LABELS_SCHEMA)

    quality = measure_quality(inference, labels, horizon_days=30)

    # clipped to [1e-15, 1 - 1e-15]: the certain wrong one costs -ln(1 - (1 - 1e-15)), not infinity
    expected = -(math.log(1 - (1 - 1e-15)) + math.log(1 - 1e-15)) / 2
    assert quality == Quality(2, None, pytest.approx(expected, rel=1e-12))
