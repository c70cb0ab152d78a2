"""The Unity Catalog model registry through the workspace client, for the commands that act on a workspace
from outside it (deploy-jobs, run-job, approve) with the same host and auth as their other calls.

The requests are the ones MLflow's UC registry store sends (`mlflow/store/_unity_catalog/registry/
rest_store.py` and `databricks_uc_registry_service.proto`): `registered-models/create` (POST),
`registered-models/get` (GET), `registered-models/update` (PATCH, which takes `deployment_job_id`),
`model-versions/search` (GET, one `name = '...'` filter, paged, no tags), `model-versions/get` (GET, with
tags and `deployment_job_state`) and `model-versions/set-tag` (POST). databricks-sdk has no call that
sets `deployment_job_id`.
"""

from __future__ import annotations

import contextlib

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound, ResourceAlreadyExists

from ..workspace import call

UC_REGISTRY = "/api/2.0/mlflow/unity-catalog"
# The deployment job state of a model version (ModelVersionDeploymentJobState in MLflow's proto).
CONNECTED = "CONNECTED"


def _do(client: WorkspaceClient, what: str, method: str, path: str, **kwargs: object) -> dict:
    return call(client, what, client.api_client.do, method, f"{UC_REGISTRY}/{path}", **kwargs) or {}


def get_model(client: WorkspaceClient, name: str) -> dict | None:
    """The registered model (with `deployment_job_id` when linked), or None when it does not exist."""

    def read() -> dict | None:
        try:
            return client.api_client.do("GET", f"{UC_REGISTRY}/registered-models/get", query={"name": name})
        except NotFound:
            return None

    found = call(client, f"reading registered model {name}", read)
    return None if found is None else found.get("registered_model", {})


def create_model(client: WorkspaceClient, name: str) -> None:
    """Create the registered model; one created meanwhile by someone else is what we wanted too."""

    def create() -> None:
        with contextlib.suppress(ResourceAlreadyExists):
            client.api_client.do("POST", f"{UC_REGISTRY}/registered-models/create", body={"name": name})

    call(client, f"creating registered model {name}", create)


def link_deployment_job(client: WorkspaceClient, name: str, job_id: int) -> None:
    """Make `job_id` the model's deployment job: the registry runs it for each new version."""
    body = {"name": name, "deployment_job_id": str(job_id)}
    _do(
        client,
        f"linking registered model {name} to job {job_id}",
        "PATCH",
        "registered-models/update",
        body=body,
    )


def version_numbers(client: WorkspaceClient, name: str) -> list[int]:
    """Every version number of the model, highest first (all pages of the search)."""
    numbers: list[int] = []
    query = {"filter": f"name = '{name}'"}
    while True:
        page = _do(client, f"listing versions of {name}", "GET", "model-versions/search", query=query)
        numbers.extend(int(version["version"]) for version in page.get("model_versions", []))
        if not page.get("next_page_token"):
            return sorted(numbers, reverse=True)
        query = {**query, "page_token": page["next_page_token"]}


def get_version(client: WorkspaceClient, name: str, version: str | int) -> dict:
    """One version with its tags (as a dict) and its `deployment_job_state`."""
    query = {"name": name, "version": str(version)}
    found = _do(client, f"reading version {version} of {name}", "GET", "model-versions/get", query=query)
    model_version = found.get("model_version", {})
    return {
        **model_version,
        "tags": {tag["key"]: tag.get("value", "") for tag in model_version.get("tags", [])},
    }


def set_version_tag(client: WorkspaceClient, name: str, version: str, key: str, value: str) -> None:
    body = {"name": name, "version": str(version), "key": key, "value": value}
    _do(client, f"tagging version {version} of {name}", "POST", "model-versions/set-tag", body=body)
