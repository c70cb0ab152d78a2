"""All configuration in one typed place: one `Config` per environment.

`local` runs on this machine (Spark local[*] + Delta folders + sqlite MLflow under $LAKEHOUSE_HOME);
`dev`, `staging` and `prod` run as Databricks jobs against Unity Catalog. Code never branches on the
environment name: it reads the fields of `Config`.

Where a workspace environment runs decides how names resolve. Inside the Databricks runtime tables are
Unity Catalog names and volumes are `/Volumes/<catalog>/<schema>/<volume>`. Anywhere else the
environment's data is only emulated, and only when asked for: with LAKEHOUSE_EMULATE_WORKSPACE=1
(`EMULATE_WORKSPACE_VARIABLE`; the local Databricks twin in tests/ sets it for its job tasks) its tables
and volume folders live under $LAKEHOUSE_HOME (`warehouse/<catalog>/...`, `Volumes/<catalog>/...`, so
they never mix with `local`), while MLflow, jobs and secrets still go to the workspace the Databricks
auth points at. Without the switch the CLI refuses its data commands off Databricks
(`require_data_access`); commands that only call the workspace API (deploy-jobs, run-job, seed-data)
run anywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .contracts.tables import Table
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
# Seconds one Databricks API call may take, retries included (workspace.py; --timeout overrides it).
WORKSPACE_TIMEOUT_SECONDS = 30
# Workspace hosts for CI deployments; `dev` uses whatever the developer's Databricks auth points at.
WORKSPACE_HOSTS = {
    "staging": "{{ cookiecutter.databricks_staging_host }}",
    "prod": "{{ cookiecutter.databricks_prod_host }}",
}
MODEL_BASE_NAME = "churn_classifier"
# Told by e-mail when a deployed job fails or runs long (template input; TARGET_SETTINGS in jobs.py).
NOTIFICATION_EMAIL_LIST = "{{ cookiecutter.notification_emails }}"
NOTIFICATION_EMAILS = tuple(
    address.strip() for address in NOTIFICATION_EMAIL_LIST.split(",") if address.strip()
)
# Unity Catalog volumes the project uses (deploy-jobs creates them): raw files, streaming checkpoints,
# reports and other state, and the deployed wheels (a volume of their own, so that write access to
# data never includes write access to the code the jobs run).
LANDING_VOLUME, CHECKPOINTS_VOLUME, STATE_VOLUME, ARTIFACTS_VOLUME = (
    "landing",
    "checkpoints",
    "state",
    "artifacts",
)
VOLUMES = (LANDING_VOLUME, CHECKPOINTS_VOLUME, STATE_VOLUME, ARTIFACTS_VOLUME)
# Where `mlflow ui` serves the local tracking store by default: run links and the run-all summary name it.
LOCAL_MLFLOW_UI = "http://127.0.0.1:5000"
# Workspace folder of the MLflow experiments (one per environment). Nothing else lives under it:
# a folder created at an experiment's path would make that experiment impossible to create.
EXPERIMENTS_FOLDER = f"/Shared/{PROJECT_SLUG}/experiments"
# Set by the Databricks runtime in every job and notebook (classic and serverless).
DATABRICKS_RUNTIME_VARIABLE = "DATABRICKS_RUNTIME_VERSION"
# "1": off Databricks, emulate a workspace environment's tables and volumes under $LAKEHOUSE_HOME.
EMULATE_WORKSPACE_VARIABLE = "LAKEHOUSE_EMULATE_WORKSPACE"

# Short names of every table the lifecycle reads or writes.
TABLES = tuple(Table)


@dataclass(frozen=True)
class IngestRules:
    """What ingestion accepts beyond the file contract (contracts/landing.py); the rest is quarantined."""

    # Timestamps before this are implausible: a default date, a unit or time-zone mix-up upstream.
    earliest_timestamp: datetime = datetime(2000, 1, 1, tzinfo=UTC)
    # Timestamps after their row's ingestion time plus this are in the future. The margin allows for
    # clocks that differ a little; one future date would otherwise move scoring and monitoring there.
    max_clock_skew: timedelta = timedelta(minutes=15)


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
class TrainingLimits:
    """What `train` and `validate` bring to the driver (scikit-learn trains in one process)."""

    # A training set above this many rows is sampled on the Spark side to about this many (the same
    # rows for `train` and `validate`). 1M rows x the model features is ~100 MB of pandas and a few
    # minutes of fitting on 2 cores; the generated data reaches it at ~25M events.
    max_rows: int = 1_000_000


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
    # The alert webhook URL (Slack-compatible), never written in a file: locally the environment
    # variable below; in workspace environments this key of the environment's secret scope
    # (`Config.secret_scope`). Unset or absent = no webhook.
    webhook_url_variable: str = "MONITORING_WEBHOOK_URL"
    webhook_secret_key: str = "monitoring-webhook-url"
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
    # Running inside the Databricks runtime: Unity Catalog tables, Auto Loader, /Volumes paths.
    on_databricks: bool
    # MLflow tracking and registry, jobs and secrets live in a Databricks workspace (not local sqlite).
    uses_workspace: bool
    # Serverless compute's limits apply: no caching, only allow-listed Spark settings, foreachBatch
    # runs away from the driver. Jobs on serverless pass `--serverless`; locally it runs the same code
    # over a Spark Connect server that enforces those limits (spark.py).
    serverless: bool
    landing_path: str
    checkpoint_root: str
    state_root: str
    # Path-based Delta tables live under this folder; None: Unity Catalog names.
    warehouse_root: str | None
    model_name: str
    experiment_name: str
    tracking_uri: str
    registry_uri: str
    mlflow_artifact_root: str | None
    ingest: IngestRules = field(default_factory=IngestRules)
    gate: GateThresholds = field(default_factory=GateThresholds)
    training: TrainingLimits = field(default_factory=TrainingLimits)
    monitoring: MonitoringThresholds = field(default_factory=MonitoringThresholds)
    shuffle_partitions: int = 4
    workspace_host: str | None = None
    # The workspace secret scope of this environment (alert webhook); None locally.
    secret_scope: str | None = None

    def table(self, short_name: str) -> TableName:
        if short_name not in TABLES:
            raise ConfigError(f"unknown table {short_name!r}; known tables: {', '.join(TABLES)}")
        if self.warehouse_root is None:
            return TableName(short_name, f"{self.catalog}.{self.schema}.{short_name}")
        path = f"{self.warehouse_root}/{self.catalog}/{self.schema}/{short_name}"
        return TableName(short_name, f"delta.`{path}`", path)

    def checkpoint(self, name: str) -> str:
        return f"{self.checkpoint_root}/{name}"


def running_on_databricks() -> bool:
    return DATABRICKS_RUNTIME_VARIABLE in os.environ


def emulating_workspace() -> bool:
    return os.environ.get(EMULATE_WORKSPACE_VARIABLE) == "1"


def require_data_access(config: Config) -> None:
    """Refuse a workspace environment's data off Databricks unless its emulation is switched on."""
    if config.uses_workspace and not config.on_databricks and not emulating_workspace():
        raise ConfigError(
            f"--env {config.env} keeps its data in the Databricks workspace: run this there as a job "
            "(deploy-jobs, then run-job), use --env local on this machine, "
            f"or set {EMULATE_WORKSPACE_VARIABLE}=1 to emulate the workspace's tables and volumes "
            f"under ${LAKEHOUSE_HOME_VARIABLE}"
        )


def lakehouse_home(explicit: str | Path | None = None) -> Path:
    """Where local state lives: the argument, else $LAKEHOUSE_HOME, else ./.lakehouse."""
    raw = explicit or os.environ.get(LAKEHOUSE_HOME_VARIABLE) or DEFAULT_LAKEHOUSE_HOME
    return Path(raw).expanduser().resolve()


def _local_config(home: Path, serverless: bool) -> Config:
    catalog = CATALOGS["local"]
    return Config(
        env="local",
        catalog=catalog,
        schema=SCHEMA_NAME,
        on_databricks=False,
        uses_workspace=False,
        serverless=serverless,
        landing_path=str(home / "landing"),
        checkpoint_root=str(home / "checkpoints"),
        state_root=str(home),
        warehouse_root=str(home / "warehouse"),
        model_name=f"{SCHEMA_NAME}.{MODEL_BASE_NAME}",
        experiment_name=f"{PROJECT_SLUG}-local",
        tracking_uri=f"sqlite:///{home / 'mlflow' / 'mlflow.db'}",
        registry_uri=f"sqlite:///{home / 'mlflow' / 'mlflow.db'}",
        mlflow_artifact_root=str(home / "mlflow" / "artifacts"),
        shuffle_partitions=4,
    )


def _workspace_config(env: str, home: Path, serverless: bool, on_databricks: bool) -> Config:
    catalog = CATALOGS[env]
    volumes = f"{'/Volumes' if on_databricks else home / 'Volumes'}/{catalog}/{SCHEMA_NAME}"
    return Config(
        env=env,
        catalog=catalog,
        schema=SCHEMA_NAME,
        on_databricks=on_databricks,
        uses_workspace=True,
        serverless=serverless,
        landing_path=f"{volumes}/{LANDING_VOLUME}",
        checkpoint_root=f"{volumes}/{CHECKPOINTS_VOLUME}",
        state_root=f"{volumes}/{STATE_VOLUME}",
        warehouse_root=None if on_databricks else str(home / "warehouse"),
        model_name=f"{catalog}.{SCHEMA_NAME}.{MODEL_BASE_NAME}",
        experiment_name=f"{EXPERIMENTS_FOLDER}/{env}",
        tracking_uri="databricks",
        registry_uri="databricks-uc",
        mlflow_artifact_root=None,
        shuffle_partitions=200 if on_databricks else 4,
        workspace_host=WORKSPACE_HOSTS.get(env),
        secret_scope=f"{PROJECT_SLUG}-{env}",
        # Production gates are stricter than development ones.
        gate=GateThresholds(min_auc=0.75) if env == "prod" else GateThresholds(),
        # The scheduled monitoring job starts the training job when it raises an alert.
        monitoring=MonitoringThresholds(retrain_on_alert=True),
    )


def load_config(
    env: str = "local",
    home: str | Path | None = None,
    serverless: bool = False,
    on_databricks: bool | None = None,
) -> Config:
    """The configuration of one environment.

    `home` overrides $LAKEHOUSE_HOME (state off Databricks); `serverless` applies serverless compute's
    limits; `on_databricks` defaults to whether this process runs in the Databricks runtime.
    """
    if env not in ENVIRONMENTS:
        raise ConfigError(f"unknown environment {env!r}; choose one of: {', '.join(ENVIRONMENTS)}")
    if on_databricks is None:
        on_databricks = running_on_databricks()
    if env == "local":
        if on_databricks:
            raise ConfigError(
                "--env local keeps its state on this machine; "
                "on Databricks run with --env dev, staging or prod"
            )
        return _local_config(lakehouse_home(home), serverless)
    return _workspace_config(env, lakehouse_home(home), serverless, on_databricks)
