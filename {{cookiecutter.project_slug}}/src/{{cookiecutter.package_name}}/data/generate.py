"""A seeded, realistic synthetic dataset for a churn classifier.

Customers have two hidden traits: engagement (how often they come and how much they spend) and
frustration (how often they contact support). Both show up in their events, and both drive whether
they churn, so features computed from past events predict the label without giving it away.
`drift` shifts the event distributions the way a changing population would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from ..contracts.landing import EVENTS, LABELS, UTC_STRFTIME
from ..contracts.units import SECONDS_PER_DAY
from .spec import DEFAULT_START, MAX_DRIFT, MIN_DAYS

# The raw-file contract (columns, allowed values) lives with ingestion; the generator follows it.
EVENT_COLUMNS = EVENTS.columns
LABEL_COLUMNS = LABELS.columns
# Channels in the order the generator draws them (the order fixes the data a seed produces).
CHANNEL_ORDER = ("web", "mobile_app", "store")
EVENTS_PER_CUSTOMER = 50


@dataclass(frozen=True)
class GeneratedData:
    events: pd.DataFrame
    labels: pd.DataFrame


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def generate(
    rows: int,
    seed: int = 42,
    drift: float = 0.0,
    start: datetime = DEFAULT_START,
    days: int = 120,
) -> GeneratedData:
    """`rows` events over `days` days from `start`, plus churn labels every 30 days after day 60."""
    _check_arguments(rows, days, drift)
    # Every step draws from this one generator in turn: the order of the steps fixes the data of a seed.
    rng = np.random.default_rng(seed)
    customers = max(20, rows // EVENTS_PER_CUSTOMER)
    engagement = rng.normal(0.0, 1.0, customers)
    frustration = rng.normal(0.0, 1.0, customers)
    events = _events(rng, rows, seed, drift, start, days, engagement, frustration)
    labels = _labels(rng, start, days, engagement, frustration)
    return GeneratedData(events=events, labels=labels)


def _check_arguments(rows: int, days: int, drift: float) -> None:
    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    if days < MIN_DAYS:
        raise ValueError(
            f"days must be at least {MIN_DAYS} so that labels have 60 days of history, got {days}"
        )
    if not 0.0 <= drift <= MAX_DRIFT:
        raise ValueError(f"drift must be between 0 and {MAX_DRIFT:g}, got {drift}")


def _events(
    rng: np.random.Generator,
    rows: int,
    seed: int,
    drift: float,
    start: datetime,
    days: int,
    engagement: np.ndarray,
    frustration: np.ndarray,
) -> pd.DataFrame:
    """The event table, sorted by time: who, when, what, where and how much."""
    # Engaged customers produce more of the events.
    activity = np.exp(0.8 * engagement)
    owner = rng.choice(engagement.size, size=rows, p=activity / activity.sum())
    seconds = rng.uniform(0, days * SECONDS_PER_DAY, rows).astype(np.int64)
    timestamps = pd.to_datetime(start) + pd.to_timedelta(seconds, unit="s")
    event_type = _event_types(rng, engagement[owner], frustration[owner])
    channel = _channels(rng, rows, drift)
    amount, session_minutes, items = _event_measures(rng, event_type == "purchase", engagement[owner], drift)
    return pd.DataFrame(
        {
            "event_id": [f"E{seed}-{i:09d}" for i in range(rows)],
            "customer_id": [f"C{c:07d}" for c in owner],
            "event_ts": timestamps.strftime(UTC_STRFTIME),
            "event_type": event_type,
            "channel": channel,
            "amount": amount,
            "session_minutes": session_minutes,
            "items": items.astype(np.int64),
        },
        columns=list(EVENT_COLUMNS),
    ).sort_values(["event_ts", "event_id"], ignore_index=True)


def _event_types(rng: np.random.Generator, engagement: np.ndarray, frustration: np.ndarray) -> np.ndarray:
    """Frustrated customers contact support more, engaged ones purchase more; the rest are page views."""
    support_share = _sigmoid(-2.5 + 1.2 * frustration)
    purchase_share = (1 - support_share) * _sigmoid(-0.8 + 0.6 * engagement)
    draw = rng.uniform(size=engagement.size)
    return np.where(
        draw < support_share,
        "support_contact",
        np.where(draw < support_share + purchase_share, "purchase", "page_view"),
    )


def _channels(rng: np.random.Generator, rows: int, drift: float) -> np.ndarray:
    """Drift moves the population towards the mobile app."""
    mobile_bias = min(0.9, 0.35 + 0.15 * drift)
    channel_probs = np.array([0.45, mobile_bias, 0.2])
    return rng.choice(CHANNEL_ORDER, size=rows, p=channel_probs / channel_probs.sum())


def _event_measures(
    rng: np.random.Generator, is_purchase: np.ndarray, engagement: np.ndarray, drift: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Amount, session minutes and items per event; only purchases have an amount and items."""
    amount = np.where(
        is_purchase,
        np.round(rng.lognormal(3.2 + 0.3 * engagement + 0.35 * drift, 0.6), 2),
        0.0,
    )
    session_minutes = np.round(rng.gamma(2.0, 4.0 + 1.5 * engagement.clip(-2, 2) + 3.0 + 4.0 * drift), 2)
    items = np.where(is_purchase, rng.poisson(1.5 + 0.5 * drift, is_purchase.size) + 1, 0)
    return amount, session_minutes, items


def _labels(
    rng: np.random.Generator,
    start: datetime,
    days: int,
    engagement: np.ndarray,
    frustration: np.ndarray,
) -> pd.DataFrame:
    """One churn label per customer every 30 days from day 60, driven by the same hidden traits."""
    label_days = range(60, days + 1, 30)
    customers = engagement.size
    label_customer = np.tile(np.arange(customers), len(label_days))
    label_offset = np.repeat(np.array(label_days), customers)
    churn_logit = -1.0 - 1.2 * engagement[label_customer] + 1.0 * frustration[label_customer]
    churned = rng.uniform(size=label_customer.size) < _sigmoid(
        churn_logit + rng.normal(0, 0.3, label_customer.size)
    )
    label_ts = [(start + timedelta(days=int(offset))).strftime(UTC_STRFTIME) for offset in label_offset]
    return pd.DataFrame(
        {
            "customer_id": [f"C{c:07d}" for c in label_customer],
            "label_ts": label_ts,
            "churned": churned.astype(np.int64),
        },
        columns=list(LABEL_COLUMNS),
    )
