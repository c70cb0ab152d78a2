"""The Databricks data-quality monitor on the inference log, kept by deploy-jobs like the jobs.

It profiles `inference_log` as a classification inference log (prediction, model version, scoring
time), per day and per main channel, into the project's schema, on a schedule. The table appears with
the first batch-inference run, and a monitor needs the table's id: until then the plan says `waiting`
and a later deploy creates it. An existing monitor is updated only in the fields whose value differs
(the `update_mask`); fields the service adds are ignored. The `monitor` command is the same idea run
by this project's code, on laptops and in CI as on Databricks (docs/deployment.md compares them).
"""

from __future__ import annotations

from dataclasses import dataclass

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound, ResourceAlreadyExists
from databricks.sdk.service.dataquality import Monitor

from ..config import load_config
from ..contracts.tables import Table
from ..features.spec import CATEGORICAL_FEATURES
from ..inference.schema import MODEL_VERSION_COLUMN, PREDICTED_LABEL_COLUMN, SCORED_AT_COLUMN
from ..workspace import call
from .compare import contains
from .jobs import TARGET_SETTINGS

MONITORED = Table.INFERENCE_LOG
SCHEDULE = "0 0 6 * * ?"  # UTC, after the monitoring job (05:00)
CONFIG = "data_profiling_config"


@dataclass(frozen=True)
class MonitorChange:
    action: str  # create | update | unchanged | waiting (no table yet)
    table: str
    monitor: dict | None = None  # the Monitor the workspace should have
    changed: tuple[str, ...] = ()  # for update: the fields of data_profiling_config that differ

    @property
    def writes(self) -> bool:
        return self.action in ("create", "update")

    def render(self) -> str:
        """The change as one line of a deployment plan."""
        detail = f" ({', '.join(self.changed)})" if self.changed else ""
        if self.action == "waiting":
            detail = " (no table yet: deploy again after the first batch-inference run)"
        return f"  {self.action:<10} data-quality monitor on {self.table}{detail}"


def profiling_config(target: str, schema_id: str) -> dict:
    """What this project sets in the monitor's `data_profiling_config` for `target`."""
    paused = TARGET_SETTINGS[target].schedules_paused
    return {
        "output_schema_id": schema_id,
        "inference_log": {
            "problem_type": "INFERENCE_PROBLEM_TYPE_CLASSIFICATION",
            "timestamp_column": SCORED_AT_COLUMN,
            "granularities": ["AGGREGATION_GRANULARITY_1_DAY"],
            "prediction_column": PREDICTED_LABEL_COLUMN,
            "model_id_column": MODEL_VERSION_COLUMN,
        },
        "slicing_exprs": list(CATEGORICAL_FEATURES),
        "schedule": {
            "quartz_cron_expression": SCHEDULE,
            "timezone_id": "UTC",
            # The data-quality API's own enum (not the Jobs API's PAUSED): the SDK drops other values.
            "pause_status": f"CRON_SCHEDULE_PAUSE_STATUS_{'PAUSED' if paused else 'UNPAUSED'}",
        },
    }


def plan_monitor(client: WorkspaceClient, target: str) -> MonitorChange:
    """Read the table and its monitor; what deploy-jobs should do. Makes no write call."""
    config = load_config(target, on_databricks=True)
    table = config.table(MONITORED).identifier
    table_id = _table_id(client, table)
    if table_id is None:
        return MonitorChange("waiting", table)
    schema_name = f"{config.catalog}.{config.schema}"
    schema = call(client, f"reading schema {schema_name}", client.schemas.get, schema_name)
    desired = {
        "object_type": "table",
        "object_id": table_id,
        CONFIG: profiling_config(target, schema.schema_id),
    }
    current = _current(client, table_id)
    if current is None:
        return MonitorChange("create", table, desired)
    changed = tuple(
        field
        for field, value in desired[CONFIG].items()
        if not contains(current.get(CONFIG, {}).get(field), value)
    )
    return MonitorChange("update" if changed else "unchanged", table, desired, changed)


def apply_monitor(client: WorkspaceClient, change: MonitorChange) -> None:
    """Create or update the monitor; one created meanwhile by someone else is updated instead."""
    if not change.writes or change.monitor is None:
        return
    monitor = Monitor.from_dict(change.monitor)
    fields = change.changed if change.action == "update" else tuple(change.monitor[CONFIG])
    mask = ",".join(f"{CONFIG}.{field}" for field in fields)

    def update() -> None:
        client.data_quality.update_monitor("table", change.monitor["object_id"], monitor, mask)

    def create_or_update() -> None:
        try:
            client.data_quality.create_monitor(monitor)
        except ResourceAlreadyExists:
            update()

    write = create_or_update if change.action == "create" else update
    call(client, f"{change.action[:-1]}ing the data-quality monitor on {change.table}", write)


def _table_id(client: WorkspaceClient, table: str) -> str | None:
    def read() -> str | None:
        try:
            return client.tables.get(table).table_id
        except NotFound:
            return None

    return call(client, f"reading table {table}", read)


def _current(client: WorkspaceClient, table_id: str) -> dict | None:
    def read() -> dict | None:
        try:
            return client.data_quality.get_monitor("table", table_id).as_dict()
        except NotFound:
            return None

    return call(client, "reading the data-quality monitor", read)
