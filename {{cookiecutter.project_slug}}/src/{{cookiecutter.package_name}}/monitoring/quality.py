"""Model quality once labels have arrived: labels joined to the inference log, AUC and log loss.

Spark joins and aggregates; the AUC is then computed from at most 10^SCORE_DECIMALS + 1 score groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from ..features.spec import ENTITY_COLUMN, LABEL_COLUMN, LABEL_TS_COLUMN
from ..inference.schema import AS_OF_COLUMN, PREDICTION_COLUMN, SCORING_DATE_COLUMN
from .drift import Statistic

MODEL_FEATURE = "model"  # the `feature` of quality metrics in the monitoring table
# Predictions are grouped on this many decimals for the AUC (ties within 1e-4 count as ties).
SCORE_DECIMALS = 4
# Probabilities are clipped to [EPSILON, 1 - EPSILON] for the log loss, like scikit-learn.
EPSILON = 1e-15
SCORE_GROUP_COLUMNS = ("score", "positives", "negatives", "log_loss_sum")


@dataclass(frozen=True)
class Quality:
    labeled_rows: int
    auc: float | None  # None when the labels hold a single class
    log_loss: float | None
    groups: pd.DataFrame | None = field(default=None, compare=False, repr=False)  # the score groups

    def statistics(self) -> list[Statistic]:
        rows = [Statistic(MODEL_FEATURE, "labeled_rows", float(self.labeled_rows))]
        if self.auc is not None:
            rows.append(Statistic(MODEL_FEATURE, "auc", self.auc))
        if self.log_loss is not None:
            rows.append(Statistic(MODEL_FEATURE, "log_loss", self.log_loss))
        return rows


def labeled_predictions(inference: DataFrame, labels: DataFrame, horizon_days: int) -> DataFrame:
    """(customer_id, scoring_date, prediction, churned) for predictions whose label has arrived.

    A label matches when label_ts is at or after the prediction's as_of_ts and at most `horizon_days`
    later; with several, the earliest one counts. Predictions without a matching label are left out.
    """
    as_of = F.col(f"p.{AS_OF_COLUMN}")
    label_ts = F.col(f"l.{LABEL_TS_COLUMN}").cast("timestamp")
    matched = inference.alias("p").join(
        labels.alias("l"),
        (F.col(f"p.{ENTITY_COLUMN}") == F.col(f"l.{ENTITY_COLUMN}"))
        & (label_ts >= as_of)
        & (label_ts <= as_of + F.make_interval(days=F.lit(horizon_days))),
    )
    return (
        matched.where(F.col(f"p.{PREDICTION_COLUMN}").isNotNull() & F.col(f"l.{LABEL_COLUMN}").isNotNull())
        .groupBy(F.col(f"p.{ENTITY_COLUMN}").alias(ENTITY_COLUMN), F.col(f"p.{SCORING_DATE_COLUMN}"))
        .agg(
            F.first(F.col(f"p.{PREDICTION_COLUMN}")).alias(PREDICTION_COLUMN),
            F.min_by(F.col(f"l.{LABEL_COLUMN}").cast("int"), label_ts).alias(LABEL_COLUMN),
        )
    )


def score_groups(labeled: DataFrame) -> DataFrame:
    """Per rounded score: positives, negatives and the summed log loss of the exact predictions."""
    p = F.least(F.greatest(F.col(PREDICTION_COLUMN), F.lit(EPSILON)), F.lit(1 - EPSILON))
    y = F.col(LABEL_COLUMN)
    loss = -(y * F.log(p) + (1 - y) * F.log(1 - p))
    return labeled.groupBy(F.round(PREDICTION_COLUMN, SCORE_DECIMALS).alias("score")).agg(
        F.sum(y).cast("long").alias("positives"),
        F.sum(1 - y).cast("long").alias("negatives"),
        F.sum(loss).alias("log_loss_sum"),
    )


def quality_from_groups(groups: pd.DataFrame) -> Quality:
    """AUC (ties count half) and mean log loss from `score_groups` rows."""
    groups = groups.sort_values("score")
    positives = groups["positives"].to_numpy(dtype=float)
    negatives = groups["negatives"].to_numpy(dtype=float)
    total_positive, total_negative = positives.sum(), negatives.sum()
    rows = int(total_positive + total_negative)
    if rows == 0:
        return Quality(0, None, None, groups)
    log_loss = float(groups["log_loss_sum"].sum() / rows)
    if total_positive == 0 or total_negative == 0:
        return Quality(rows, None, log_loss, groups)
    negatives_below = np.cumsum(negatives) - negatives
    auc = float(np.sum(positives * (negatives_below + 0.5 * negatives)) / (total_positive * total_negative))
    return Quality(rows, auc, log_loss, groups)


def measure_quality(inference: DataFrame, labels: DataFrame, horizon_days: int) -> Quality:
    """One Spark job: join, group, collect the groups; then the metrics on the driver."""
    groups = score_groups(labeled_predictions(inference, labels, horizon_days))
    frame = pd.DataFrame([row.asDict() for row in groups.collect()], columns=list(SCORE_GROUP_COLUMNS))
    return quality_from_groups(frame)
