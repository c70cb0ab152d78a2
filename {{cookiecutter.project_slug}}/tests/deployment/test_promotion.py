"""promote and rollback on a local registry with hand-registered versions."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pytest
from mlflow import MlflowClient

from {{ cookiecutter.package_name }}.deployment.promotion import promote, rollback
from {{ cookiecutter.package_name }}.errors import LifecycleError

NAME = "schema.model"


@pytest.fixture
def client(tmp_path: Path) -> MlflowClient:
    """A registry with versions 1-3 of NAME; versions 1 and 2 passed the gate, 3 did not."""
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    client = MlflowClient()
    client.create_registered_model(NAME)
    for number, status in ((1, "passed"), (2, "passed"), (3, "rejected")):
        client.create_model_version(
            NAME, source=str(tmp_path / f"model-{number}"), tags={"gate_status": status}
        )
    return client


def _aliases(client: MlflowClient) -> dict[str, int]:
    return client.get_registered_model(NAME).aliases


def test_promote_without_a_challenger_refuses(client: MlflowClient) -> None:
    with pytest.raises(
        LifecycleError, match=r"nothing to promote: schema\.model has no @challenger; run `validate`"
    ):
        promote(client, NAME)
    assert _aliases(client) == {}


def test_the_first_promotion_has_no_previous_champion(client: MlflowClient) -> None:
    client.set_registered_model_alias(NAME, "challenger", "1")

    transition = promote(client, NAME)

    assert transition.as_dict() == {
        "changed": True,
        "champion_version": "1",
        "previous_champion_version": None,
        "message": "@champion moved from version none to 1",
    }
    assert _aliases(client) == {"challenger": 1, "champion": 1}
    assert "promoted_at" in client.get_model_version(NAME, "1").tags


def test_promote_remembers_the_previous_champion_and_a_rerun_changes_nothing(client: MlflowClient) -> None:
    client.set_registered_model_alias(NAME, "champion", "1")
    client.set_registered_model_alias(NAME, "challenger", "2")

    first = promote(client, NAME)
    second = promote(client, NAME)

    assert (first.changed, first.champion, first.previous_champion) == (True, "2", "1")
    assert second.as_dict() == {
        "changed": False,
        "champion_version": "2",
        "previous_champion_version": "1",
        "message": "version 2 is already @champion; nothing changed",
    }
    assert _aliases(client) == {"challenger": 2, "champion": 2, "previous_champion": 1}


def test_a_challenger_that_did_not_pass_the_gate_is_not_promoted(client: MlflowClient) -> None:
    client.set_registered_model_alias(NAME, "champion", "1")
    client.set_registered_model_alias(NAME, "challenger", "3")

    with pytest.raises(
        LifecycleError, match=r"refusing to promote version 3 .* gate_status tag is 'rejected'"
    ):
        promote(client, NAME)
    assert _aliases(client) == {"challenger": 3, "champion": 1}


def test_rollback_without_a_previous_champion_refuses(client: MlflowClient) -> None:
    client.set_registered_model_alias(NAME, "champion", "1")

    with pytest.raises(
        LifecycleError, match=r"nothing to roll back to: schema\.model has no @previous_champion"
    ):
        rollback(client, NAME)
    assert _aliases(client) == {"champion": 1}


def test_rollback_restores_the_previous_version_and_is_idempotent(client: MlflowClient) -> None:
    client.set_registered_model_alias(NAME, "challenger", "1")
    promote(client, NAME)
    client.set_registered_model_alias(NAME, "challenger", "2")
    promote(client, NAME)

    first = rollback(client, NAME)
    second = rollback(client, NAME)

    assert first.as_dict() == {
        "changed": True,
        "champion_version": "1",
        "previous_champion_version": "1",
        "message": "@champion rolled back from version 2 to 1",
    }
    assert (second.changed, second.champion) == (False, "1")
    # The rolled-back version loses @challenger, so `promote` cannot bring it straight back.
    assert _aliases(client) == {"champion": 1, "previous_champion": 1}
    assert "rolled_back_at" in client.get_model_version(NAME, "2").tags
    with pytest.raises(LifecycleError, match="no @challenger"):
        promote(client, NAME)


def test_a_new_challenger_after_a_rollback_is_promoted_normally(client: MlflowClient) -> None:
    client.set_registered_model_alias(NAME, "challenger", "1")
    promote(client, NAME)
    client.set_registered_model_alias(NAME, "challenger", "2")
    promote(client, NAME)
    rollback(client, NAME)
    client.create_model_version(NAME, source="/x/model-4", tags={"gate_status": "passed"})
    client.set_registered_model_alias(NAME, "challenger", "4")

    transition = promote(client, NAME)

    assert (transition.champion, transition.previous_champion) == ("4", "1")
    assert _aliases(client) == {"challenger": 4, "champion": 4, "previous_champion": 1}
