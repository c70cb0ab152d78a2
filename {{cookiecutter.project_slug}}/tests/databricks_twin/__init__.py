"""A local Databricks twin for tests: the real databricks-sdk and MLflow clients talk HTTP to it.

See fake_workspace.py for what it models and how to use it.
"""
