"""Customer features from bronze events: pure functions, DataFrame in and DataFrame out.

One row per (customer_id, feature_ts) where feature_ts is the midnight (UTC) ending a day on which the
customer had events. Each row aggregates the customer's events in [feature_ts - 30 days, feature_ts):
events at exactly feature_ts belong to the next day's row. Late events land in their event-time window
because everything is recomputed from bronze; duplicate event_ids count once.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from ..contracts.landing import CHANNELS, MOBILE_CHANNEL, PURCHASE, SUPPORT_CONTACT
from ..contracts.units import SECONDS_PER_DAY
from .spec import ENTITY_COLUMN, FEATURE_COLUMNS, FEATURE_TS_COLUMN, WINDOW_DAYS

# Amounts and minutes are summed as exact decimals, so the result never depends on summation order
# (a rerun then rewrites no row because of floating-point noise).
_EXACT = "decimal(24,6)"


def distinct_events(events: DataFrame) -> DataFrame:
    """One row per event_id (the earliest event_ts, then the smallest customer_id, wins)."""
    first = Window.partitionBy("event_id").orderBy(
        F.col("event_ts").asc_nulls_last(), F.col(ENTITY_COLUMN).asc_nulls_last()
    )
    return events.withColumn("__rank", F.row_number().over(first)).where("__rank = 1").drop("__rank")


def daily_activity(events: DataFrame) -> DataFrame:
    """Per customer and active day (`day` = days since 1970-01-01 UTC): sums the window can add up."""
    kind = F.col("event_type")
    day = F.floor(F.unix_seconds(F.col("event_ts")) / SECONDS_PER_DAY).cast("int")
    return (
        distinct_events(events)
        .where(F.col(ENTITY_COLUMN).isNotNull() & F.col("event_ts").isNotNull())
        .groupBy(F.col(ENTITY_COLUMN), day.alias("day"))
        .agg(
            F.count(F.lit(1)).alias("events"),
            F.count(F.when(kind == PURCHASE, True)).alias("purchases"),
            F.sum(F.when(kind == PURCHASE, F.col("amount").cast(_EXACT))).alias("amount"),
            F.count(F.when(kind == SUPPORT_CONTACT, True)).alias("support_contacts"),
            F.sum(F.col("session_minutes").cast(_EXACT)).alias("session_minutes"),
            F.count("session_minutes").alias("sessions_timed"),
            *[
                F.count(F.when(F.col("channel") == channel, True)).alias(f"channel_{channel}")
                for channel in CHANNELS
            ],
        )
    )


def customer_features(events: DataFrame) -> DataFrame:
    """Bronze events -> FEATURE_COLUMNS, one row per (customer_id, feature_ts) with the 30-day aggregates.

    `main_channel_30d` is the most frequent channel, ties going to the alphabetically first one; null
    when no event in the window has a channel. Averages and shares ignore nulls in their inputs;
    `avg_session_minutes_30d` is null when no event has session minutes.
    """
    trailing = Window.partitionBy(ENTITY_COLUMN).orderBy("day").rangeBetween(-(WINDOW_DAYS - 1), 0)

    def total(column: str):
        return F.sum(column).over(trailing)

    events_30d = total("events")
    session_total = total("session_minutes")
    sessions_timed = total("sessions_timed")
    # The highest count wins; on ties the greatest -rank, i.e. the alphabetically first channel.
    ranked = [
        F.struct(
            total(f"channel_{channel}").alias("count"),
            F.lit(-rank).alias("rank"),
            F.lit(channel).alias("channel"),
        )
        for rank, channel in enumerate(sorted(CHANNELS))
    ]
    top = F.greatest(*ranked) if len(ranked) > 1 else ranked[0]
    columns = {
        ENTITY_COLUMN: F.col(ENTITY_COLUMN),
        FEATURE_TS_COLUMN: F.timestamp_seconds((F.col("day") + 1).cast("bigint") * SECONDS_PER_DAY),
        "events_30d": events_30d,
        "purchases_30d": total("purchases"),
        "amount_30d": F.coalesce(total("amount"), F.lit(0)).cast("double"),
        "support_contacts_30d": total("support_contacts"),
        "avg_session_minutes_30d": F.try_divide(session_total.cast("double"), sessions_timed),
        "mobile_share_30d": F.try_divide(total(f"channel_{MOBILE_CHANNEL}"), events_30d).cast("double"),
        "main_channel_30d": F.when(top["count"] > 0, top["channel"]),
    }
    return daily_activity(events).select(*[columns[name].alias(name) for name in FEATURE_COLUMNS])
