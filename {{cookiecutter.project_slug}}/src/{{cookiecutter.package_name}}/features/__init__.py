"""Feature stage: bronze -> point-in-time customer features -> training sets.

- spec.py: the feature contract (keys, feature names, label, training-set columns).
- transforms.py: pure 30-day customer features per (customer_id, feature_ts).
- lookup.py: the point-in-time lookup shared by training and scoring.
- training_set.py: labels + point-in-time features -> the training set.
- build.py: what `features` does: bronze -> the feature table (MERGE) -> the training set table.
- commands.py: the `features` CLI command.
"""
