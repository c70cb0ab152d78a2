"""The ground floor: names every stage shares, defined once. Imports nothing from the package.

- landing.py: the raw-file contract (columns, types, keys, allowed values, ranges) per landing dataset.
- tables.py: the short name of every table.
- model.py: registry aliases, model-version tags, the decision threshold.
- units.py: units the stages count in.
"""
