"""What serverless compute refuses, enforced in a local process (the twin's model of the platform).

On serverless compute a job's Python process has only a Spark Connect client: there is no SparkContext
and no RDD API, DataFrame caching is not supported, and only a short allow-list of Spark settings may
be set at run time (Databricks docs: "Serverless compute limitations" and "Configure Spark properties
for serverless notebooks and jobs"). `install()` makes each of those calls raise in this process, so
code that would fail on serverless fails here too. foreachBatch functions need no guard: over Spark
Connect they already run in a server-side worker, so state they append on the driver stays empty.

Standalone on purpose (no package-relative imports): the twin's wheel launcher imports it by path.
"""

from __future__ import annotations

import re

# The Spark settings serverless notebooks and jobs may set (the Databricks docs' list).
ALLOWED_SPARK_CONF = frozenset(
    {
        "spark.databricks.execution.timeout",
        "spark.sql.ansi.enabled",
        "spark.sql.files.maxPartitionBytes",
        "spark.sql.legacy.timeParserPolicy",
        "spark.sql.session.timeZone",
        "spark.sql.shuffle.partitions",
    }
)
_CACHING = ("persist", "cache", "unpersist", "checkpoint", "localCheckpoint")
_CATALOG_CACHING = ("cacheTable", "uncacheTable", "clearCache")
_SET_STATEMENT = re.compile(r"^\s*SET\s+(?P<key>[^\s=]+)\s*=", re.IGNORECASE)
_CACHE_STATEMENT = re.compile(r"^\s*(CACHE|UNCACHE|CLEAR\s+CACHE)\b", re.IGNORECASE)


class ServerlessLimitError(RuntimeError):
    """A call serverless compute does not support."""


def _refuse(what: str):
    def refused(*args: object, **kwargs: object):
        raise ServerlessLimitError(
            f"[NOT_SUPPORTED_WITH_SERVERLESS] {what} is not supported on serverless compute."
        )

    return refused


def check_conf_key(key: str) -> None:
    if key not in ALLOWED_SPARK_CONF:
        raise ServerlessLimitError(
            f"[CONFIG_NOT_AVAILABLE] Configuration {key} is not available on serverless compute; "
            f"settable: {', '.join(sorted(ALLOWED_SPARK_CONF))}."
        )


def install() -> None:
    """Apply the limits to this process (idempotent)."""
    import pyspark
    from pyspark.sql.connect.catalog import Catalog
    from pyspark.sql.connect.conf import RuntimeConf
    from pyspark.sql.connect.dataframe import DataFrame
    from pyspark.sql.connect.session import SparkSession

    if getattr(install, "done", False):
        return
    for name in _CACHING:
        setattr(DataFrame, name, _refuse(f"DataFrame.{name}()"))
    for name in _CATALOG_CACHING:
        setattr(Catalog, name, _refuse(f"spark.catalog.{name}()"))
    # No classic Spark in the process: the session is the platform's, over Spark Connect.
    pyspark.SparkContext.__init__ = _refuse("A SparkContext (classic Spark, RDDs)")

    original_set, original_sql = RuntimeConf.set, SparkSession.sql

    def guarded_set(self, key: str, value: object) -> None:
        check_conf_key(key)
        original_set(self, key, value)

    def guarded_sql(self, sqlQuery: str, *args: object, **kwargs: object):
        statement = _SET_STATEMENT.match(sqlQuery)
        if statement:
            check_conf_key(statement["key"])
        if _CACHE_STATEMENT.match(sqlQuery):
            _refuse("CACHE TABLE")()
        return original_sql(self, sqlQuery, *args, **kwargs)

    RuntimeConf.set = guarded_set
    SparkSession.sql = guarded_sql
    install.done = True
