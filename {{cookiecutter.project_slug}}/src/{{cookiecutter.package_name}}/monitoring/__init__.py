"""Monitoring stage: drift and quality metrics, alerts, the retraining trigger and the report."""
