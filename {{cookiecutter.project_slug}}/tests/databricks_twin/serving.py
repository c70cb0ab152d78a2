"""Model Serving endpoints: create, get, update the served entities, the AI Gateway, and invocations.

As on Databricks (REST reference and `databricks.sdk.service.serving` 0.162, whose `from_dict` shapes
these bodies follow):
- a new config is not served at once: the endpoint shows it as `pending_config` with
  `state.config_update` IN_PROGRESS (and keeps serving the old `config`; a new endpoint is NOT_READY)
  until the rollout finishes, here after `rollout_polls` reads of the endpoint. Updating the config
  while a rollout is in progress is refused with 409 RESOURCE_CONFLICT. Finishing a rollout loads each
  served model version from the Unity Catalog registry (as Databricks builds its container); a version
  that does not load fails the update (UPDATE_FAILED, the old config stays served);
- a served entity must be an existing READY model version of the twin's registry (`with_mlflow()`);
- `ai_gateway.inference_table_config` needs an existing catalog and schema, and its catalog, schema
  and table-name prefix cannot change while it is enabled ("you have to disable inference table first",
  SDK field docs); `PUT .../ai-gateway` replaces the whole AI Gateway config and answers it
  (`PutAiGatewayResponse`);
- `POST /serving-endpoints/{name}/invocations` runs MLflow's own scoring-server code on the served
  version (the container of a custom model endpoint runs it too): `{"predictions": [...]}`, or
  MLflow's 400 error when the request does not match the model's signature, with the
  `served-model-name` response header. With inference tables on, each answered request is recorded in
  `payloads[<catalog>.<schema>.<prefix>_payload]` (Databricks writes it asynchronously).
Assumptions where Databricks documents nothing: a query to an endpoint that serves no ready config
gets 400 BAD_REQUEST; an unknown model version gets the registry's 404.

The endpoint checks need the twin's Unity Catalog: `ServingEndpoints(catalog)` (FakeWorkspace wires it).
"""

from __future__ import annotations

import json
import re
import time
import uuid

from .catalog import UnityCatalog
from .server import ApiError, FakeRequest, FakeResponse
from .workspace import CURRENT_USER

NAME = re.compile(r"[A-Za-z0-9_-]{1,63}")
WORKLOAD_SIZES = ("Small", "Medium", "Large")
TABLE_KEYS = ("catalog_name", "schema_name", "table_name_prefix")


def _now() -> int:
    return int(time.time() * 1000)


class ServingEndpoints:
    def __init__(self, catalog: UnityCatalog | None = None, rollout_polls: int = 1) -> None:
        self.catalog = catalog
        self.rollout_polls = rollout_polls
        self.endpoints: dict[str, dict] = {}
        self.payloads: dict[str, list[dict]] = {}  # inference table -> logged requests and responses
        self._polls_left: dict[str, int] = {}
        self._models: dict[tuple[str, str], object] = {}  # (model, version) -> loaded pyfunc model

    def routes(self) -> dict:
        return {
            ("POST", "/api/2.0/serving-endpoints"): self._create,
            ("GET", "/api/2.0/serving-endpoints/{name}"): self._get,
            ("PUT", "/api/2.0/serving-endpoints/{name}/config"): self._update_config,
            ("PUT", "/api/2.0/serving-endpoints/{name}/ai-gateway"): self._put_ai_gateway,
            ("POST", "/serving-endpoints/{name}/invocations"): self._invocations,
        }

    # --- the registry and catalog behind the endpoints ----------------------------------------------
    def _require_catalog(self) -> UnityCatalog:
        if self.catalog is None:
            raise ApiError(
                501,
                "NOT_IMPLEMENTED",
                "The twin's serving endpoints need its Unity Catalog: ServingEndpoints(catalog).",
            )
        return self.catalog

    def _model_folder(self, name: str, version: str):
        """The files of a registered version; the registry's namespace exists once MLflow is served."""
        catalog = self._require_catalog()
        if "Models" not in catalog.namespaces:
            raise ApiError(
                501,
                "NOT_IMPLEMENTED",
                "Serving a model needs the twin's model registry: FakeWorkspace.with_mlflow().",
            )
        try:
            return catalog.local_path(f"/Models/{name.replace('.', '/')}/{version}")
        except ApiError:
            raise ApiError(
                404, "RESOURCE_DOES_NOT_EXIST", f"Model version {version} of '{name}' does not exist."
            ) from None

    def _load(self, name: str, version: str) -> object:
        if (name, version) not in self._models:
            import mlflow.pyfunc

            self._models[(name, version)] = mlflow.pyfunc.load_model(str(self._model_folder(name, version)))
        return self._models[(name, version)]

    # --- endpoint state --------------------------------------------------------------------------
    def _require(self, name: str) -> dict:
        if name not in self.endpoints:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Endpoint with name '{name}' does not exist.")
        return self.endpoints[name]

    def _served_entities(self, served: list[dict]) -> list[dict]:
        if not served:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", "The config must have at least one served entity.")
        entities = []
        for entity in served:
            name, version = str(entity.get("entity_name") or ""), str(entity.get("entity_version") or "")
            if entity.get("workload_size") not in WORKLOAD_SIZES:
                size, sizes = entity.get("workload_size"), ", ".join(WORKLOAD_SIZES)
                message = f"Invalid workload_size {size!r}: one of {sizes}."
                raise ApiError(400, "INVALID_PARAMETER_VALUE", message)
            self._model_folder(name, version)
            entities.append(
                {
                    **entity,
                    "name": entity.get("name") or f"{name.replace('.', '-')}-{version}",
                    "state": {"deployment": "DEPLOYMENT_CREATING", "deployment_state_message": ""},
                    "creator": CURRENT_USER,
                    "creation_timestamp": _now(),
                }
            )
        return entities

    def _start_rollout(self, endpoint: dict, served: list[dict]) -> None:
        entities = self._served_entities(served)
        routes = [{"served_model_name": entities[0]["name"], "traffic_percentage": 100}]
        endpoint["pending_config"] = {
            "served_entities": entities,
            "traffic_config": {"routes": routes},
            "config_version": endpoint.get("config", {}).get("config_version", 0) + 1,
            "start_time": _now(),
        }
        endpoint["state"]["config_update"] = "IN_PROGRESS"
        endpoint["last_updated_timestamp"] = _now()
        self._polls_left[endpoint["name"]] = self.rollout_polls

    def _advance(self, endpoint: dict) -> None:
        name = endpoint["name"]
        if endpoint["state"]["config_update"] != "IN_PROGRESS":
            return
        if self._polls_left[name] > 0:
            self._polls_left[name] -= 1
            return
        pending = endpoint.pop("pending_config")
        try:
            for entity in pending["served_entities"]:
                self._load(entity["entity_name"], entity["entity_version"])
        except Exception:  # a version that does not load fails the deployment, as on Databricks
            endpoint["state"]["config_update"] = "UPDATE_FAILED"
            return
        for entity in pending["served_entities"]:
            entity["state"] = {"deployment": "DEPLOYMENT_READY", "deployment_state_message": ""}
        endpoint["config"] = {
            key: pending[key] for key in ("served_entities", "traffic_config", "config_version")
        }
        endpoint["state"] = {"ready": "READY", "config_update": "NOT_UPDATING"}

    # --- the AI Gateway ----------------------------------------------------------------------------
    def _gateway(self, name: str, body: dict | None, current: dict | None) -> dict | None:
        if not body:
            return None
        table = body.get("inference_table_config")
        if table and table.get("enabled"):
            if not table.get("catalog_name") or not table.get("schema_name"):
                message = "catalog_name and schema_name are required to enable inference tables."
                raise ApiError(400, "INVALID_PARAMETER_VALUE", message)
            self._require_catalog().require_schema(table["catalog_name"], table["schema_name"])
            table = {"table_name_prefix": name, **table}  # the Serving UI's default prefix
            old = (current or {}).get("inference_table_config") or {}
            if old.get("enabled") and any(old.get(key) != table.get(key) for key in TABLE_KEYS):
                raise ApiError(
                    400,
                    "INVALID_PARAMETER_VALUE",
                    "To change the catalog, schema or table name prefix of an inference table, "
                    "disable it first.",
                )
            body = {**body, "inference_table_config": table}
        return body

    def _put_ai_gateway(self, request: FakeRequest) -> dict:
        endpoint = self._require(request.params["name"])
        gateway = self._gateway(endpoint["name"], request.json or {}, endpoint.get("ai_gateway")) or {}
        endpoint["ai_gateway"] = gateway
        endpoint["last_updated_timestamp"] = _now()
        return gateway

    # --- routes ------------------------------------------------------------------------------------
    def _create(self, request: FakeRequest) -> dict:
        body = request.json or {}
        name = str(body.get("name") or "")
        if not NAME.fullmatch(name):
            message = f"Invalid endpoint name '{name}': up to 63 letters, digits, dashes and underscores."
            raise ApiError(400, "INVALID_PARAMETER_VALUE", message)
        if name in self.endpoints:
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Endpoint with name '{name}' already exists.")
        gateway = self._gateway(name, body.get("ai_gateway"), None)
        endpoint = {
            "name": name,
            "id": uuid.uuid4().hex,
            "creator": CURRENT_USER,
            "creation_timestamp": _now(),
            "permission_level": "CAN_MANAGE",
            "state": {"ready": "NOT_READY", "config_update": "NOT_UPDATING"},
            **({"ai_gateway": gateway} if gateway else {}),
        }
        self._start_rollout(endpoint, body.get("config", {}).get("served_entities") or [])
        self.endpoints[name] = endpoint
        return endpoint

    def _get(self, request: FakeRequest) -> dict:
        endpoint = self._require(request.params["name"])
        self._advance(endpoint)
        return endpoint

    def _update_config(self, request: FakeRequest) -> dict:
        endpoint = self._require(request.params["name"])
        if endpoint["state"]["config_update"] == "IN_PROGRESS":
            raise ApiError(
                409,
                "RESOURCE_CONFLICT",
                f"Endpoint '{endpoint['name']}' is currently being updated. Wait for the update to finish.",
            )
        self._start_rollout(endpoint, (request.json or {}).get("served_entities") or [])
        return endpoint

    def _invocations(self, request: FakeRequest) -> FakeResponse:
        from mlflow.exceptions import MlflowException
        from mlflow.pyfunc import scoring_server

        endpoint = self._require(request.params["name"])
        if endpoint["state"]["ready"] != "READY" or "config" not in endpoint:
            message = (
                f"Endpoint '{endpoint['name']}' is not ready: no served entity is ready to take requests."
            )
            raise ApiError(400, "BAD_REQUEST", message)
        entity = endpoint["config"]["served_entities"][0]
        model = self._load(entity["entity_name"], entity["entity_version"])
        try:
            answer = scoring_server.invocations(
                request.body, "application/json", model, model.metadata.get_input_schema()
            )
        except MlflowException as error:
            return FakeResponse(
                error.get_http_status_code(), {"error_code": error.error_code, "message": error.message}
            )
        if answer.status != 200:
            raise ApiError(answer.status, "BAD_REQUEST", answer.response)
        body = json.loads(answer.response)
        self._log_payload(endpoint, entity, request, body)
        return FakeResponse(200, body, {"served-model-name": entity["name"]})

    def _log_payload(self, endpoint: dict, entity: dict, request: FakeRequest, body: dict) -> None:
        table = (endpoint.get("ai_gateway") or {}).get("inference_table_config") or {}
        if table.get("enabled"):
            name = f"{table['catalog_name']}.{table['schema_name']}.{table['table_name_prefix']}_payload"
            self.payloads.setdefault(name, []).append(
                {
                    "served_entity_name": entity["name"],
                    "request": request.json,
                    "response": body,
                    "status_code": 200,
                }
            )
