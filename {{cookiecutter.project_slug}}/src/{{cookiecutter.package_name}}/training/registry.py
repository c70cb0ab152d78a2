"""The model registry as the stages use it: alias names and lookups that return None when absent.

Works the same on the local sqlite registry and on Unity Catalog (`databricks-uc`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion

CHAMPION = "champion"
CHALLENGER = "challenger"
PREVIOUS_CHAMPION = "previous_champion"
_ABSENT = ("INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST", "NOT_FOUND")


def version_uri(name: str, version: str | int) -> str:
    return f"models:/{name}/{version}"


def version_by_alias(client: MlflowClient, name: str, alias: str) -> ModelVersion | None:
    """The version the alias points at, or None when the alias or the model does not exist."""
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException as error:
        if error.error_code in _ABSENT:
            return None
        raise


def latest_version(client: MlflowClient, name: str) -> ModelVersion | None:
    """The highest-numbered version of the model, or None when it has none."""
    versions = client.search_model_versions(f"name = '{name}'")
    return max(versions, key=lambda version: int(version.version), default=None)
