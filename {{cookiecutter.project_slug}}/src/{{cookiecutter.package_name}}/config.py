"""All configuration in one typed place: one `Config` per environment.

`local` runs on this machine (Spark local[*] + Delta folders + sqlite MLflow under $LAKEHOUSE_HOME);
`dev`, `staging` and `prod` run as Databricks jobs against Unity Catalog. Code never branches on the
environment name: it reads the fields of `Config`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

ENVIRONMENTS = ("local", "dev", "staging", "prod")
LAKEHOUSE_HOME_VARIABLE = "LAKEHOUSE_HOME"
DEFAULT_LAKEHOUSE_HOME = ".lakehouse"

PROJECT_SLUG = "{{ cookiecutter.project_slug }}"
PACKAGE_NAME = "{{ cookiecutter.package_name }}"
SCHEMA_NAME = "{{ cookiecutter.schema_name }}"
CATALOGS = {
    "local": "{{ cookiecutter.dev_catalog }}",
    "dev": "{{ cookiecutter.dev_catalog }}",
    "staging": "{{ cookiecutter.staging_catalog }}",
    "prod": "{{ cookiecutter.prod_catalog }}",
}
# Workspace hosts for CI deployments; `dev` uses whatever the developer's Databricks auth points at.
WORKSPACE_HOSTS = {
    "staging": "{{ cookiecutter.databricks_staging_host }}",
    "prod": "{{ cookiecutter.databricks_prod_host }}",
}
MODEL_BASE_NAME = "churn_classifier"

# Short names of every table the lifecycle reads or writes.
TABLES = (
    "bronze_events",
    "quarantine_events",
    "labels",
    "quarantine_labels",
    "ingest_audit",
    "customer_features",
    "training_set",
    "predictions",
    "inference_log",
    "monitoring_metrics",
)


@dataclass(frozen=True)
class GateThresholds:
    """What a new model version must reach to become the challenger."""

    # Measured on the generated data (holdout = the last label date): the label noise caps AUC near
    # 0.75 at 100k events, ~0.72 at 20k (400 holdout rows, AUC std ~0.03), while models trained on
    # shuffled labels score 0.45-0.62 with log loss 0.61-0.66 (always predicting the base rate: 0.63).
    # 0.65 / 0.60 reject those and do not fail a sound model by sampling noise.
    min_auc: float = 0.65
    max_log_loss: float = 0.60
    # The new version may be worse than the champion's AUC by at most this much.
    max_auc_drop_vs_champion: float = 0.01


@dataclass(frozen=True)
class MonitoringThresholds:
    """Drift and quality limits; `warn` is reported, `alert` raises an alert."""

    psi_warn: float = 0.1
    psi_alert: float = 0.25
    ks_alert: float = 0.2
    chi2_p_value_alert: float = 0.001
    max_null_rate: float = 0.05
    min_auc: float = 0.65
    window_days: int = 7
    # Share of non-null values outside the baseline's [min, max] (numeric) or of categories the
    # baseline never saw (categorical). A few values beyond the extremes of a small baseline are normal;
    # a unit or encoding change moves far more than this.
    max_range_violation_rate: float = 0.05
    max_log_loss: float = 0.65
    # Numeric features are compared on this many quantile bins of the baseline (PSI and KS).
    quantile_bins: int = 10
    # A label counts for a prediction when it arrives at or after the prediction's as_of_ts, within this.
    label_horizon_days: int = 30
    # The environment variable holding the alert webhook URL (Slack-compatible); unset = no webhook.
    # On Databricks, set it on the job from a secret; never write the URL in a file.
    webhook_url_variable: str = "MONITORING_WEBHOOK_URL"
    # Start retraining when a metric alerts (`monitor --retrain-on-alert` overrides it either way).
    retrain_on_alert: bool = False


@dataclass(frozen=True)
class TableName:
    """A table as code addresses it: `identifier` works in SQL, `spark.table` and `saveAsTable`.

    Locally the identifier is path-based (delta.`<folder>`), so tables persist across processes
    without a metastore; on Databricks it is the Unity Catalog name catalog.schema.table.
    """

    short_name: str
    identifier: str
    path: str | None = None


@dataclass(frozen=True)
class Config:
    env: str
    catalog: str
    schema: str
    on_databricks: bool
    landing_path: str
    checkpoint_root: str
    state_root: str
    model_name: str
    experiment_name: str
    tracking_uri: str
    registry_uri: str
    mlflow_artifact_root: str | None
    gate: GateThresholds = field(default_factory=GateThresholds)
    monitoring: MonitoringThresholds = field(default_factory=MonitoringThresholds)
    shuffle_partitions: int = 4
    workspace_host: str | None = None

    def table(self, short_name: str) -> TableName:
        if short_name not in TABLES:
            raise ConfigError(f"unknown table {short_name!r}; known tables: {', '.join(TABLES)}")
        if self.on_databricks:
            return TableName(short_name, f"{self.catalog}.{self.schema}.{short_name}")
        path = f"{self.state_root}/warehouse/{self.catalog}/{self.schema}/{short_name}"
        return TableName(short_name, f"delta.`{path}`", path)

    def checkpoint(self, name: str) -> str:
        return f"{self.checkpoint_root}/{name}"


def lakehouse_home(explicit: str | Path | None = None) -> Path:
    """Where local state lives: the argument, else $LAKEHOUSE_HOME, else ./.lakehouse."""
    raw = explicit or os.environ.get(LAKEHOUSE_HOME_VARIABLE) or DEFAULT_LAKEHOUSE_HOME
    return Path(raw).expanduser().resolve()


def _local_config(home: Path) -> Config:
    catalog = CATALOGS["local"]
    return Config(
        env="local",
        catalog=catalog,
        schema=SCHEMA_NAME,
        on_databricks=False,
        landing_path=str(home / "landing"),
        checkpoint_root=str(home / "checkpoints"),
        state_root=str(home),
        model_name=f"{SCHEMA_NAME}.{MODEL_BASE_NAME}",
        experiment_name=f"{PROJECT_SLUG}-local",
        tracking_uri=f"sqlite:///{home / 'mlflow' / 'mlflow.db'}",
        registry_uri=f"sqlite:///{home / 'mlflow' / 'mlflow.db'}",
        mlflow_artifact_root=str(home / "mlflow" / "artifacts"),
        shuffle_partitions=4,
    )


def _databricks_config(env: str) -> Config:
    catalog = CATALOGS[env]
    volume = f"/Volumes/{catalog}/{SCHEMA_NAME}"
    return Config(
        env=env,
        catalog=catalog,
        schema=SCHEMA_NAME,
        on_databricks=True,
        landing_path=f"{volume}/landing",
        checkpoint_root=f"{volume}/checkpoints",
        state_root=f"{volume}/state",
        model_name=f"{catalog}.{SCHEMA_NAME}.{MODEL_BASE_NAME}",
        experiment_name=f"/Shared/{PROJECT_SLUG}/{env}",
        tracking_uri="databricks",
        registry_uri="databricks-uc",
        mlflow_artifact_root=None,
        shuffle_partitions=200,
        workspace_host=WORKSPACE_HOSTS.get(env),
        # Production gates are stricter than development ones.
        gate=GateThresholds(min_auc=0.75) if env == "prod" else GateThresholds(),
        # The scheduled monitoring job starts the training job when it raises an alert.
        monitoring=MonitoringThresholds(retrain_on_alert=True),
    )


def load_config(env: str = "local", home: str | Path | None = None) -> Config:
    """The configuration of one environment. `home` overrides $LAKEHOUSE_HOME (local only)."""
    if env not in ENVIRONMENTS:
        raise ConfigError(f"unknown environment {env!r}; choose one of: {', '.join(ENVIRONMENTS)}")
    if env == "local":
        return _local_config(lakehouse_home(home))
    return _databricks_config(env)
