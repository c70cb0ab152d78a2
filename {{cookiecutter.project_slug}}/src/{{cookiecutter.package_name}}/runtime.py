"""The Databricks Runtime this project targets, recorded once.

pyproject.toml pins the matching pyspark and delta-spark in its dev extra; a test keeps the two in step.
"""

DATABRICKS_RUNTIME = "17.3 LTS"
SPARK_VERSION = "17.3.x-scala2.13"  # the cluster `spark_version` key of classic job clusters
SPARK_MINOR = "4.0"
DELTA_MINOR = "4.0"
PYTHON_VERSION = "{{ cookiecutter._python_version }}"

# Where and on what the Databricks jobs run (cookiecutter options `compute` and `cloud`), rendered once here.
COMPUTE = "{{ cookiecutter.compute }}"  # "serverless" or "classic"
SERVING = "{{ cookiecutter.serving }}"  # "endpoint": promote/rollback update a Model Serving endpoint
CLOUD = "{{ cookiecutter.cloud }}"  # picks the node type of classic job clusters
COMPUTE_CHOICES = ("serverless", "classic")
# Serverless environment version 4 = Python 3.12 with Databricks Connect 17 (Spark 4.0 API): the serverless
# counterpart of Runtime 17.3 LTS (version 3 is Python 3.12 too, but Connect 16.4 = Spark 3.5).
SERVERLESS_ENVIRONMENT_VERSION = "4"
# Classic job clusters: a general-purpose node type per cloud (4 vCPU, 16 GB each).
NODE_TYPES = {"aws": "m5d.xlarge", "azure": "Standard_D4ds_v5", "gcp": "n2-standard-4"}
