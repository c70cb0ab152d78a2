"""A seeded, realistic synthetic dataset for a churn classifier.

Customers have two hidden traits: engagement (how often they come and how much they spend) and
frustration (how often they contact support). Both show up in their events, and both drive whether
they churn, so features computed from past events predict the label without giving it away.
`drift` shifts the event distributions the way a changing population would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from ..features.schema import EVENTS, LABELS

# The raw-file contract (columns, allowed values) lives with ingestion; the generator follows it.
EVENT_COLUMNS = EVENTS.columns
LABEL_COLUMNS = LABELS.columns
# Channels in the order the generator draws them (the order fixes the data a seed produces).
CHANNEL_ORDER = ("web", "mobile_app", "store")
EVENTS_PER_CUSTOMER = 50
DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# Labels come every 30 days after day 60: fewer days give no label with 60 days of history.
MIN_DAYS = 61
MAX_DRIFT = 5.0


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
    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    if days < MIN_DAYS:
        raise ValueError(
            f"days must be at least {MIN_DAYS} so that labels have 60 days of history, got {days}"
        )
    if not 0.0 <= drift <= MAX_DRIFT:
        raise ValueError(f"drift must be between 0 and {MAX_DRIFT:g}, got {drift}")
    rng = np.random.default_rng(seed)
    customers = max(20, rows // EVENTS_PER_CUSTOMER)
    engagement = rng.normal(0.0, 1.0, customers)
    frustration = rng.normal(0.0, 1.0, customers)

    # Engaged customers produce more of the events.
    activity = np.exp(0.8 * engagement)
    owner = rng.choice(customers, size=rows, p=activity / activity.sum())
    seconds = rng.uniform(0, days * 86_400, rows).astype(np.int64)
    timestamps = pd.to_datetime(start) + pd.to_timedelta(seconds, unit="s")

    support_share = _sigmoid(-2.5 + 1.2 * frustration[owner])
    purchase_share = (1 - support_share) * _sigmoid(-0.8 + 0.6 * engagement[owner])
    draw = rng.uniform(size=rows)
    event_type = np.where(
        draw < support_share,
        "support_contact",
        np.where(draw < support_share + purchase_share, "purchase", "page_view"),
    )

    mobile_bias = min(0.9, 0.35 + 0.15 * drift)
    channel_probs = np.array([0.45, mobile_bias, 0.2])
    channel = rng.choice(CHANNEL_ORDER, size=rows, p=channel_probs / channel_probs.sum())

    is_purchase = event_type == "purchase"
    amount = np.where(
        is_purchase,
        np.round(rng.lognormal(3.2 + 0.3 * engagement[owner] + 0.35 * drift, 0.6), 2),
        0.0,
    )
    session_minutes = np.round(
        rng.gamma(2.0, 4.0 + 1.5 * engagement[owner].clip(-2, 2) + 3.0 + 4.0 * drift), 2
    )
    items = np.where(is_purchase, rng.poisson(1.5 + 0.5 * drift, rows) + 1, 0)

    events = pd.DataFrame(
        {
            "event_id": [f"E{seed}-{i:09d}" for i in range(rows)],
            "customer_id": [f"C{c:07d}" for c in owner],
            "event_ts": timestamps.strftime(TIMESTAMP_FORMAT),
            "event_type": event_type,
            "channel": channel,
            "amount": amount,
            "session_minutes": session_minutes,
            "items": items.astype(np.int64),
        },
        columns=list(EVENT_COLUMNS),
    ).sort_values(["event_ts", "event_id"], ignore_index=True)

    label_days = range(60, days + 1, 30)
    label_customer = np.tile(np.arange(customers), len(label_days))
    label_offset = np.repeat(np.array(label_days), customers)
    churn_logit = -1.0 - 1.2 * engagement[label_customer] + 1.0 * frustration[label_customer]
    churned = rng.uniform(size=label_customer.size) < _sigmoid(
        churn_logit + rng.normal(0, 0.3, label_customer.size)
    )
    label_ts = [(start + timedelta(days=int(offset))).strftime(TIMESTAMP_FORMAT) for offset in label_offset]
    labels = pd.DataFrame(
        {
            "customer_id": [f"C{c:07d}" for c in label_customer],
            "label_ts": label_ts,
            "churned": churned.astype(np.int64),
        },
        columns=list(LABEL_COLUMNS),
    )
    return GeneratedData(events=events, labels=labels)
