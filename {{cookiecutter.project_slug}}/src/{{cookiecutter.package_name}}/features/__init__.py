"""Feature stage: ingest raw files to bronze (with quarantine), compute features, build training sets.

- spec.py: the feature contract (keys, feature names, label, training-set columns).
- schema.py: the raw-file contract (columns, types, keys, allowed values, ranges) per landing dataset.
- validation.py: pure rules -> reasons per row, deduplication, quarantine rows.
- ingest.py: incremental, exactly-once file ingestion (file source locally, Auto Loader on Databricks).
- transforms.py: pure 30-day customer features per (customer_id, feature_ts).
- lookup.py: the point-in-time lookup shared by training and scoring.
- training_set.py: labels + point-in-time features -> the training set.
- commands.py: the `ingest` and `features` CLI commands.
"""
