import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.contracts.landing import CHANNELS, EVENT_TYPES
from {{ cookiecutter.package_name }}.data.generate import (
    CHANNEL_ORDER,
    EVENT_COLUMNS,
    LABEL_COLUMNS,
    generate,
)


def test_the_same_seed_gives_the_same_data() -> None:
    first, second = generate(rows=500, seed=7), generate(rows=500, seed=7)

    pd.testing.assert_frame_equal(first.events, second.events)
    pd.testing.assert_frame_equal(first.labels, second.labels)
    assert not generate(rows=500, seed=8).events.equals(first.events)


def test_the_generator_draws_exactly_the_channels_of_the_raw_file_contract() -> None:
    assert sorted(CHANNEL_ORDER) == sorted(CHANNELS)


def test_events_have_the_declared_shape_and_valid_values() -> None:
    events = generate(rows=2_000, seed=1).events

    assert tuple(events.columns) == EVENT_COLUMNS
    assert len(events) == 2_000
    assert events["event_id"].is_unique
    assert set(events["event_type"]) == set(EVENT_TYPES)
    assert set(events["channel"]) <= set(CHANNELS)
    assert (events["amount"] >= 0).all() and (events["session_minutes"] >= 0).all()
    purchases = events["event_type"] == "purchase"
    assert (events.loc[purchases, "items"] >= 1).all() and (events.loc[~purchases, "amount"] == 0).all()
    assert pd.to_datetime(events["event_ts"]).is_monotonic_increasing


def test_labels_come_every_30_days_after_60_days_of_history() -> None:
    data = generate(rows=1_000, seed=3, days=120)
    labels = data.labels

    assert tuple(labels.columns) == LABEL_COLUMNS
    assert sorted(labels["label_ts"].unique()) == [
        "2026-03-02T00:00:00Z",
        "2026-04-01T00:00:00Z",
        "2026-05-01T00:00:00Z",
    ]
    assert set(labels["churned"]) == {0, 1}
    assert set(labels["customer_id"]) >= set(data.events["customer_id"])


def test_drift_shifts_amounts_sessions_and_channels() -> None:
    calm = generate(rows=20_000, seed=5).events
    drifted = generate(rows=20_000, seed=5, drift=1.0).events

    def mean_amount(events: pd.DataFrame) -> float:
        return events.loc[events["event_type"] == "purchase", "amount"].mean()

    assert mean_amount(drifted) > 1.3 * mean_amount(calm)
    assert drifted["session_minutes"].mean() > calm["session_minutes"].mean() + 5
    assert (drifted["channel"] == "mobile_app").mean() > (calm["channel"] == "mobile_app").mean() + 0.05


def test_engaged_customers_churn_less() -> None:
    data = generate(rows=50_000, seed=11)
    activity = data.events.groupby("customer_id").size().rename("events")
    joined = data.labels.join(activity, on="customer_id").fillna({"events": 0})
    busy = joined["events"] > joined["events"].median()

    assert joined.loc[busy, "churned"].mean() < joined.loc[~busy, "churned"].mean() - 0.1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rows": 0}, "rows must be at least 1"),
        ({"rows": 10, "days": 30}, "days must be at least 61"),
        ({"rows": 10, "drift": -1}, "drift must be between 0 and 5"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate(**kwargs)
