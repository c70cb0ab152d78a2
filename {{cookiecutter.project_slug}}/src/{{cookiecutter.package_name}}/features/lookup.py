"""Point-in-time lookup: for each spine row, the latest feature row known at its as-of timestamp.

Training (spine = labels at label_ts) and batch scoring (spine = customers at the scoring time) both
call `point_in_time_lookup`, so a model is scored on features built exactly the way it was trained on.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from ..contracts.units import SECONDS_PER_DAY
from .spec import (
    CATEGORICAL_FEATURES,
    ENTITY_COLUMN,
    FEATURE_TS_COLUMN,
    LOOKUP_NUMERIC_FEATURES,
    STORED_NUMERIC_FEATURES,
)

# Columns the lookup adds to the spine, in this order.
LOOKUP_COLUMNS = (
    FEATURE_TS_COLUMN,
    *STORED_NUMERIC_FEATURES,
    *LOOKUP_NUMERIC_FEATURES,
    *CATEGORICAL_FEATURES,
)
# Feature columns carried from the feature row to the spine row.
_CARRIED = (FEATURE_TS_COLUMN, *STORED_NUMERIC_FEATURES, *CATEGORICAL_FEATURES)
_TS = "__pit_ts"
_IS_SPINE = "__pit_is_spine"
_SPINE = "__pit_spine"
_FEATURES = "__pit_features"


def point_in_time_lookup(features: DataFrame, spine: DataFrame, as_of_column: str) -> DataFrame:
    """The spine's columns plus the features of the latest feature row with feature_ts <= as-of.

    `features` holds one row per (customer_id, feature_ts); `spine` holds customer_id and
    `as_of_column` (timestamp or date). A feature row stamped exactly at the as-of time is used: it was
    computed from events strictly before it. Spine rows without an earlier feature row (or with a null
    key or as-of) are kept, with null features. Added columns: LOOKUP_COLUMNS, where
    days_since_last_activity = (as-of - feature_ts) in days.

    Spine and feature rows are unioned and ordered per customer by time (feature rows first on ties);
    each spine row takes the last feature row before it. No join, so no cross-product per customer.
    """
    _check_inputs(features, spine, as_of_column)
    timeline = _timeline(features, spine, as_of_column)
    return _spine_with_features(_latest_features(timeline), spine.columns)


def _check_inputs(features: DataFrame, spine: DataFrame, as_of_column: str) -> None:
    _require(spine, (ENTITY_COLUMN, as_of_column), "spine")
    _require(
        features,
        (ENTITY_COLUMN, FEATURE_TS_COLUMN, *STORED_NUMERIC_FEATURES, *CATEGORICAL_FEATURES),
        "features",
    )
    clashes = sorted(set(spine.columns) & set(LOOKUP_COLUMNS))
    if clashes:
        raise ValueError(
            f"the spine already has column(s) {clashes} that the lookup adds; drop or rename them"
        )


def _timeline(features: DataFrame, spine: DataFrame, as_of_column: str) -> DataFrame:
    """Spine and feature rows in one frame: customer, time, which kind, and the row itself as a struct.

    Each row fills the struct of its own kind and leaves the other null, so the union lines up.
    """
    spine_struct = F.struct(*[F.col(f"`{column}`") for column in spine.columns])
    feature_struct = F.struct(*[F.col(column) for column in _CARRIED])
    spine_type = spine.select(spine_struct.alias(_SPINE)).schema[_SPINE].dataType
    feature_type = features.select(feature_struct.alias(_FEATURES)).schema[_FEATURES].dataType
    entity_type = spine.schema[ENTITY_COLUMN].dataType

    spine_rows = spine.select(
        F.col(ENTITY_COLUMN).alias(ENTITY_COLUMN),
        F.col(f"`{as_of_column}`").cast("timestamp").alias(_TS),
        F.lit(True).alias(_IS_SPINE),
        spine_struct.alias(_SPINE),
        F.lit(None).cast(feature_type).alias(_FEATURES),
    )
    feature_rows = features.where(
        F.col(ENTITY_COLUMN).isNotNull() & F.col(FEATURE_TS_COLUMN).isNotNull()
    ).select(
        F.col(ENTITY_COLUMN).cast(entity_type).alias(ENTITY_COLUMN),
        F.col(FEATURE_TS_COLUMN).cast("timestamp").alias(_TS),
        F.lit(False).alias(_IS_SPINE),
        F.lit(None).cast(spine_type).alias(_SPINE),
        feature_struct.alias(_FEATURES),
    )
    return spine_rows.unionByName(feature_rows)


def _latest_features(timeline: DataFrame) -> DataFrame:
    """The spine rows, each with the struct of the last feature row up to its time (null as-of: none)."""
    history = (
        Window.partitionBy(ENTITY_COLUMN)
        .orderBy(F.col(_TS).asc_nulls_first(), F.col(_IS_SPINE).asc())
        .rowsBetween(Window.unboundedPreceding, Window.currentRow)
    )
    latest = F.last(_FEATURES, ignorenulls=True).over(history)
    return timeline.withColumn(_FEATURES, F.when(F.col(_TS).isNotNull(), latest)).where(F.col(_IS_SPINE))


def _spine_with_features(matched: DataFrame, spine_columns: list[str]) -> DataFrame:
    """The spine's own columns, then LOOKUP_COLUMNS unpacked from the matched feature struct."""
    feature_ts = F.col(f"{_FEATURES}.{FEATURE_TS_COLUMN}")
    days_since = (F.unix_micros(F.col(_TS)) - F.unix_micros(feature_ts)) / (SECONDS_PER_DAY * 1_000_000)
    added = {
        FEATURE_TS_COLUMN: feature_ts,
        **{name: F.col(f"{_FEATURES}.{name}") for name in (*STORED_NUMERIC_FEATURES, *CATEGORICAL_FEATURES)},
        LOOKUP_NUMERIC_FEATURES[0]: days_since.cast("double"),
    }
    return matched.select(
        *[F.col(f"{_SPINE}.`{column}`").alias(column) for column in spine_columns],
        *[added[name].alias(name) for name in LOOKUP_COLUMNS],
    )


def _require(frame: DataFrame, columns: tuple[str, ...], role: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"the {role} frame lacks column(s) {missing}; it has {frame.columns}")
