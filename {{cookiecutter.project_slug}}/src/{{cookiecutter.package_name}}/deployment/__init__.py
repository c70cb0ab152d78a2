"""Deployment stage: champion/challenger aliases, rollback, and Databricks jobs as code."""
