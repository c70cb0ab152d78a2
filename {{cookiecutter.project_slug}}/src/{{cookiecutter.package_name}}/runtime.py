"""The Databricks Runtime this project targets, recorded once.

pyproject.toml pins the matching pyspark and delta-spark in its dev extra; a test keeps the two in step.
"""

DATABRICKS_RUNTIME = "17.3 LTS"
SPARK_VERSION = "17.3.x-scala2.13"  # the cluster `spark_version` key of classic job clusters
SPARK_MINOR = "4.0"
DELTA_MINOR = "4.0"
PYTHON_VERSION = "{{ cookiecutter.python_version }}"
