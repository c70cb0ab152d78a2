"""The ways `score` can apply the champion (constants only: the CLI reads them before Spark starts)."""

NATIVE = "native"  # the sklearn flavor's pipeline with mapInArrow (native.py)
PYFUNC = "pyfunc"  # mlflow's spark_udf: any flavor
AUTO = "auto"  # native when the model has the sklearn flavor, else pyfunc
SCORING_PATHS = (AUTO, NATIVE, PYFUNC)
