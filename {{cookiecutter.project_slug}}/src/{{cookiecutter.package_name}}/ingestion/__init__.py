"""Ingestion stage: landing files -> bronze tables, rejected rows to quarantine, every row accounted for.

- rules.py: pure row rules -> reasons per line, deduplication, quarantine rows.
- ingest.py: incremental, exactly-once file ingestion (file source locally, Auto Loader on Databricks).
- commands.py: the `ingest` CLI command.
The raw-file contract itself (columns, types, keys) is contracts/landing.py.
"""
