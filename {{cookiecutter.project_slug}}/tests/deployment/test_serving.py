"""Create or update the Model Serving endpoint through the real databricks-sdk against a fake workspace."""

from __future__ import annotations

import dataclasses

import pytest
from databricks.sdk.errors import PermissionDenied

from {{ cookiecutter.package_name }}.config import load_config
from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.inference import serving
from {{ cookiecutter.package_name }}.inference.serving import deploy_endpoint, endpoint_name

from fake_workspace import ApiError, FakeRequest, FakeWorkspace, workspace_client

MODEL = "catalog.schema.churn_classifier"


def _endpoint(name: str, entities: list[dict]) -> dict:
    return {
        "name": name,
        "state": {"ready": "READY", "config_update": "NOT_UPDATING"},
        "config": {
            "served_entities": [
                {**entity, "name": f"{entity['entity_name']}-{entity['entity_version']}"}
                for entity in entities
            ]
        },
    }


def add_serving_routes(workspace: FakeWorkspace) -> None:
    """The serving-endpoints subset: get, create, update config; state in workspace.state['endpoints']."""
    endpoints: dict[str, dict] = workspace.state.setdefault("endpoints", {})

    def get(request: FakeRequest) -> dict:
        name = request.params["name"]
        if name not in endpoints:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Endpoint with name '{name}' does not exist.")
        return endpoints[name]

    def create(request: FakeRequest) -> dict:
        body = request.json or {}
        if body["name"] in endpoints:
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Endpoint {body['name']} already exists.")
        endpoints[body["name"]] = _endpoint(body["name"], body["config"]["served_entities"])
        return endpoints[body["name"]]

    def update_config(request: FakeRequest) -> dict:
        name = request.params["name"]
        get(request)
        endpoints[name] = _endpoint(name, (request.json or {})["served_entities"])
        return endpoints[name]

    workspace.add_route("GET", "/api/2.0/serving-endpoints/{name}", get)
    workspace.add_route("POST", "/api/2.0/serving-endpoints", create)
    workspace.add_route("PUT", "/api/2.0/serving-endpoints/{name}/config", update_config)


SERVED = {"entity_name": MODEL, "workload_size": "Small", "scale_to_zero_enabled": True}


def test_the_endpoint_is_created_then_updated_then_left_alone(fake_workspace: FakeWorkspace) -> None:
    add_serving_routes(fake_workspace)
    client = workspace_client(fake_workspace)

    created = deploy_endpoint(client, "churn", MODEL, "3")
    updated = deploy_endpoint(client, "churn", MODEL, "4")
    unchanged = deploy_endpoint(client, "churn", MODEL, "4")

    assert [change.action for change in (created, updated, unchanged)] == ["created", "updated", "unchanged"]
    writes = [(call.method, call.path, call.json) for call in fake_workspace.writes()]
    assert writes == [
        (
            "POST",
            "/api/2.0/serving-endpoints",
            {
                "name": "churn",
                "config": {"name": "churn", "served_entities": [{**SERVED, "entity_version": "3"}]},
            },
        ),
        (
            "PUT",
            "/api/2.0/serving-endpoints/churn/config",
            {"served_entities": [{**SERVED, "entity_version": "4"}]},
        ),
    ]
    assert unchanged.as_dict() == {"endpoint": "churn", "action": "unchanged", "served_version": "4"}


def test_a_config_still_rolling_out_counts_as_the_served_one(fake_workspace: FakeWorkspace) -> None:
    add_serving_routes(fake_workspace)
    rolling = _endpoint("churn", [{**SERVED, "entity_version": "3"}])
    rolling["pending_config"] = {"served_entities": [{**SERVED, "entity_version": "4"}]}
    fake_workspace.state["endpoints"]["churn"] = rolling
    client = workspace_client(fake_workspace)

    assert deploy_endpoint(client, "churn", MODEL, "4").action == "unchanged"
    assert deploy_endpoint(client, "churn", MODEL, "3").action == "updated"
    assert [call.path for call in fake_workspace.writes()] == ["/api/2.0/serving-endpoints/churn/config"]


def test_an_api_error_is_raised_with_the_workspace_message(fake_workspace: FakeWorkspace) -> None:
    add_serving_routes(fake_workspace)
    fake_workspace.fail(
        "GET", "/api/2.0/serving-endpoints/churn", 403, message="no CAN_MANAGE on endpoint churn"
    )

    with pytest.raises(PermissionDenied, match="no CAN_MANAGE on endpoint churn"):
        deploy_endpoint(workspace_client(fake_workspace), "churn", MODEL, "3")
    assert fake_workspace.writes() == []


def test_endpoint_names_come_from_the_model_name() -> None:
    config = dataclasses.replace(load_config("prod"), model_name=MODEL)

    assert endpoint_name(config) == "catalog-schema-churn_classifier"


def test_the_local_environment_has_no_serving_endpoint(tmp_path) -> None:
    with pytest.raises(
        ConfigError, match="model serving endpoints need a Databricks environment, not 'local'"
    ):
        serving.workspace_client(load_config("local", home=tmp_path))


def test_an_unreachable_workspace_fails_instead_of_retrying_for_minutes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    for name in ("DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CONFIG_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-fake-token")
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = dataclasses.replace(load_config("staging"), workspace_host=f"http://127.0.0.1:{port}")

    with pytest.raises(TimeoutError, match="Timed out after 0:00:03"):
        client = serving.workspace_client(config, http_timeout_seconds=2, retry_timeout_seconds=3)
        deploy_endpoint(client, "churn", MODEL, "3")
