"""Databricks Model Serving: create or update the endpoint that serves the @champion version.

Only the serving-endpoints API subset is used (get, create, update config, wait), through databricks-sdk.
Databricks rolls a new config out in the background and keeps serving the old one meanwhile; a second
update while one is rolling out is refused, so an update first waits for the endpoint to settle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound
from databricks.sdk.service.serving import EndpointCoreConfigInput, ServedEntityInput, ServingEndpointDetailed

from ..config import Config
from ..workspace import call

WORKLOAD_SIZE = "Small"
SETTLE_MINUTES = 30.0  # how long an update waits for a rollout already in progress


@dataclass(frozen=True)
class EndpointChange:
    endpoint: str
    action: str  # "created", "updated" or "unchanged"
    model_name: str
    model_version: str

    def as_dict(self) -> dict:
        return {"endpoint": self.endpoint, "action": self.action, "served_version": self.model_version}


def endpoint_name(config: Config) -> str:
    """One endpoint per environment, named after the registered model (letters, digits, - and _)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", config.model_name)[:63]


def deploy_endpoint(
    client: WorkspaceClient,
    name: str,
    model_name: str,
    model_version: str,
    workload_size: str = WORKLOAD_SIZE,
    settle_minutes: float = SETTLE_MINUTES,
) -> EndpointChange:
    """Make endpoint `name` serve exactly `model_name` version `model_version` (create it if absent)."""
    served = ServedEntityInput(
        entity_name=model_name,
        entity_version=str(model_version),
        workload_size=workload_size,
        scale_to_zero_enabled=True,
    )
    try:
        existing = client.serving_endpoints.get(name)
    except NotFound:
        config = EndpointCoreConfigInput(name=name, served_entities=[served])
        call(
            client,
            f"creating serving endpoint {name}",
            client.serving_endpoints.create,
            name=name,
            config=config,
        )
        return EndpointChange(name, "created", model_name, str(model_version))
    if _served(existing) == {(model_name, str(model_version))}:
        return EndpointChange(name, "unchanged", model_name, str(model_version))
    wait = client.serving_endpoints.wait_get_serving_endpoint_not_updating
    call(
        client,
        f"waiting for serving endpoint {name} to finish its update",
        wait,
        name,
        timedelta(minutes=settle_minutes),
    )
    update = client.serving_endpoints.update_config
    call(client, f"updating serving endpoint {name}", update, name=name, served_entities=[served])
    return EndpointChange(name, "updated", model_name, str(model_version))


def _served(endpoint: ServingEndpointDetailed) -> set[tuple[str | None, str | None]]:
    """(model, version) pairs the endpoint serves, or is about to: a config still rolling out counts."""
    config = endpoint.pending_config or endpoint.config
    return (
        {(entity.entity_name, entity.entity_version) for entity in (config.served_entities or [])}
        if config
        else set()
    )
