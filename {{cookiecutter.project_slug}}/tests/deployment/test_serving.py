"""Create or update the Model Serving endpoint through the real databricks-sdk against the twin."""

from __future__ import annotations

import dataclasses

import pytest

from {{ cookiecutter.package_name }}.config import load_config
from {{ cookiecutter.package_name }}.deployment.serving import deploy_endpoint, endpoint_name
from {{ cookiecutter.package_name }}.errors import WorkspaceError

from fake_workspace import FakeWorkspace, workspace_client

MODEL = "catalog.schema.churn_classifier"
SERVED = {"entity_name": MODEL, "workload_size": "Small", "scale_to_zero_enabled": True}


def _writes(workspace: FakeWorkspace) -> list[tuple[str, str, dict | None]]:
    return [(call.method, call.path, call.json) for call in workspace.writes()]


def test_the_endpoint_is_created_then_updated_then_left_alone(fake_workspace: FakeWorkspace) -> None:
    client = workspace_client(fake_workspace)

    created = deploy_endpoint(client, "churn", MODEL, "3")
    updated = deploy_endpoint(client, "churn", MODEL, "4")
    unchanged = deploy_endpoint(client, "churn", MODEL, "4")

    assert [change.action for change in (created, updated, unchanged)] == ["created", "updated", "unchanged"]
    assert _writes(fake_workspace) == [
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


def test_an_update_waits_for_a_rollout_in_progress_instead_of_being_refused(
    fake_workspace: FakeWorkspace,
) -> None:
    client = workspace_client(fake_workspace)
    fake_workspace.serving.rollout_polls = 2
    deploy_endpoint(client, "churn", MODEL, "3")  # still rolling out when the next promotion comes

    change = deploy_endpoint(client, "churn", MODEL, "4")

    assert change.action == "updated"
    endpoint = client.serving_endpoints.wait_get_serving_endpoint_not_updating("churn")
    assert [(e.entity_name, e.entity_version) for e in endpoint.config.served_entities] == [(MODEL, "4")]


def test_a_config_still_rolling_out_counts_as_the_served_one(fake_workspace: FakeWorkspace) -> None:
    client = workspace_client(fake_workspace)
    fake_workspace.serving.rollout_polls = 5
    deploy_endpoint(client, "churn", MODEL, "4")

    assert deploy_endpoint(client, "churn", MODEL, "4").action == "unchanged"
    assert [call.path for call in fake_workspace.writes()] == ["/api/2.0/serving-endpoints"]


def test_an_api_error_names_the_call_and_changes_nothing(fake_workspace: FakeWorkspace) -> None:
    client = workspace_client(fake_workspace)
    deploy_endpoint(client, "churn", MODEL, "3")
    client.serving_endpoints.wait_get_serving_endpoint_not_updating("churn")
    fake_workspace.fail(
        "PUT", "/api/2.0/serving-endpoints/churn/config", 403, message="no CAN_MANAGE on churn"
    )

    with pytest.raises(
        WorkspaceError, match=r"updating serving endpoint churn failed .*no CAN_MANAGE on churn"
    ):
        deploy_endpoint(client, "churn", MODEL, "4")
    assert client.serving_endpoints.get("churn").config.served_entities[0].entity_version == "3"


def test_endpoint_names_come_from_the_model_name() -> None:
    config = dataclasses.replace(load_config("prod"), model_name=MODEL)

    assert endpoint_name(config) == "catalog-schema-churn_classifier"
