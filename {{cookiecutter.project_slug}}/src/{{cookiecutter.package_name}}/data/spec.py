"""The generator's bounds, shared by the generator and the arguments that shape a dataset."""

from datetime import UTC, datetime

DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)
# Labels come every 30 days after day 60: fewer days give no label with 60 days of history.
MIN_DAYS = 61
MAX_DRIFT = 5.0
