"""Data-quality monitors (`/api/data-quality/v1/monitors`, databricks-sdk's `data_quality`) on tables.

As the SDK's `DataQualityAPI` and its `Monitor` shape describe it: a monitor is keyed by object type and
id (a table's `table_id`, not its name); creating a second one on the same table is refused; reading or
updating one that does not exist is a 404; an update changes only the fields its `update_mask` names.
The server fills in what it owns (status, version, metric table names, dashboard). Nothing is computed:
refreshes, metric tables and dashboards need a real workspace.
"""

from __future__ import annotations

from .catalog import UnityCatalog
from .server import ApiError, FakeRequest

MONITORS = "/api/data-quality/v1/monitors"
INFERENCE_LOG_REQUIRED = (
    "problem_type",
    "timestamp_column",
    "granularities",
    "prediction_column",
    "model_id_column",
)


class DataQuality:
    def __init__(self, catalog: UnityCatalog) -> None:
        self.catalog = catalog
        self.monitors: dict[tuple[str, str], dict] = {}

    def _table(self, object_type: str, object_id: str) -> dict:
        if object_type != "table":
            raise ApiError(
                400, "INVALID_PARAMETER_VALUE", f"object_type {object_type!r}: this twin monitors tables"
            )
        table = self.catalog.table_by_id(object_id)
        if table is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Table with id {object_id} does not exist.")
        return table

    def _check_config(self, config: dict) -> None:
        schema_ids = {schema["schema_id"] for schema in self.catalog.schemas.values()}
        if config.get("output_schema_id") not in schema_ids:
            raise ApiError(
                404, "RESOURCE_DOES_NOT_EXIST", f"Schema {config.get('output_schema_id')} does not exist."
            )
        missing = [name for name in INFERENCE_LOG_REQUIRED if not config.get("inference_log", {}).get(name)]
        if "inference_log" in config and missing:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"inference_log lacks {missing}")

    def _create(self, request: FakeRequest) -> dict:
        body = request.json or {}
        key = (str(body.get("object_type", "")), str(body.get("object_id", "")))
        table = self._table(*key)
        config = body.get("data_profiling_config")
        if config is None:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", "a table monitor needs data_profiling_config")
        self._check_config(config)
        if key in self.monitors:
            raise ApiError(
                409, "RESOURCE_ALREADY_EXISTS", f"Monitor on table {table['full_name']} already exists."
            )
        output = next(
            s for s in self.catalog.schemas.values() if s["schema_id"] == config["output_schema_id"]
        )
        self.monitors[key] = {
            "object_type": key[0],
            "object_id": key[1],
            "data_profiling_config": {
                **config,
                "monitored_table_name": table["full_name"],
                "monitor_version": 1,
                "status": "DATA_PROFILING_STATUS_ACTIVE",
                "profile_metrics_table_name": f"{output['full_name']}.{table['name']}_profile_metrics",
                "drift_metrics_table_name": f"{output['full_name']}.{table['name']}_drift_metrics",
                "dashboard_id": f"dashboard-{len(self.monitors) + 1}",
            },
        }
        return self.monitors[key]

    def _require(self, request: FakeRequest) -> dict:
        key = (request.params["object_type"], request.params["object_id"])
        self._table(*key)
        if key not in self.monitors:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"No monitor on {key[0]} {key[1]}.")
        return self.monitors[key]

    def _update(self, request: FakeRequest) -> dict:
        monitor = self._require(request)
        paths = [path for path in str(request.query.get("update_mask", "")).split(",") if path]
        if not paths:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", "update_mask is required")
        body = request.json or {}
        for path in paths:
            section, _, field = path.partition(".")
            if section != "data_profiling_config" or not field or "." in field:
                raise ApiError(400, "INVALID_PARAMETER_VALUE", f"cannot update {path!r}")
            new = body.get(section, {})
            if field in new:
                monitor[section][field] = new[field]
            else:
                monitor[section].pop(field, None)
        self._check_config(monitor["data_profiling_config"])
        monitor["data_profiling_config"]["monitor_version"] += 1
        return monitor

    def _delete(self, request: FakeRequest) -> None:
        monitor = self._require(request)
        del self.monitors[(monitor["object_type"], monitor["object_id"])]

    def routes(self) -> dict:
        one = MONITORS + "/{object_type}/{object_id}"
        return {
            ("POST", MONITORS): self._create,
            ("GET", one): self._require,
            ("PATCH", one): self._update,
            ("DELETE", one): self._delete,
        }
