"""The short name of every table; `Config.table(name)` turns one into a table of an environment."""

from __future__ import annotations

from enum import StrEnum


class Table(StrEnum):
    BRONZE_EVENTS = "bronze_events"
    QUARANTINE_EVENTS = "quarantine_events"
    LABELS = "labels"
    QUARANTINE_LABELS = "quarantine_labels"
    INGEST_AUDIT = "ingest_audit"
    CUSTOMER_FEATURES = "customer_features"
    TRAINING_SET = "training_set"
    PREDICTIONS = "predictions"
    INFERENCE_LOG = "inference_log"
    MONITORING_METRICS = "monitoring_metrics"
    CHAMPION_BASELINES = "champion_baselines"
