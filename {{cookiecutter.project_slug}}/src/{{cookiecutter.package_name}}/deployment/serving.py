"""Databricks Model Serving: create or update the endpoint that serves the @champion version.

Only the serving-endpoints API subset is used (get, create, update config), through databricks-sdk,
so a local fake workspace can stand in for Databricks in tests. Nothing waits for the endpoint to be
ready: Databricks rolls the new config out in the background and keeps serving the old one meanwhile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..config import Config
from ..errors import ConfigError

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

# Fail in seconds, not minutes, when the workspace is unreachable (the SDK default blocks ~5 min).
HTTP_TIMEOUT_SECONDS = 30
RETRY_TIMEOUT_SECONDS = 60
WORKLOAD_SIZE = "Small"


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


def workspace_client(
    config: Config,
    http_timeout_seconds: float = HTTP_TIMEOUT_SECONDS,
    retry_timeout_seconds: int = RETRY_TIMEOUT_SECONDS,
) -> WorkspaceClient:
    """A client for the environment's workspace; credentials come from the usual Databricks auth."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config as SdkConfig

    if not config.on_databricks:
        raise ConfigError(f"model serving endpoints need a Databricks environment, not {config.env!r}")
    return WorkspaceClient(
        config=SdkConfig(
            host=config.workspace_host,
            http_timeout_seconds=http_timeout_seconds,
            retry_timeout_seconds=retry_timeout_seconds,
        )
    )


def deploy_endpoint(
    client: WorkspaceClient,
    name: str,
    model_name: str,
    model_version: str,
    workload_size: str = WORKLOAD_SIZE,
) -> EndpointChange:
    """Make endpoint `name` serve exactly `model_name` version `model_version` (create it if absent)."""
    from databricks.sdk.errors import NotFound
    from databricks.sdk.service.serving import EndpointCoreConfigInput, ServedEntityInput

    served = ServedEntityInput(
        entity_name=model_name,
        entity_version=str(model_version),
        workload_size=workload_size,
        scale_to_zero_enabled=True,
    )
    try:
        existing = client.serving_endpoints.get(name)
    except NotFound:
        client.serving_endpoints.create(
            name=name, config=EndpointCoreConfigInput(name=name, served_entities=[served])
        )
        return EndpointChange(name, "created", model_name, str(model_version))
    # A config still rolling out is what the endpoint is about to serve: compare with that one.
    config = existing.pending_config or existing.config
    current = (
        {(entity.entity_name, entity.entity_version) for entity in (config.served_entities or [])}
        if config
        else set()
    )
    if current == {(model_name, str(model_version))}:
        return EndpointChange(name, "unchanged", model_name, str(model_version))
    client.serving_endpoints.update_config(name=name, served_entities=[served])
    return EndpointChange(name, "updated", model_name, str(model_version))
