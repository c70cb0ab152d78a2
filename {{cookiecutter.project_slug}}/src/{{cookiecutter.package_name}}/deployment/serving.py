"""Databricks Model Serving: keep the environment's endpoint serving exactly the @champion version.

Through databricks-sdk: get, create (with the AI Gateway), update the config, put the AI Gateway, wait,
query. Databricks rolls a new config out in the background and keeps serving the old one meanwhile; a
second update while one is rolling out is refused, so changes first wait for the endpoint to settle.
Every change ends with the rollout awaited (bounded) and a smoke request: one row of valid features
must come back as one prediction. A run with nothing to change makes no write and no request.

Inference tables: the AI Gateway logs every request and response to the Unity Catalog table
`<catalog>.<schema>.<prefix>_payload` of the environment's schema. Databricks refuses to change the
catalog, schema or prefix of an enabled inference table, so a differing one is disabled first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timedelta

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import DatabricksError, NotFound, OperationFailed
from databricks.sdk.service.serving import (
    AiGatewayConfig,
    AiGatewayInferenceTableConfig,
    EndpointCoreConfigInput,
    EndpointStateReady,
    ServedEntityInput,
    ServingEndpointDetailed,
)

from ..config import Config
from ..errors import WorkspaceError
from ..features.spec import CATEGORICAL_FEATURES, NUMERIC_FEATURES
from ..workspace import call

WORKLOAD_SIZE = "Small"
SETTLE_MINUTES = 30.0  # how long to wait for a rollout (an earlier one, or the change just made)
INFERENCE_TABLE_SUFFIX = "_serving"  # table-name prefix = model name + this; the table adds "_payload"


@dataclass(frozen=True)
class EndpointSpec:
    """What the endpoint must be: its name, the one version it serves, where it logs requests."""

    name: str
    model_name: str
    model_version: str
    inference_table: AiGatewayInferenceTableConfig
    workload_size: str = WORKLOAD_SIZE

    @property
    def payload_table(self) -> str:
        table = self.inference_table
        return f"{table.catalog_name}.{table.schema_name}.{table.table_name_prefix}_payload"

    def served(self) -> ServedEntityInput:
        return ServedEntityInput(
            entity_name=self.model_name,
            entity_version=self.model_version,
            workload_size=self.workload_size,
            scale_to_zero_enabled=True,
        )


@dataclass(frozen=True)
class EndpointChange:
    spec: EndpointSpec
    action: str  # "created", "updated" or "unchanged"

    def as_dict(self) -> dict:
        return {
            "endpoint": self.spec.name,
            "action": self.action,
            "served_version": self.spec.model_version,
            "inference_table": self.spec.payload_table,
            "smoke_request": "skipped (nothing changed)" if self.action == "unchanged" else "passed",
        }


def endpoint_name(config: Config) -> str:
    """One endpoint per environment, named after the registered model (letters, digits, - and _)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", config.model_name)[:63]


def endpoint_spec(config: Config, model_version: str) -> EndpointSpec:
    """The environment's endpoint serving `model_version`, logging to its catalog and schema."""
    prefix = re.sub(r"\W", "_", config.model_name.rsplit(".", 1)[-1]) + INFERENCE_TABLE_SUFFIX
    table = AiGatewayInferenceTableConfig(
        catalog_name=config.catalog, schema_name=config.schema, table_name_prefix=prefix, enabled=True
    )
    return EndpointSpec(endpoint_name(config), config.model_name, str(model_version), table)


def smoke_record() -> dict:
    """One row of valid model input: a customer without activity in the window (no main channel)."""
    return {**dict.fromkeys(NUMERIC_FEATURES, 0.0), **dict.fromkeys(CATEGORICAL_FEATURES)}


def deploy_endpoint(
    client: WorkspaceClient, spec: EndpointSpec, settle_minutes: float = SETTLE_MINUTES
) -> EndpointChange:
    """Create the endpoint or bring it to `spec`; after any change, await the rollout and smoke-test."""
    wait = timedelta(minutes=settle_minutes)
    existing = _existing(client, spec.name)
    if existing is None:
        gateway = AiGatewayConfig(inference_table_config=spec.inference_table)
        config = EndpointCoreConfigInput(name=spec.name, served_entities=[spec.served()])
        create = client.serving_endpoints.create
        call(
            client,
            f"creating serving endpoint {spec.name}",
            create,
            spec.name,
            config=config,
            ai_gateway=gateway,
        )
        action = "created"
    elif _serves(existing, spec) and _logs(existing, spec):
        return EndpointChange(spec, "unchanged")
    else:
        _update(client, _settled(client, spec.name, wait), spec)
        action = "updated"
    _await_rollout(client, spec, wait)
    smoke_test(client, spec)
    return EndpointChange(spec, action)


def _existing(client: WorkspaceClient, name: str) -> ServingEndpointDetailed | None:
    try:
        return client.serving_endpoints.get(name)
    except NotFound:
        return None


def _served(endpoint: ServingEndpointDetailed, pending: bool = True) -> set[tuple[str | None, str | None]]:
    """(model, version) pairs the endpoint serves, or is about to: a config still rolling out counts."""
    config = (endpoint.pending_config if pending else None) or endpoint.config
    entities = (config.served_entities if config else None) or []
    return {(entity.entity_name, entity.entity_version) for entity in entities}


def _serves(endpoint: ServingEndpointDetailed, spec: EndpointSpec) -> bool:
    return _served(endpoint) == {(spec.model_name, spec.model_version)}


def _logs(endpoint: ServingEndpointDetailed, spec: EndpointSpec) -> bool:
    gateway = endpoint.ai_gateway or AiGatewayConfig()
    return (gateway.inference_table_config or AiGatewayInferenceTableConfig()) == spec.inference_table


def _wait(client: WorkspaceClient, name: str, wait: timedelta, what: str) -> ServingEndpointDetailed:
    """The SDK's waiter, bounded by `wait`; OperationFailed (the update failed) is left to the caller."""
    waiter = client.serving_endpoints.wait_get_serving_endpoint_not_updating
    try:
        return waiter(name, wait)
    except TimeoutError as error:
        raise WorkspaceError(f"{what}: not settled within {wait}; rerun to wait again ({error})") from error
    except DatabricksError as error:
        code = getattr(error, "error_code", None) or type(error).__name__
        raise WorkspaceError(f"{what} failed on {client.config.host}: {code}: {error}") from error


def _settled(client: WorkspaceClient, name: str, wait: timedelta) -> ServingEndpointDetailed:
    """The endpoint once no rollout is in progress; a failed earlier rollout does not block a new one."""
    try:
        return _wait(client, name, wait, f"waiting for serving endpoint {name} to finish its update")
    except OperationFailed:
        return call(client, f"reading serving endpoint {name}", client.serving_endpoints.get, name)


def _update(client: WorkspaceClient, endpoint: ServingEndpointDetailed, spec: EndpointSpec) -> None:
    if not _logs(endpoint, spec):
        _put_inference_table(client, endpoint, spec)
    if not _serves(endpoint, spec):
        update = client.serving_endpoints.update_config
        call(
            client,
            f"updating serving endpoint {spec.name}",
            update,
            spec.name,
            served_entities=[spec.served()],
        )


def _put_inference_table(
    client: WorkspaceClient, endpoint: ServingEndpointDetailed, spec: EndpointSpec
) -> None:
    """Set the inference table, keeping the rest of the endpoint's AI Gateway config (rate limits etc.)."""
    gateway = endpoint.ai_gateway or AiGatewayConfig()
    current = gateway.inference_table_config
    steps = [spec.inference_table]
    if current is not None and current.enabled:  # Databricks: disable it before changing where it goes
        steps.insert(0, replace(current, enabled=False))
    for table in steps:
        settings = replace(gateway, inference_table_config=table).as_shallow_dict()
        description = f"setting the AI Gateway inference table of serving endpoint {spec.name}"
        call(client, description, client.serving_endpoints.put_ai_gateway, spec.name, **settings)


def _await_rollout(client: WorkspaceClient, spec: EndpointSpec, wait: timedelta) -> None:
    """Wait (at most `wait`) until the endpoint is ready and serves exactly the spec's version."""
    what = f"serving endpoint {spec.name} with {spec.model_name} version {spec.model_version}"
    try:
        endpoint = _wait(client, spec.name, wait, f"rolling out {what}")
    except OperationFailed as error:
        raise WorkspaceError(
            f"{what}: the update failed on Databricks ({error}); see the endpoint's events"
        ) from error
    ready = endpoint.state.ready if endpoint.state else None
    served = _served(endpoint, pending=False)
    if ready != EndpointStateReady.READY or served != {(spec.model_name, spec.model_version)}:
        state = ready.value if ready else "in no known state"
        versions = sorted(f"{model} version {version}" for model, version in served)
        raise WorkspaceError(f"{what}: the endpoint is {state} and serves {', '.join(versions) or 'nothing'}")


def smoke_test(client: WorkspaceClient, spec: EndpointSpec) -> None:
    """One row of valid features in, one prediction out, or a WorkspaceError naming endpoint and version."""
    what = f"smoke request to serving endpoint {spec.name} ({spec.model_name} version {spec.model_version})"
    query = client.serving_endpoints.query
    try:
        response = call(client, what, query, spec.name, dataframe_records=[smoke_record()])
    except WorkspaceError as error:  # the model server's message spans lines (it shows the frame)
        raise WorkspaceError(" ".join(str(error).split())) from error.__cause__
    predictions = response.predictions or []
    if len(predictions) != 1:
        raise WorkspaceError(f"{what}: expected 1 prediction for 1 row, got {len(predictions)}")
