"""Model Serving endpoints: create, get, update the served entities, with the rollout Databricks does.

A new config is not served at once: the endpoint shows it as `pending_config` with `config_update`
IN_PROGRESS (and keeps serving the old `config`) until the rollout finishes, here after
`rollout_polls` reads of the endpoint. Updating the config while a rollout is in progress is refused
with 409 RESOURCE_CONFLICT, as on Databricks.
"""

from __future__ import annotations

from .server import ApiError, FakeRequest


class ServingEndpoints:
    def __init__(self, rollout_polls: int = 1) -> None:
        self.rollout_polls = rollout_polls
        self.endpoints: dict[str, dict] = {}
        self._polls_left: dict[str, int] = {}

    def _require(self, name: str) -> dict:
        if name not in self.endpoints:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Endpoint with name '{name}' does not exist.")
        return self.endpoints[name]

    def _start_rollout(self, endpoint: dict, served_entities: list[dict]) -> None:
        entities = [
            {
                **entity,
                "name": entity.get("name")
                or f"{entity['entity_name'].replace('.', '-')}-{entity['entity_version']}",
            }
            for entity in served_entities
        ]
        endpoint["pending_config"] = {"served_entities": entities}
        endpoint["state"]["config_update"] = "IN_PROGRESS"
        self._polls_left[endpoint["name"]] = self.rollout_polls

    def _advance(self, endpoint: dict) -> None:
        name = endpoint["name"]
        if endpoint["state"]["config_update"] != "IN_PROGRESS":
            return
        if self._polls_left[name] > 0:
            self._polls_left[name] -= 1
            return
        endpoint["config"] = endpoint.pop("pending_config")
        endpoint["state"] = {"ready": "READY", "config_update": "NOT_UPDATING"}

    def _create(self, request: FakeRequest) -> dict:
        body = request.json or {}
        name = body.get("name", "")
        if name in self.endpoints:
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Endpoint with name '{name}' already exists.")
        endpoint = {"name": name, "state": {"ready": "NOT_READY", "config_update": "NOT_UPDATING"}}
        self.endpoints[name] = endpoint
        self._start_rollout(endpoint, body.get("config", {}).get("served_entities", []))
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
        self._start_rollout(endpoint, (request.json or {}).get("served_entities", []))
        return endpoint

    def routes(self) -> dict:
        return {
            ("POST", "/api/2.0/serving-endpoints"): self._create,
            ("GET", "/api/2.0/serving-endpoints/{name}"): self._get,
            ("PUT", "/api/2.0/serving-endpoints/{name}/config"): self._update_config,
        }
