"""Generated data with --drift 1 is flagged; undrifted data is not, across several seeds.

The frames come from data.generate through the feature stage's transforms (the `generated` fixture in
conftest.py), not through the whole ingest/score pipeline, which would be too slow for a unit test.
"""

import pytest

from {{ cookiecutter.package_name }}.config import MonitoringThresholds
from {{ cookiecutter.package_name }}.features.spec import MODEL_FEATURES
from {{ cookiecutter.package_name }}.monitoring.analysis import WindowInputs, analyse_window

ROWS = 20_000
SEEDS = (1, 2, 3)
# What drift changes in the generator: session length and the mobile channel's share strongly (alerts);
# purchase amounts only mildly (PSI around the 0.1 warning level), so amount_30d is not asserted.
STRONG = {"avg_session_minutes_30d", "mobile_share_30d", "main_channel_30d"}
STABLE = {"events_30d", "purchases_30d", "support_contacts_30d", "days_since_last_activity"}


def _statuses(generated, seed: int, drift: float) -> dict[tuple[str, str], str]:
    baseline = generated.baseline(ROWS, seed)
    window = generated.window(ROWS, seed + 1000, drift)
    analysis = analyse_window(WindowInputs(baseline, window), MonitoringThresholds())
    assert analysis.features == MODEL_FEATURES
    assert analysis.predictions is None  # feature frames, no inference log
    return {(result.feature, result.metric): result.status for result in analysis.results}


def _flagged(statuses: dict[tuple[str, str], str], status: str) -> set[str]:
    return {feature for (feature, _), value in statuses.items() if value == status}


@pytest.mark.parametrize("seed", SEEDS)
def test_undrifted_data_raises_no_alert(generated, seed: int) -> None:
    statuses = _statuses(generated, seed, drift=0.0)

    assert _flagged(statuses, "alert") == set()


@pytest.mark.parametrize("seed", SEEDS)
def test_drifted_data_is_flagged_on_the_drifting_features(generated, seed: int) -> None:
    statuses = _statuses(generated, seed, drift=1.0)

    alerting = _flagged(statuses, "alert")
    assert alerting >= STRONG
    assert not alerting & STABLE
